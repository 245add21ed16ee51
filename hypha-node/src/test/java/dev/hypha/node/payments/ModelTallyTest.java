package dev.hypha.node.payments;

import static dev.hypha.node.payments.LedgerFixtures.DOMAIN;
import static dev.hypha.node.payments.LedgerFixtures.PAYER;
import static dev.hypha.node.payments.LedgerFixtures.channel;
import static dev.hypha.node.payments.LedgerFixtures.voucher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.channels.ChannelParams;
import java.math.BigInteger;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-model tally in the provider's ledger: written with each charge, due for royalties only once the chain has
 * redeemed everything charged on the channel, and pending royalty payments settled exactly once, across reopenings.
 */
class ModelTallyTest {
    private static final String MODEL_A = "0x" + "aa".repeat(32);
    private static final String MODEL_B = "0x" + "bb".repeat(32);

    @TempDir
    Path dir;

    private static BigInteger n(long v) {
        return BigInteger.valueOf(v);
    }

    private ProviderLedger open() {
        return ProviderLedger.open(dir.resolve("provider.sqlite"), DOMAIN);
    }

    @Test
    void tokensBecomeDueOnlyWhenTheirChannelIsRedeemedInFullAndTheTallySurvivesARestart() {
        ChannelParams c = channel(1);
        try (ProviderLedger ledger = open()) {
            ledger.track(c, n(1_000));
            ledger.charge(ledger.reserve(voucher(PAYER, c.id(), 100), n(100)), n(30), MODEL_A, 12);
            ledger.charge(ledger.reserve(voucher(PAYER, c.id(), 130), n(100)), n(0), MODEL_B, 0); // failed: nothing
            ledger.charge(ledger.reserve(voucher(PAYER, c.id(), 230), n(100)), n(50), MODEL_B, 20);
            ledger.charge(ledger.reserve(voucher(PAYER, c.id(), 230), n(100)), n(20), MODEL_A.toUpperCase().replace("0X", "0x"), 8);
            assertThatThrownBy(() -> ledger.charge(new ProviderLedger.Reservation(c.id(), n(10), n(100)), n(1), MODEL_A, -1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 or more tokens");
            // An open reservation: redeeming what is settled so far (100) does not cover the 200 charged.
            ProviderLedger.Reservation open = ledger.reserve(voucher(PAYER, c.id(), 230), n(100));
            ledger.redeemed(c.id(), n(100));
            assertThat(ledger.modelTallies()).extracting(ProviderLedger.ModelTally::due).containsExactly(0L, 0L);
            ledger.charge(open, n(0));
        }
        try (ProviderLedger ledger = open()) {
            assertThat(ledger.modelTallies()).containsExactly(
                    new ProviderLedger.ModelTally(MODEL_A, n(50), 20, 0, 0),
                    new ProviderLedger.ModelTally(MODEL_B, n(50), 20, 0, 0));
            // Nothing new redeemed, but what is redeemed (100) now covers the 100 charged: all tallied tokens are due.
            ledger.redeemed(c.id(), n(100));
            assertThat(ledger.modelTallies()).extracting(ProviderLedger.ModelTally::due).containsExactly(20L, 20L);
        }
    }

    @Test
    void aPendingRoyaltyIsSettledOnceAndOnlyALandedOneCountsAsRouted() {
        ChannelParams c = channel(1);
        try (ProviderLedger ledger = open()) {
            ledger.track(c, n(1_000));
            ledger.charge(ledger.reserve(voucher(PAYER, c.id(), 100), n(100)), n(40), MODEL_A, 40);
            ledger.redeemed(c.id(), n(40));
            ledger.royaltyPending(new ProviderLedger.PendingRoyalty(MODEL_A, 2, "0x" + "11".repeat(20), 40, n(28), 7));
        }
        try (ProviderLedger ledger = open()) {
            ProviderLedger.PendingRoyalty p = ledger.pendingRoyalties().getFirst();
            assertThat(p.amount()).isEqualTo(n(28));
            ledger.royaltySettled(p, false); // it never landed: the tokens are due again
            assertThat(ledger.pendingRoyalties()).isEmpty();
            assertThat(ledger.modelTallies().getFirst().due()).isEqualTo(40);
            ledger.royaltyPending(p);
            assertThatThrownBy(() -> ledger.royaltyPending(p)).as("one pending payment per model")
                    .hasMessageContaining("royalty payment");
            ledger.royaltySettled(p, true);
            assertThat(ledger.modelTallies().getFirst().due()).isZero();
            assertThat(ledger.modelTallies().getFirst().routed()).isEqualTo(40);
        }
    }
}

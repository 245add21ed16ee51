package dev.hypha.node.payments;

import static dev.hypha.node.payments.LedgerFixtures.DOMAIN;
import static dev.hypha.node.payments.LedgerFixtures.PAYER;
import static dev.hypha.node.payments.LedgerFixtures.STRANGER;
import static dev.hypha.node.payments.LedgerFixtures.channel;
import static dev.hypha.node.payments.LedgerFixtures.voucher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.channels.ChannelParams;
import java.math.BigInteger;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reserve-then-charge: a payer pays what answers cost, and a reservation in flight survives a restart. */
class ProviderReservationTest {
    @TempDir
    Path dir;

    private static BigInteger n(long v) {
        return BigInteger.valueOf(v);
    }

    @Test
    void aVoucherMustCoverWhatIsChargedPlusTheMaximumAndTheUnusedPartStaysThePayers() {
        ChannelParams c = channel(1);
        try (ProviderLedger ledger = ProviderLedger.open(dir.resolve("provider.sqlite"), DOMAIN)) {
            ledger.track(c, n(1_000));

            ProviderLedger.Reservation first = ledger.reserve(voucher(PAYER, c.id(), 100), n(100));
            assertThat(ledger.charged(c.id())).isEqualTo(n(100)); // the maximum, until the answer is priced
            assertThat(ledger.charge(first, n(30))).isEqualTo(n(30));

            // 30 charged + a maximum of 100: 130 is enough although the best voucher held is 100 already.
            assertThatThrownBy(() -> ledger.reserve(voucher(PAYER, c.id(), 129), n(100)))
                    .isInstanceOf(VoucherRejectedException.class)
                    .hasMessageContaining("30 is charged already and this request may cost up to 100, so it must promise at least 130");
            ProviderLedger.Reservation second = ledger.reserve(voucher(PAYER, c.id(), 130), n(100));
            assertThat(ledger.charge(second, n(0))).isEqualTo(n(30)); // a failed answer costs nothing

            assertThatThrownBy(() -> ledger.reserve(voucher(PAYER, c.id(), 99), n(1)))
                    .hasMessageContaining("is stale: it promises 99, less than the 130 already promised");
            assertThatThrownBy(() -> ledger.reserve(voucher(STRANGER, c.id(), 500), n(1)))
                    .hasMessageContaining("is not signed by the channel's signer");
            assertThatThrownBy(() -> ledger.reserve(voucher(PAYER, c.id(), 1_001), n(1)))
                    .hasMessageContaining("promises 1001 but the channel holds 1000: top it up");
            assertThatThrownBy(() -> ledger.reserve(voucher(PAYER, channel(2).id(), 1), n(1)))
                    .hasMessageContaining("is unknown to this provider");
            assertThatThrownBy(() -> ledger.charge(new ProviderLedger.Reservation(c.id(), n(10), n(130)), n(11)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 0 and its reserved 10");
            assertThat(ledger.charged(c.id())).isEqualTo(n(30));
            assertThat(ledger.best(c.id()).orElseThrow().cumulativeAmount()).isEqualTo(n(130));
        }
    }

    /**
     * A payer that signs ahead sends the voucher already held with its next request; the ledger skips recovering it
     * again, which must not let anything but that exact voucher through: the same total with another key's signature,
     * or with the held signature's bytes changed, is still refused.
     */
    @Test
    void theHeldVoucherIsAcceptedAgainButNotTheSameTotalSignedByAnyoneElse() {
        ChannelParams c = channel(1);
        try (ProviderLedger ledger = ProviderLedger.open(dir.resolve("provider.sqlite"), DOMAIN)) {
            ledger.track(c, n(1_000));
            dev.hypha.chain.channels.Voucher held = voucher(PAYER, c.id(), 300);
            ledger.charge(ledger.reserve(held, n(100)), n(40));

            assertThat(ledger.vouches(held)).isTrue();
            ProviderLedger.Reservation again = ledger.reserve(held, n(100)); // 40 charged + 100 <= 300
            assertThat(ledger.charge(again, n(50))).isEqualTo(n(90));

            dev.hypha.chain.channels.Voucher forged = voucher(STRANGER, c.id(), 300);
            assertThat(ledger.vouches(forged)).isFalse();
            assertThatThrownBy(() -> ledger.reserve(forged, n(100)))
                    .hasMessageContaining("is not signed by the channel's signer");
            byte[] bytes = held.signature().toBytes();
            bytes[5] ^= 1;
            dev.hypha.chain.channels.Voucher altered = new dev.hypha.chain.channels.Voucher(c.id(), n(300),
                    dev.hypha.core.crypto.Signature.fromBytes(bytes));
            assertThat(ledger.vouches(altered)).isFalse();
            assertThatThrownBy(() -> ledger.reserve(altered, n(100)))
                    .hasMessageContaining("is not signed by the channel's signer");
            assertThat(ledger.charged(c.id())).isEqualTo(n(90));
        }
    }

    @Test
    void aReservationNeverChargedStaysChargedAfterARestartAndItsVoucherIsRedeemable() {
        ChannelParams c = channel(1);
        Path file = dir.resolve("provider.sqlite");
        try (ProviderLedger ledger = ProviderLedger.open(file, DOMAIN)) {
            ledger.track(c, n(1_000));
            ledger.reserve(voucher(PAYER, c.id(), 250), n(200)); // the provider dies before it prices the answer
        }
        try (ProviderLedger reopened = ProviderLedger.open(file, DOMAIN)) {
            assertThat(reopened.charged(c.id())).isEqualTo(n(200));
            assertThat(reopened.deposit(c.id())).isEqualTo(n(1_000));
            assertThat(reopened.unredeemed()).singleElement()
                    .satisfies(r -> assertThat(r.voucher().cumulativeAmount()).isEqualTo(n(250)));
            assertThat(reopened.deposit(channel(9).id())).isZero();
        }
    }
}

package dev.hypha.node.payments;

import static dev.hypha.node.payments.LedgerFixtures.DOMAIN;
import static dev.hypha.node.payments.LedgerFixtures.PAYER;
import static dev.hypha.node.payments.LedgerFixtures.STRANGER;
import static dev.hypha.node.payments.LedgerFixtures.channel;
import static dev.hypha.node.payments.LedgerFixtures.voucher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.core.crypto.Eip712;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules each side applies to vouchers, and that the books survive reopening. */
class LedgersTest {
    @TempDir
    Path dir;

    private static BigInteger n(long v) {
        return BigInteger.valueOf(v);
    }

    @Test
    void theProviderAcceptsOnlyVouchersThatPayTheRequestFromTheChannelsSigner() {
        ChannelParams c = channel(1);
        try (ProviderLedger ledger = ProviderLedger.open(dir.resolve("provider.sqlite"), DOMAIN)) {
            ledger.track(c, n(1_000));

            assertThat(ledger.accept(voucher(PAYER, c.id(), 100), n(100))).isEqualTo(n(100));
            assertThatThrownBy(() -> ledger.accept(voucher(PAYER, c.id(), 150), n(100)))
                    .isInstanceOf(VoucherRejectedException.class).hasMessageContaining("adds 50 to the 100 already promised; this request costs 100");
            assertThatThrownBy(() -> ledger.accept(voucher(PAYER, c.id(), 100), n(1)))
                    .hasMessageContaining("adds 0 to the 100"); // a replay pays nothing
            assertThatThrownBy(() -> ledger.accept(voucher(STRANGER, c.id(), 500), n(100)))
                    .hasMessageContaining("is not signed by the channel's signer");
            assertThatThrownBy(() -> ledger.accept(voucher(PAYER, c.id(), 1_001), n(100)))
                    .hasMessageContaining("promises 1001 but the channel holds 1000");
            assertThatThrownBy(() -> ledger.accept(voucher(PAYER, channel(2).id(), 100), n(100)))
                    .hasMessageContaining("is unknown to this provider");
            // A voucher signed for another contract's domain is not the channel signer's voucher here.
            Voucher elsewhere = new dev.hypha.chain.channels.VoucherDomain(1, DOMAIN.contract())
                    .sign(c.id(), n(300), data -> Eip712.sign(data, PAYER));
            assertThatThrownBy(() -> ledger.accept(elsewhere, n(100))).hasMessageContaining("not signed");

            assertThat(ledger.accept(voucher(PAYER, c.id(), 300), n(200))).isEqualTo(n(300));
            assertThat(ledger.best(c.id()).orElseThrow().cumulativeAmount()).isEqualTo(n(300));
        }
    }

    @Test
    void theProviderKnowsWhatIsLeftToRedeemAcrossRestarts() {
        ChannelParams a = channel(1);
        ChannelParams b = channel(2);
        Path file = dir.resolve("provider.sqlite");
        try (ProviderLedger ledger = ProviderLedger.open(file, DOMAIN)) {
            ledger.track(a, n(1_000));
            ledger.track(b, n(1_000));
            ledger.track(a, n(10)); // a lower deposit than known (a stale read) changes nothing
            ledger.accept(voucher(PAYER, a.id(), 400), n(400));
            ledger.accept(voucher(PAYER, b.id(), 50), n(50));
        }
        try (ProviderLedger ledger = ProviderLedger.open(file, DOMAIN)) {
            assertThat(ledger.unredeemed()).extracting(r -> r.voucher().cumulativeAmount()).containsExactlyInAnyOrder(n(400), n(50));
            ledger.redeemed(a.id(), n(400));
            ledger.redeemed(b.id(), n(20));
            ledger.redeemed(b.id(), n(10)); // an older chain read never moves it back
            assertThat(ledger.unredeemed()).singleElement().satisfies(r -> {
                assertThat(r.channel()).isEqualTo(b);
                assertThat(r.redeemed()).isEqualTo(n(20));
                assertThat(DOMAIN.isSignedBy(r.voucher(), b.signer())).isTrue();
            });
            assertThat(ledger.accept(voucher(PAYER, a.id(), 999), n(100))).isEqualTo(n(999));
        }
    }

    @Test
    void earningsListEveryChannelWithWhatIsLeftToRedeem() {
        ChannelParams a = channel(1);
        ChannelParams b = channel(2);
        try (ProviderLedger ledger = ProviderLedger.open(dir.resolve("provider.sqlite"), DOMAIN)) {
            assertThat(ledger.earnings()).isEmpty();
            ledger.track(a, n(1_000));
            ledger.track(b, n(700));
            ledger.accept(voucher(PAYER, a.id(), 400), n(400));
            ledger.redeemed(a.id(), n(150));
            List<ProviderLedger.Earning> earnings = ledger.earnings();
            assertThat(earnings).extracting(e -> e.channel().id()).isSorted();
            ProviderLedger.Earning ea = earnings.stream().filter(e -> e.channel().equals(a)).findFirst().orElseThrow();
            assertThat(ea.deposit()).isEqualTo(n(1_000));
            assertThat(ea.best()).isEqualTo(n(400));
            assertThat(ea.charged()).isEqualTo(n(400));
            assertThat(ea.redeemed()).isEqualTo(n(150));
            assertThat(ea.toRedeem()).isEqualTo(n(250));
            ProviderLedger.Earning eb = earnings.stream().filter(e -> e.channel().equals(b)).findFirst().orElseThrow();
            assertThat(eb.deposit()).isEqualTo(n(700));
            assertThat(eb.toRedeem()).as("nothing signed yet").isZero();
        }
    }

    @Test
    void thePayerNeverSignsLessThanBeforeNorMoreThanTheDeposit() {
        ChannelParams c = channel(1);
        Path file = dir.resolve("payer.sqlite");
        try (PayerLedger ledger = PayerLedger.open(file, DOMAIN)) {
            ledger.track(c, n(500));
            Voucher v = ledger.authorize(c.id(), n(200), data -> Eip712.sign(data, PAYER));
            assertThat(DOMAIN.isSignedBy(v, c.signer())).isTrue();
            assertThatThrownBy(() -> ledger.authorize(c.id(), n(199), data -> Eip712.sign(data, PAYER)))
                    .hasMessageContaining("a voucher for 199 would be below the 200 already signed");
            assertThatThrownBy(() -> ledger.authorize(c.id(), n(501), data -> Eip712.sign(data, PAYER)))
                    .hasMessageContaining("holds 500; a voucher for 501 would exceed it: top the channel up");
            assertThatThrownBy(() -> ledger.authorize(channel(9).id(), n(1), data -> Eip712.sign(data, PAYER)))
                    .hasMessageContaining("is not in this payer's ledger");
        }
        try (PayerLedger ledger = PayerLedger.open(file, DOMAIN)) {
            assertThat(ledger.signedTotal(c.id())).isEqualTo(n(200));
            ledger.track(c, n(900)); // topped up on chain
            assertThat(ledger.deposit(c.id())).isEqualTo(n(900));
            assertThat(ledger.channels()).containsExactly(c);
        }
    }

    @Test
    void aTotalIsRecordedBeforeItIsSigned() {
        ChannelParams c = channel(1);
        try (PayerLedger ledger = PayerLedger.open(dir.resolve("payer.sqlite"), DOMAIN)) {
            ledger.track(c, n(500));
            // The signer fails (a locked key, a crash in the middle): the total still counts as signed, so the next
            // voucher can never repeat a total that may have left the machine.
            assertThatThrownBy(() -> ledger.authorize(c.id(), n(100), data -> {
                throw new IllegalStateException("signer died");
            })).hasMessage("signer died");
            assertThat(ledger.signedTotal(c.id())).isEqualTo(n(100));
        }
    }
}

package dev.hypha.node.gateway.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.channels.Receipt;
import dev.hypha.core.crypto.Address;
import dev.hypha.node.gateway.remote.ProviderFault;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.payments.PayerReceipts;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing by reputation: {@link Router} over {@link ProviderStats} whose evidence is kept in real files (the payer's
 * receipts in SQLite, the faults in a {@link ReputationLog}). Each "gateway" here is what {@link PayingGateway} opens:
 * the stats replayed from the files at the injected time, so a restart is closing the files and opening them again.
 */
class ReputationRoutingTest {
    private static final Address TOKEN = address(0x70);
    private static final Address CHEAP = address(0xA1);
    private static final Address MIDDLE = address(0xB2);
    private static final Address DEAR = address(0xC3);
    private static final String MODEL_ID = "0x" + "ab".repeat(32);
    private static final Instant T0 = Instant.parse("2026-12-07T03:00:00Z");

    @TempDir
    Path dir;
    private PayerReceipts receipts;
    private ReputationLog log;

    @BeforeEach
    void open() {
        receipts = PayerReceipts.open(dir.resolve("receipts.sqlite"));
        log = ReputationLog.open(dir.resolve("reputation.sqlite"));
    }

    @AfterEach
    void close() {
        log.close();
        receipts.close();
    }

    /** Closes the files and opens them again, as a gateway started at {@code now} would. */
    private ProviderStats restartedAt(Instant now) {
        close();
        open();
        return ProviderStats.open(log, receipts, now);
    }

    @Test
    void aRestartedGatewayStillRoutesAwayFromAProviderThatFailed() {
        ProviderStats before = ProviderStats.open(log, receipts, T0);
        List<Offer> offers = List.of(offer(CHEAP, 2), offer(DEAR, 3));
        assertThat(providers(before, offers, T0)).containsExactly(CHEAP, DEAR);
        before.failed(CHEAP, ProviderFault.UNREACHABLE, "connection refused", T0);

        ProviderStats after = restartedAt(T0.plusSeconds(1));
        // Cooling down right after the failure, and still less reliable once the cool-down is over: one failure and no
        // answer make its expected price twice its price (4 per million), above the dear provider's 3.
        assertThat(after.standing(CHEAP, T0.plusSeconds(1)).coolingDown()).isTrue();
        assertThat(providers(after, offers, T0.plusSeconds(1))).containsExactly(DEAR, CHEAP);
        assertThat(after.standing(CHEAP, T0.plusSeconds(600)).coolingDown()).isFalse();
        assertThat(providers(after, offers, T0.plusSeconds(600))).containsExactly(DEAR, CHEAP);
        assertThat(after.standing(CHEAP, T0.plusSeconds(600)).lastFault()).hasValueSatisfying(f -> {
            assertThat(f.fault()).isEqualTo(ProviderFault.UNREACHABLE);
            assertThat(f.detail()).isEqualTo("connection refused");
        });
    }

    @Test
    void answersStoredAsReceiptsOutweighAnOldFailureAfterARestart() {
        for (int i = 0; i < 20; i++) {
            receipts.add(new PayerReceipts.Stored(T0.minusSeconds(3600 - i), "m:latest", CHEAP, receipt(i),
                    Optional.of(TOKEN)), "0x00");
        }
        ProviderStats stats = ProviderStats.open(log, receipts, T0);
        stats.failed(CHEAP, ProviderFault.BROKE_OFF, "stream broke off", T0);

        ProviderStats after = restartedAt(T0.plusSeconds(600));
        ProviderStats.Standing cheap = after.standing(CHEAP, T0.plusSeconds(600));
        assertThat(cheap.answers()).isGreaterThan(17); // 20 answers an hour old, decayed by a sixth of their weight
        assertThat(cheap.reliability()).isGreaterThan(0.9);
        assertThat(providers(after, List.of(offer(CHEAP, 2), offer(DEAR, 3)), T0.plusSeconds(600)))
                .containsExactly(CHEAP, DEAR);
    }

    @Test
    void aProviderCaughtCheatingRanksLastEvenBehindOneCoolingDownAndAfterARestart() {
        List<Offer> offers = List.of(offer(CHEAP, 1), offer(MIDDLE, 2), offer(DEAR, 3));
        ProviderStats stats = ProviderStats.open(log, receipts, T0);
        stats.failed(CHEAP, ProviderFault.OVERCHARGED, "price 9 is above the 4 its offer's prices make", T0);
        stats.failed(MIDDLE, ProviderFault.UNREACHABLE, "connection refused", T0.plusSeconds(1200));

        Instant later = T0.plusSeconds(1201);
        assertThat(providers(stats, offers, later)).containsExactly(DEAR, MIDDLE, CHEAP);
        ProviderStats after = restartedAt(later);
        assertThat(providers(after, offers, later)).containsExactly(DEAR, MIDDLE, CHEAP);
        // A day later the slow one is back ahead of the dear one; the cheat is still last.
        Instant dayLater = T0.plus(Duration.ofDays(1));
        assertThat(providers(after, offers, dayLater)).containsExactly(MIDDLE, DEAR, CHEAP);
        assertThat(after.standing(CHEAP, dayLater).caughtCheating()).isTrue();
    }

    @Test
    void decayLetsARecoveredProviderBackIn() {
        List<Offer> offers = List.of(offer(CHEAP, 2), offer(DEAR, 3));
        ProviderStats stats = ProviderStats.open(log, receipts, T0);
        stats.failed(CHEAP, ProviderFault.REFUSED, "answered 503", T0);
        stats.failed(CHEAP, ProviderFault.REFUSED, "answered 503", T0.plusSeconds(10));
        // Two faults: reliability 1/3, expected price 6 per million, after the dear provider's 3.
        assertThat(providers(stats, offers, T0.plusSeconds(3600))).containsExactly(DEAR, CHEAP);
        // Two half-lives later the faults weigh 0.5 together: reliability 2/3, expected price 3, tied with the dear
        // provider's and ranked after it as the less reliable; a day later they weigh 1/16 and it leads again.
        assertThat(providers(stats, offers, T0.plus(ProviderStats.HALF_LIFE.multipliedBy(2))))
                .containsExactly(DEAR, CHEAP);
        Instant dayLater = T0.plus(Duration.ofDays(1));
        assertThat(providers(restartedAt(dayLater), offers, dayLater)).containsExactly(CHEAP, DEAR);
    }

    @Test
    void cheatingDecaysTooButOverWeeks() {
        List<Offer> offers = List.of(offer(CHEAP, 1), offer(DEAR, 3));
        ProviderStats stats = ProviderStats.open(log, receipts, T0);
        stats.failed(CHEAP, ProviderFault.BAD_RECEIPT, "output hash is not the keccak of the text received", T0);
        assertThat(providers(stats, offers, T0.plus(Duration.ofDays(13)))).containsExactly(DEAR, CHEAP);
        Instant month = T0.plus(Duration.ofDays(30));
        assertThat(providers(restartedAt(month), offers, month)).containsExactly(CHEAP, DEAR);
    }

    @Test
    void anAnswerEndsTheCoolDownAndLatencyBreaksTies() {
        List<Offer> offers = List.of(offer(CHEAP, 2), offer(DEAR, 2));
        ProviderStats stats = ProviderStats.open(log, receipts, T0);
        stats.answered(CHEAP, T0, 40_000_000);
        stats.answered(DEAR, T0, 10_000_000);
        assertThat(providers(stats, offers, T0)).containsExactly(DEAR, CHEAP);
        stats.failed(DEAR, ProviderFault.BROKE_OFF, "stream broke off", T0.plusSeconds(1));
        assertThat(stats.standing(DEAR, T0.plusSeconds(2)).coolingDown()).isTrue();
        stats.answered(DEAR, T0.plusSeconds(2), 10_000_000);
        assertThat(stats.standing(DEAR, T0.plusSeconds(2)).coolingDown()).isFalse();
        // The first latency of each was saved, so a restarted gateway knows them too.
        ProviderStats after = restartedAt(T0.plusSeconds(3));
        assertThat(after.standing(CHEAP, T0.plusSeconds(3)).latencyNanos()).isEqualTo(40_000_000);
        assertThat(after.standing(DEAR, T0.plusSeconds(3)).latencyNanos()).isEqualTo(10_000_000);
    }

    @Test
    void faultsOlderThanTheyCanMatterCanBeForgotten() {
        ProviderStats stats = ProviderStats.open(log, receipts, T0);
        stats.failed(CHEAP, ProviderFault.INFLATED_TOKENS, "tokens in/out differ", T0);
        stats.failed(DEAR, ProviderFault.UNREACHABLE, "connection refused", T0.plus(Duration.ofDays(60)));
        Instant later = T0.plus(Duration.ofDays(71));
        assertThat(restartedAt(later).standing(CHEAP, later).cheating()).isZero();
        log.forgetBefore(ProviderStats.forgotten(later)); // as a gateway does when it opens the log
        assertThat(log.since(Instant.EPOCH)).extracting(ReputationLog.Fault::provider).containsExactly(DEAR);
    }

    @Test
    void severalGatewaysFilesReadTogetherGiveOneStanding() {
        ProviderStats.open(log, receipts, T0).failed(CHEAP, ProviderFault.WRONG_TERMS, "asks for payment to another", T0);
        try (ReputationLog other = ReputationLog.open(dir.resolve("other-reputation.sqlite"));
             PayerReceipts otherReceipts = PayerReceipts.open(dir.resolve("other-receipts.sqlite"))) {
            ProviderStats.open(other, otherReceipts, T0).failed(DEAR, ProviderFault.UNREACHABLE, "refused", T0);
            ProviderStats both = ProviderStats.read(List.of(log, other), List.of(receipts, otherReceipts),
                    T0.plusSeconds(1));
            assertThat(both.providers()).containsExactly(CHEAP, DEAR);
            assertThat(both.standing(CHEAP, T0.plusSeconds(1)).caughtCheating()).isTrue();
            assertThat(both.standing(DEAR, T0.plusSeconds(1)).coolingDown()).isTrue();
        }
    }

    @Test
    void aFaultsDetailIsKeptBounded() {
        log.add(new ReputationLog.Fault(T0, CHEAP, ProviderFault.REFUSED, "x".repeat(10_000)));
        assertThat(log.since(T0).getFirst().detail()).hasSize(ReputationLog.MAX_DETAIL + 3);
    }

    private static List<Address> providers(ProviderStats stats, List<Offer> offers, Instant now) {
        return new Router(RoutingPolicy.anyProvider(), Set.of(TOKEN), stats).rank("m", offers, now).stream()
                .map(Offer::provider).toList();
    }

    /** An offer at {@code perMillion} for input and output alike, live for a year (the tests travel in time). */
    private static Offer offer(Address provider, long perMillion) {
        return new Offer(provider, URI.create("http://127.0.0.1:1"), provider, "m", MODEL_ID, TOKEN,
                BigInteger.valueOf(perMillion), BigInteger.valueOf(perMillion), 512, 1, T0.plus(Duration.ofDays(365)));
    }

    private static Receipt receipt(int i) {
        return new Receipt("0x" + "11".repeat(32), MODEL_ID, 3, 5, "0x" + "22".repeat(32), BigInteger.ONE,
                "0x" + "33".repeat(32), BigInteger.valueOf(i + 1));
    }

    private static Address address(int last) {
        return Address.parse(String.format("0x%040x", last));
    }
}

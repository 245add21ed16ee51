package dev.hypha.node.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.channels.Receipt;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PayerReceipts#usage}: sums over a real SQLite file written through {@link PayerReceipts#add}. */
class PayerReceiptsUsageTest {
    private static final Address ALICE = Address.parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static final Address BOB = Address.parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    private static final Address OTHER_TOKEN = Address.parse("0x0000000000000000000000000000000000000abc");
    private static final Optional<Address> HUSD = Optional.of(LedgerFixtures.TOKEN);

    @TempDir
    Path dir;

    @Test
    void sumsPerDayModelProviderAndTokenInAFixedOrder() {
        Path file = dir.resolve("receipts.sqlite");
        try (PayerReceipts r = PayerReceipts.open(file)) {
            add(r, "2026-12-06T23:59:59.999Z", "chat", BOB, 10, 4, 100, HUSD);
            add(r, "2026-12-07T00:00:00Z", "chat", ALICE, 12, 5, 120, HUSD);
            add(r, "2026-12-06T10:00:00Z", "chat", BOB, 3, 2, 50, HUSD);
            add(r, "2026-12-06T11:00:00Z", "big", BOB, 1, 1, 7, Optional.of(OTHER_TOKEN));
            add(r, "2026-12-06T12:00:00Z", "big", BOB, 1, 1, 9, HUSD);
        }
        try (PayerReceipts r = PayerReceipts.open(file)) { // reopened: everything came from the file
            assertThat(r.usage(UsageFilter.ALL)).containsExactly(
                    new Usage("2026-12-06", "big", BOB, Optional.of(OTHER_TOKEN), 1, 1, 1, BigInteger.valueOf(7)),
                    new Usage("2026-12-06", "big", BOB, HUSD, 1, 1, 1, BigInteger.valueOf(9)),
                    new Usage("2026-12-06", "chat", BOB, HUSD, 2, 13, 6, BigInteger.valueOf(150)),
                    new Usage("2026-12-07", "chat", ALICE, HUSD, 1, 12, 5, BigInteger.valueOf(120)));
        }
    }

    @Test
    void filtersBySinceModelAndProvider() {
        try (PayerReceipts r = PayerReceipts.open(dir.resolve("receipts.sqlite"))) {
            add(r, "2026-12-05T08:00:00Z", "chat", BOB, 1, 1, 1, HUSD);
            add(r, "2026-12-06T08:00:00Z", "chat", BOB, 1, 1, 2, HUSD);
            add(r, "2026-12-06T09:00:00Z", "code", BOB, 1, 1, 4, HUSD);
            add(r, "2026-12-07T08:00:00Z", "chat", ALICE, 1, 1, 8, HUSD);
            UsageFilter since = new UsageFilter(Optional.of(LocalDate.parse("2026-12-06")), Optional.empty(), Optional.empty());
            assertThat(r.usage(since)).extracting(Usage::amount).containsExactly(
                    BigInteger.valueOf(2), BigInteger.valueOf(4), BigInteger.valueOf(8));
            UsageFilter chatAtBob = new UsageFilter(Optional.empty(), Optional.of("chat"), Optional.of(BOB));
            assertThat(r.usage(chatAtBob)).extracting(Usage::day).containsExactly("2026-12-05", "2026-12-06");
            UsageFilter none = new UsageFilter(Optional.empty(), Optional.of("chat'; DROP TABLE receipts; --"),
                    Optional.empty());
            assertThat(r.usage(none)).isEmpty();
            assertThat(r.all()).hasSize(4);
        }
    }

    @Test
    void addsAmountsBeyondSixtyFourBitsExactly() {
        BigInteger huge = BigInteger.TWO.pow(200).add(BigInteger.ONE);
        try (PayerReceipts r = PayerReceipts.open(dir.resolve("receipts.sqlite"))) {
            r.add(stored("2026-12-06T08:00:00Z", "chat", BOB, 1, 1, huge, HUSD), "0xsig");
            r.add(stored("2026-12-06T09:00:00Z", "chat", BOB, 1, 1, huge, HUSD), "0xsig");
            r.add(stored("2026-12-06T10:00:00Z", "chat", BOB, 1, 1, BigInteger.valueOf(Long.MAX_VALUE), HUSD), "0xsig");
            assertThat(r.usage(UsageFilter.ALL)).singleElement().extracting(Usage::amount)
                    .isEqualTo(huge.shiftLeft(1).add(BigInteger.valueOf(Long.MAX_VALUE)));
        }
    }

    @Test
    void newestListsTheLastRowsAfterAGivenOneOldestFirst() {
        try (PayerReceipts r = PayerReceipts.open(dir.resolve("receipts.sqlite"))) {
            assertThat(r.newest(0, 10)).isEmpty();
            for (int i = 1; i <= 5; i++) {
                r.add(stored("2026-12-06T0" + i + ":00:00Z", "chat", BOB, i, i, BigInteger.valueOf(i), HUSD), "0xsig" + i);
            }
            assertThat(r.newest(0, 2)).extracting(PayerReceipts.Numbered::seq).containsExactly(4L, 5L);
            assertThat(r.newest(0, 2)).extracting(PayerReceipts.Numbered::signature).containsExactly("0xsig4", "0xsig5");
            assertThat(r.newest(3, 10)).extracting(n -> n.stored().receipt().price())
                    .containsExactly(BigInteger.valueOf(4), BigInteger.valueOf(5));
            assertThat(r.newest(5, 10)).isEmpty();
            assertThatThrownBy(() -> r.newest(0, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("limit must be >= 1");
        }
    }

    @Test
    void anEmptyStoreHasNoUsage() {
        try (PayerReceipts r = PayerReceipts.open(dir.resolve("receipts.sqlite"))) {
            assertThat(r.usage(UsageFilter.ALL)).isEmpty();
        }
    }

    @Test
    void aFileWrittenBeforeTheTokenColumnGainsItAndKeepsItsReceipts() throws Exception {
        Path file = dir.resolve("old.sqlite");
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = db.createStatement()) {
            s.execute("CREATE TABLE receipts (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, model TEXT NOT NULL,"
                    + " provider TEXT NOT NULL, channel TEXT NOT NULL, request_hash TEXT NOT NULL, model_id TEXT NOT NULL,"
                    + " tokens_in INTEGER NOT NULL, tokens_out INTEGER NOT NULL, output_hash TEXT NOT NULL,"
                    + " price TEXT NOT NULL, cumulative TEXT NOT NULL, signature TEXT NOT NULL)");
            s.execute("INSERT INTO receipts (at, model, provider, channel, request_hash, model_id, tokens_in, tokens_out,"
                    + " output_hash, price, cumulative, signature) VALUES ('2026-12-01T00:00:00Z', 'chat', '"
                    + BOB.lowercaseHex() + "', '" + hash(9) + "', '" + hash(1) + "', '" + hash(2) + "', 3, 4, '"
                    + hash(3) + "', '70', '70', '0xsig')");
        }
        try (PayerReceipts r = PayerReceipts.open(file)) {
            assertThat(r.charged(hash(9))).isEqualTo(70);
            add(r, "2026-12-01T01:00:00Z", "chat", BOB, 1, 1, 5, HUSD);
            assertThat(r.usage(UsageFilter.ALL)).containsExactly(
                    new Usage("2026-12-01", "chat", BOB, Optional.empty(), 1, 3, 4, BigInteger.valueOf(70)),
                    new Usage("2026-12-01", "chat", BOB, HUSD, 1, 1, 1, BigInteger.valueOf(5)));
            assertThat(r.all()).extracting(PayerReceipts.Stored::token).containsExactly(Optional.empty(), HUSD);
        }
        try (PayerReceipts again = PayerReceipts.open(file)) { // the migration runs once, a second open changes nothing
            assertThat(again.all()).hasSize(2);
        }
    }

    @Test
    void aReceiptWithoutTokenTakesItsChannelsTokenFromThePayerLedger() {
        Path ledgerFile = dir.resolve("payer.sqlite");
        dev.hypha.chain.channels.ChannelParams channel = LedgerFixtures.channel(1);
        try (PayerLedger ledger = PayerLedger.open(ledgerFile, LedgerFixtures.DOMAIN)) {
            ledger.track(channel, BigInteger.valueOf(1_000));
        }
        try (PayerReceipts r = PayerReceipts.open(dir.resolve("receipts.sqlite"))) {
            Receipt onChannel = new Receipt(hash(1), hash(2), 3, 4, hash(3), BigInteger.TEN, channel.id(), BigInteger.TEN);
            r.add(new PayerReceipts.Stored(Instant.parse("2026-12-06T08:00:00Z"), "chat", BOB, onChannel, java.util.Optional.empty()), "0xsig");
            add(r, "2026-12-06T09:00:00Z", "chat", BOB, 1, 1, 5, Optional.empty()); // a channel the ledger never saw
            assertThat(r.usage(UsageFilter.ALL)).extracting(Usage::token).containsExactly(Optional.empty());
            assertThat(r.usage(UsageFilter.ALL, Optional.of(ledgerFile))).containsExactly(
                    new Usage("2026-12-06", "chat", BOB, Optional.empty(), 1, 1, 1, BigInteger.valueOf(5)),
                    new Usage("2026-12-06", "chat", BOB, HUSD, 1, 3, 4, BigInteger.TEN));
            // a missing ledger file is no error and creates nothing
            assertThat(r.usage(UsageFilter.ALL, Optional.of(dir.resolve("none.sqlite")))).hasSize(1);
            assertThat(dir.resolve("none.sqlite")).doesNotExist();
            // the connection still writes after the query (autocommit restored, ledger detached)
            add(r, "2026-12-07T09:00:00Z", "chat", BOB, 1, 1, 5, HUSD);
            assertThat(r.all()).hasSize(3);
        }
    }

    @Test
    void theFourPartStoredKeepsWorkingWithoutAToken() {
        try (PayerReceipts r = PayerReceipts.open(dir.resolve("receipts.sqlite"))) {
            PayerReceipts.Stored s = stored("2026-12-06T08:00:00Z", "chat", BOB, 2, 3, BigInteger.TEN, Optional.empty());
            r.add(new PayerReceipts.Stored(s.at(), s.model(), s.provider(), s.receipt(), java.util.Optional.empty()), "0xsig");
            assertThat(r.all()).singleElement().satisfies(x -> assertThat(x.token()).isEmpty());
            assertThat(r.usage(UsageFilter.ALL)).singleElement().extracting(Usage::token).isEqualTo(Optional.empty());
        }
    }

    private static int channels;

    private static void add(PayerReceipts r, String at, String model, Address provider, long in, long out, long price,
                            Optional<Address> token) {
        r.add(stored(at, model, provider, in, out, BigInteger.valueOf(price), token), "0xsig");
    }

    private static PayerReceipts.Stored stored(String at, String model, Address provider, long in, long out,
                                               BigInteger price, Optional<Address> token) {
        Receipt receipt = new Receipt(hash(1), hash(2), in, out, hash(3), price, hash(100 + channels++), price);
        return new PayerReceipts.Stored(Instant.parse(at), model, provider, receipt, token);
    }

    private static String hash(int n) {
        return "0x" + "%064x".formatted(n);
    }
}

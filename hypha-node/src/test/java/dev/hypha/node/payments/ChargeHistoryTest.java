package dev.hypha.node.payments;

import static dev.hypha.node.payments.LedgerFixtures.DOMAIN;
import static dev.hypha.node.payments.LedgerFixtures.PAYER;
import static dev.hypha.node.payments.LedgerFixtures.channel;
import static dev.hypha.node.payments.LedgerFixtures.voucher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider ledger's charge history (issue 17): each charge recorded in the charge's own transaction, an older
 * ledger file gaining the history on open, and the earnings query bounded in time, buckets and rows.
 */
class ChargeHistoryTest {
    private static final String MODEL_A = "0x" + "aa".repeat(32);
    private static final String MODEL_B = "0x" + "bb".repeat(32);
    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
    private static final Duration MINUTE = Duration.ofMinutes(1);

    @TempDir
    Path dir;

    private static BigInteger n(long v) {
        return BigInteger.valueOf(v);
    }

    private Path file() {
        return dir.resolve("provider.sqlite");
    }

    private ProviderLedger open() {
        return ProviderLedger.open(file(), DOMAIN);
    }

    private static ChargeHistory.Charge at(Instant at, String model, String name, long in, long out) {
        return new ChargeHistory.Charge(at, model, name, in, out);
    }

    /** Reserves {@code max} on a voucher of {@code voucherTotal} and charges {@code actual} with its history. */
    private static BigInteger charge(ProviderLedger ledger, ChannelParams c, long voucherTotal, long actual,
                                     ChargeHistory.Charge what) {
        return ledger.charge(ledger.reserve(voucher(PAYER, c.id(), voucherTotal), n(100)), n(actual), what);
    }

    private static ChargeHistory.Window hour() {
        return new ChargeHistory.Window(T0, T0.plus(Duration.ofHours(1)), MINUTE);
    }

    @Test
    void eachChargeIsRecordedWithItsTimeModelAndTokensAndSummedPerModelAndBucketAfterARestart() {
        ChannelParams c = channel(1);
        ChannelParams d = channel(2);
        try (ProviderLedger ledger = open()) {
            ledger.track(c, n(10_000));
            ledger.track(d, n(10_000));
            charge(ledger, c, 100, 30, at(T0.plusSeconds(5), MODEL_A, "tiny", 10, 2));
            charge(ledger, c, 200, 40, at(T0.plusSeconds(50), MODEL_A.toUpperCase().replace("0X", "0x"), "tiny:latest", 7, 3));
            charge(ledger, d, 100, 25, at(T0.plusSeconds(61), MODEL_A, "tiny", 1, 1));
            charge(ledger, d, 200, 60, at(T0.plusSeconds(130), MODEL_B, "big", 20, 20));
            // the tally and the channel totals are those of a charge without history
            assertThat(ledger.charged(c.id())).isEqualTo(n(70));
            assertThat(ledger.modelTallies()).extracting(ProviderLedger.ModelTally::tokens).containsExactly(24L, 40L);
            assertThat(ledger.newestCharge()).isEqualTo(4);
        }
        try (ProviderLedger ledger = open()) {
            ChargeHistory.Series s = ledger.earningsOverTime(hour());
            assertThat(s.chargesRead()).isEqualTo(4);
            assertThat(s.truncated()).isFalse();
            assertThat(s.models()).containsExactly(
                    new ChargeHistory.ModelSeries(MODEL_A, "tiny", List.of(
                            new ChargeHistory.Bucket(T0.toEpochMilli(), n(70), 17, 5, 2),
                            new ChargeHistory.Bucket(T0.plus(MINUTE).toEpochMilli(), n(25), 1, 1, 1)), n(95)),
                    new ChargeHistory.ModelSeries(MODEL_B, "big", List.of(
                            new ChargeHistory.Bucket(T0.plus(MINUTE.multipliedBy(2)).toEpochMilli(), n(60), 20, 20, 1)),
                            n(60)));
        }
    }

    @Test
    void aChargeWithoutHistoryAndARefusedChargeRecordNothingInIt() {
        ChannelParams c = channel(1);
        try (ProviderLedger ledger = open()) {
            ledger.track(c, n(1_000));
            ledger.charge(ledger.reserve(voucher(PAYER, c.id(), 100), n(100)), n(30), MODEL_A, 12); // tally only
            ledger.charge(ledger.reserve(voucher(PAYER, c.id(), 200), n(100)), n(0)); // no model: a failed answer
            ProviderLedger.Reservation r = ledger.reserve(voucher(PAYER, c.id(), 300), n(100));
            assertThatThrownBy(() -> ledger.charge(r, n(101), at(T0, MODEL_A, "tiny", 1, 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved 100");
            assertThat(ledger.newestCharge()).isZero();
            assertThat(ledger.earningsOverTime(hour()).models()).isEmpty();
        }
    }

    @Test
    void whenTheHistoryRowCannotBeWrittenTheChargeAndItsTallyRollBackWithIt() throws SQLException {
        ChannelParams c = channel(1);
        try (ProviderLedger ledger = open()) {
            ledger.track(c, n(1_000));
            charge(ledger, c, 100, 30, at(T0, MODEL_A, "tiny", 3, 3));
        }
        // A trigger that refuses every further history row: the only way to make that insert fail from outside.
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file()); Statement s = db.createStatement()) {
            s.execute("CREATE TRIGGER refuse BEFORE INSERT ON charge_history BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
        }
        try (ProviderLedger ledger = open()) {
            ProviderLedger.Reservation r = ledger.reserve(voucher(PAYER, c.id(), 200), n(100));
            assertThatThrownBy(() -> ledger.charge(r, n(50), at(T0.plusSeconds(1), MODEL_A, "tiny", 5, 5)))
                    .isInstanceOf(HyphaException.class).hasMessageContaining("record a charge").hasMessageContaining("disk says no");
            // rolled back to before the charge: the reservation (committed before) still counts, the 50 does not
            assertThat(ledger.charged(c.id())).isEqualTo(n(130));
            assertThat(ledger.modelTallies()).singleElement().satisfies(t -> {
                assertThat(t.charged()).isEqualTo(n(30));
                assertThat(t.tokens()).isEqualTo(6);
            });
            assertThat(ledger.earningsOverTime(hour()).chargesRead()).isEqualTo(1);
        }
    }

    @Test
    void aLedgerWrittenBeforeTheHistoryExistedOpensKeepsItsTotalsAndStartsRecording() throws SQLException {
        ChannelParams c = channel(1);
        try (ProviderLedger ledger = open()) {
            ledger.track(c, n(1_000));
            ledger.charge(ledger.reserve(voucher(PAYER, c.id(), 100), n(100)), n(30), MODEL_A, 12);
        }
        // Back to the schema before issue 17: the same tables, without the history.
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file()); Statement s = db.createStatement()) {
            s.execute("DROP TABLE charge_history");
            assertThat(tables(s)).containsExactly("channels", "model_routed", "model_tally", "royalty_pending");
        }
        try (ProviderLedger ledger = open()) {
            assertThat(ledger.charged(c.id())).isEqualTo(n(30));
            assertThat(ledger.earningsOverTime(hour()).models()).as("no history before the upgrade").isEmpty();
            charge(ledger, c, 200, 40, at(T0.plusSeconds(1), MODEL_A, "tiny", 4, 4));
            assertThat(ledger.charged(c.id())).isEqualTo(n(70));
            assertThat(ledger.earningsOverTime(hour()).models()).singleElement()
                    .satisfies(m -> assertThat(m.total()).isEqualTo(n(40)));
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file()); Statement s = db.createStatement()) {
            assertThat(tables(s)).contains("charge_history");
        }
    }

    private static List<String> tables(Statement s) throws SQLException {
        List<String> out = new java.util.ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'"
                + " AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void theWindowIsHalfOpenAndTheRowCapKeepsTheNewestCharges() throws SQLException {
        ChannelParams c = channel(1);
        try (ProviderLedger ledger = open()) {
            ledger.track(c, n(10_000));
            charge(ledger, c, 100, 1, at(T0.minusMillis(1), MODEL_A, "tiny", 1, 0)); // before the window
            charge(ledger, c, 200, 2, at(T0, MODEL_A, "tiny", 1, 0)); // its first instant
            charge(ledger, c, 300, 4, at(T0.plus(Duration.ofMinutes(59)), MODEL_A, "tiny", 1, 0));
            charge(ledger, c, 400, 8, at(T0.plus(Duration.ofHours(1)), MODEL_A, "tiny", 1, 0)); // its end: outside
            ChargeHistory.Series s = ledger.earningsOverTime(hour());
            assertThat(s.chargesRead()).isEqualTo(2);
            assertThat(s.models().getFirst().total()).isEqualTo(n(6));
            assertThat(s.models().getFirst().buckets()).extracting(ChargeHistory.Bucket::startMillis)
                    .containsExactly(T0.toEpochMilli(), T0.plus(Duration.ofMinutes(59)).toEpochMilli());
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file())) {
            ChargeHistory.Window all = new ChargeHistory.Window(T0.minus(MINUTE), T0.plus(Duration.ofHours(2)), MINUTE);
            ChargeHistory.Series capped = ChargeHistory.query(db, all, 2);
            assertThat(capped.truncated()).isTrue();
            assertThat(capped.chargesRead()).isEqualTo(2);
            assertThat(capped.models().getFirst().total()).as("the two newest: 4 + 8").isEqualTo(n(12));
            assertThat(ChargeHistory.query(db, all, 4).truncated()).isFalse();
            assertThatThrownBy(() -> ChargeHistory.query(db, all, 0)).hasMessageContaining("at least 1 charge");
        }
    }

    @Test
    void hostileOrEmptyInputIsRefusedNamingWhatWasWrong() {
        assertThatThrownBy(() -> new ChargeHistory.Window(T0, T0, MINUTE)).hasMessageContaining("ends after it starts");
        assertThatThrownBy(() -> new ChargeHistory.Window(T0, T0.minusSeconds(1), MINUTE)).hasMessageContaining("ends after");
        assertThatThrownBy(() -> new ChargeHistory.Window(T0, T0.plusSeconds(60), Duration.ZERO)).hasMessageContaining("at least 1 ms");
        assertThatThrownBy(() -> new ChargeHistory.Window(T0, T0.plusSeconds(60), Duration.ofSeconds(-1)))
                .hasMessageContaining("at least 1 ms");
        assertThatThrownBy(() -> ChargeHistory.Window.ending(T0, Duration.ofDays(365), MINUTE))
                .hasMessageContaining("at most " + ChargeHistory.MAX_BUCKETS);
        assertThat(new ChargeHistory.Window(T0, T0.plus(MINUTE.multipliedBy(ChargeHistory.MAX_BUCKETS)), MINUTE)).isNotNull();
        assertThatThrownBy(() -> at(T0, MODEL_A, " ", 1, 1)).hasMessageContaining("1 to 256 characters");
        assertThatThrownBy(() -> at(T0, MODEL_A, "m".repeat(257), 1, 1)).hasMessageContaining("not 257");
        assertThatThrownBy(() -> at(T0, MODEL_A, "tiny", -1, 1)).hasMessageContaining("0 or more tokens");
        assertThatThrownBy(() -> at(T0, MODEL_A, "tiny", 1, -1)).hasMessageContaining("0 or more tokens");
        assertThatThrownBy(() -> at(T0, MODEL_A, "tiny", Long.MAX_VALUE, 1).tokens()).isInstanceOf(ArithmeticException.class);

        ChannelParams c = channel(1);
        try (ProviderLedger ledger = open()) {
            assertThat(ledger.earningsOverTime(hour()).models()).as("an empty ledger").isEmpty();
            assertThat(ledger.newestCharge()).isZero();
            ledger.track(c, n(1_000));
            // a name made to look like SQL is stored and read back as text
            String odd = "x'); DROP TABLE channels; --";
            charge(ledger, c, 100, 9, at(T0, MODEL_A, odd, 0, 0));
            assertThat(ledger.earningsOverTime(hour()).models()).singleElement()
                    .satisfies(m -> assertThat(m.modelName()).isEqualTo(odd));
            assertThat(ledger.charged(c.id())).isEqualTo(n(9));
        }
    }
}

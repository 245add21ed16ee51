package dev.hypha.node.payments;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A provider's charges one by one (when, which model, which channel, tokens, amount), written by {@link ProviderLedger}
 * in the transaction of the charge itself, and the bounded query that turns them into earnings over time per model.
 * Its own class so the ledger keeps to vouchers and totals; it works on the ledger's connection, under the ledger's
 * lock.
 */
public final class ChargeHistory {
    /** A window cut into more buckets than this is refused (a chart has no use for more points). */
    public static final int MAX_BUCKETS = 2_000;
    /** A model name longer than this is refused: it would only bloat every row and chart label. */
    public static final int MAX_MODEL_NAME = 256;

    /**
     * Schema: one row per charge. Added by issue 17; {@code IF NOT EXISTS} is the migration for a ledger written
     * before it (its older charges stay in the totals and tallies only, the history starts at the upgrade).
     */
    static final List<String> DDL = List.of(
            "CREATE TABLE IF NOT EXISTS charge_history (seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL,"
                    + " channel TEXT NOT NULL, model TEXT NOT NULL, model_name TEXT NOT NULL,"
                    + " tokens_in INTEGER NOT NULL, tokens_out INTEGER NOT NULL, amount TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS charge_history_at ON charge_history (at_ms)");

    private ChargeHistory() {}

    /**
     * What a charge records besides its channel and amount.
     *
     * @param at        the provider's clock when the answer was charged
     * @param modelId   the model's content digest, as receipts name it
     * @param modelName the name the request asked for (what a person reads on the chart)
     * @param tokensIn  prompt tokens
     * @param tokensOut generated tokens
     */
    public record Charge(Instant at, String modelId, String modelName, long tokensIn, long tokensOut) {
        public Charge {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(modelId, "modelId");
            Objects.requireNonNull(modelName, "modelName");
            if (modelName.isBlank() || modelName.length() > MAX_MODEL_NAME) {
                throw new IllegalArgumentException("a charged model's name has 1 to " + MAX_MODEL_NAME
                        + " characters, not " + modelName.length());
            }
            if (tokensIn < 0 || tokensOut < 0) {
                throw new IllegalArgumentException("an answer counts 0 or more tokens, not " + tokensIn + " in and "
                        + tokensOut + " out");
            }
            modelId = modelId.toLowerCase(Locale.ROOT);
        }

        long tokens() {
            return Math.addExact(tokensIn, tokensOut);
        }
    }

    /**
     * The stretch of time to chart, [{@code from}, {@code to}), cut into buckets of {@code bucket} starting at
     * {@code from}.
     */
    public record Window(Instant from, Instant to, Duration bucket) {
        public Window {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(bucket, "bucket");
            if (!from.isBefore(to)) {
                throw new IllegalArgumentException("an earnings window ends after it starts, not " + from + " to " + to);
            }
            if (bucket.toMillis() <= 0) {
                throw new IllegalArgumentException("an earnings bucket lasts at least 1 ms, not " + bucket);
            }
            long buckets = ceilDiv(Duration.between(from, to).toMillis(), bucket.toMillis());
            if (buckets > MAX_BUCKETS) {
                throw new IllegalArgumentException("an earnings window of " + Duration.between(from, to) + " in buckets of "
                        + bucket + " has " + buckets + " buckets; at most " + MAX_BUCKETS);
            }
        }

        /** The window of {@code length} ending at {@code to}. */
        public static Window ending(Instant to, Duration length, Duration bucket) {
            return new Window(to.minus(length), to, bucket);
        }

        long bucketStart(long atMillis) {
            long step = bucket.toMillis();
            long offset = atMillis - from.toEpochMilli();
            return from.toEpochMilli() + offset / step * step; // offset >= 0: the query reads only rows in the window
        }

        private static long ceilDiv(long a, long b) {
            return -Math.floorDiv(-a, b);
        }
    }

    /** One bucket's charges of one model: the bucket's start (epoch ms), their sum, tokens and how many. */
    public record Bucket(long startMillis, BigInteger amount, long tokensIn, long tokensOut, int charges) {}

    /**
     * One model's earnings over the window: only the buckets it was charged in, oldest first, and their sum.
     * {@code modelName} is the newest name it was asked for in the window.
     */
    public record ModelSeries(String modelId, String modelName, List<Bucket> buckets, BigInteger total) {}

    /**
     * Earnings over a window per model, in model-id order. {@code truncated} when the window held more charges than
     * the query reads: then only the newest {@code chargesRead} are in it.
     */
    public record Series(Window window, List<ModelSeries> models, int chargesRead, boolean truncated) {}

    static void insert(Connection db, String channel, Charge charge, BigInteger amount) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO charge_history"
                + " (at_ms, channel, model, model_name, tokens_in, tokens_out, amount) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, charge.at().toEpochMilli());
            ps.setString(2, channel);
            ps.setString(3, charge.modelId());
            ps.setString(4, charge.modelName());
            ps.setLong(5, charge.tokensIn());
            ps.setLong(6, charge.tokensOut());
            ps.setString(7, amount.toString());
            ps.executeUpdate();
        }
    }

    /** The newest charge's number, 0 before any: changes with every charge recorded (for the dashboard's live tick). */
    static long newest(Connection db) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(seq) FROM charge_history")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * Sums the window's charges per model and bucket, reading at most {@code maxRows} of them (the newest). Amounts are
     * summed here with BigInteger, not by SQLite, whose SUM would overflow or turn to floating point for 18-decimal
     * token amounts; the row cap is what bounds that work.
     */
    static Series query(Connection db, Window window, int maxRows) throws SQLException {
        if (maxRows < 1) {
            throw new IllegalArgumentException("an earnings query reads at least 1 charge, not " + maxRows);
        }
        // TreeMaps: the same rows always give the same series in the same order.
        Map<String, Map<Long, Bucket>> perModel = new TreeMap<>();
        Map<String, String> names = new TreeMap<>();
        int read = 0;
        boolean truncated = false;
        try (PreparedStatement ps = db.prepareStatement("SELECT at_ms, model, model_name, tokens_in, tokens_out, amount"
                + " FROM charge_history WHERE at_ms >= ? AND at_ms < ? ORDER BY at_ms DESC, seq DESC LIMIT ?")) {
            ps.setLong(1, window.from().toEpochMilli());
            ps.setLong(2, window.to().toEpochMilli());
            ps.setInt(3, maxRows == Integer.MAX_VALUE ? maxRows : maxRows + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (read == maxRows) {
                        truncated = true;
                        break;
                    }
                    read++;
                    String model = rs.getString("model");
                    names.putIfAbsent(model, rs.getString("model_name")); // newest first: the newest name wins
                    long start = window.bucketStart(rs.getLong("at_ms"));
                    Bucket row = new Bucket(start, new BigInteger(rs.getString("amount")), rs.getLong("tokens_in"),
                            rs.getLong("tokens_out"), 1);
                    perModel.computeIfAbsent(model, m -> new TreeMap<>()).merge(start, row, ChargeHistory::add);
                }
            }
        }
        List<ModelSeries> models = new ArrayList<>();
        perModel.forEach((model, buckets) -> models.add(new ModelSeries(model, names.get(model),
                List.copyOf(buckets.values()),
                buckets.values().stream().map(Bucket::amount).reduce(BigInteger.ZERO, BigInteger::add))));
        return new Series(window, List.copyOf(models), read, truncated);
    }

    private static Bucket add(Bucket a, Bucket b) {
        return new Bucket(a.startMillis(), a.amount().add(b.amount()), Math.addExact(a.tokensIn(), b.tokensIn()),
                Math.addExact(a.tokensOut(), b.tokensOut()), Math.addExact(a.charges(), b.charges()));
    }
}

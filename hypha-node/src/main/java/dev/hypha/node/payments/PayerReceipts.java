package dev.hypha.node.payments;

import dev.hypha.chain.channels.Receipt;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The receipts a payer accepted, kept durably (SQLite, one transaction per receipt, written before the answer is
 * released) so spending can be summed per model, provider and day later ({@code hypha usage}), and so the charged
 * total a channel's provider reported last survives restarts: the next voucher is priced from it.
 */
public final class PayerReceipts implements AutoCloseable {
    private final LedgerDb store;

    /**
     * One accepted receipt with what it was for.
     *
     * @param token the channel's payment token; empty when the payer did not say (and for receipts stored before the
     *              token was recorded), in which case {@code hypha usage} shows bare smallest units
     */
    public record Stored(Instant at, String model, Address provider, Receipt receipt, Optional<Address> token) {
        public Stored {
            java.util.Objects.requireNonNull(token, "token");
        }
    }

    private PayerReceipts(Path file) {
        this.store = new LedgerDb(file, List.of("CREATE TABLE IF NOT EXISTS receipts (seq INTEGER PRIMARY KEY"
                + " AUTOINCREMENT, at TEXT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL, channel TEXT NOT NULL,"
                + " request_hash TEXT NOT NULL, model_id TEXT NOT NULL, tokens_in INTEGER NOT NULL,"
                + " tokens_out INTEGER NOT NULL, output_hash TEXT NOT NULL, price TEXT NOT NULL,"
                + " cumulative TEXT NOT NULL, signature TEXT NOT NULL, token TEXT, opml TEXT)"));
        try {
            addColumnToOldFiles("token");
            addColumnToOldFiles("opml");
            DecimalSum.register(store.db);
        } catch (SQLException e) {
            throw store.fail("prepare the receipts of " + file, e);
        }
    }

    /** Files written before column {@code name} existed get it (NULL in their old rows); one transaction, once. */
    private void addColumnToOldFiles(String name) throws SQLException {
        try (PreparedStatement ps = store.db.prepareStatement("SELECT 1 FROM pragma_table_info('receipts')"
                + " WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (PreparedStatement ps = store.db.prepareStatement("ALTER TABLE receipts ADD COLUMN " + name + " TEXT")) {
            ps.executeUpdate();
        }
        store.db.commit();
    }

    /** Opens (or creates) the receipt store: its own file beside the payer ledger (one writer connection per file). */
    public static PayerReceipts open(Path file) {
        return new PayerReceipts(file);
    }

    /** Records an accepted receipt and its signature. */
    public void add(Stored s, String signature) {
        add(s, signature, Optional.empty());
    }

    /**
     * Records an accepted receipt, its signature and the answer's opML commitment ({@code ReceiptHeaders.opmlJson}) when
     * it came with one: what {@code hypha verifier opml} replays.
     */
    public synchronized void add(Stored s, String signature, Optional<String> opml) {
        Receipt r = s.receipt();
        try (PreparedStatement ps = store.db.prepareStatement("INSERT INTO receipts (at, model, provider, channel,"
                + " request_hash, model_id, tokens_in, tokens_out, output_hash, price, cumulative, signature, token, opml)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, s.at().toString());
            ps.setString(2, s.model());
            ps.setString(3, s.provider().lowercaseHex());
            ps.setString(4, r.channelId().toLowerCase(Locale.ROOT));
            ps.setString(5, r.requestHash());
            ps.setString(6, r.modelId());
            ps.setLong(7, r.tokensIn());
            ps.setLong(8, r.tokensOut());
            ps.setString(9, r.outputHash());
            ps.setString(10, r.price().toString());
            ps.setString(11, r.cumulativeAmount().toString());
            ps.setString(12, signature);
            ps.setString(13, s.token().map(Address::lowercaseHex).orElse(null));
            ps.setString(14, opml.orElse(null));
            ps.executeUpdate();
            store.db.commit();
        } catch (SQLException e) {
            throw store.fail("record a receipt on " + r.channelId(), e);
        }
    }

    /** One stored opML commitment (JSON) with its row number. */
    public record OpmlRow(long seq, String opml) {}

    /**
     * The opML commitments stored after row {@code afterSeq}, oldest first, at most {@code limit}: a reader polling with
     * its last seen row does bounded work.
     */
    public synchronized List<OpmlRow> opmlAfter(long afterSeq, int limit) {
        List<OpmlRow> out = new ArrayList<>();
        try (PreparedStatement ps = store.db.prepareStatement("SELECT seq, opml FROM receipts WHERE seq > ?"
                + " AND opml IS NOT NULL ORDER BY seq LIMIT ?")) {
            ps.setLong(1, afterSeq);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new OpmlRow(rs.getLong(1), rs.getString(2)));
                }
            }
            // this connection keeps a transaction open: end the read one, so the next read sees newer rows
            store.db.commit();
            return List.copyOf(out);
        } catch (SQLException e) {
            throw store.fail("list the opML commitments", e);
        }
    }

    /** The charged total the newest receipt on a channel reported (0 before any). */
    public synchronized BigInteger charged(String channelId) {
        try (PreparedStatement ps = store.db.prepareStatement(
                "SELECT cumulative FROM receipts WHERE channel = ? ORDER BY seq DESC LIMIT 1")) {
            ps.setString(1, channelId.toLowerCase(Locale.ROOT));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new BigInteger(rs.getString(1)) : BigInteger.ZERO;
            }
        } catch (SQLException e) {
            throw store.fail("read the charged total of " + channelId, e);
        }
    }

    /**
     * How many receipts each provider gave since {@code since}, per UTC hour (the newest receipt's time in each hour),
     * in provider and hour order: the evidence of answers a gateway's routing replays at start. Grouped in SQL, so the
     * rows are at most providers x hours, however many receipts there are.
     */
    public synchronized List<Answers> answersSince(Instant since) {
        List<Answers> out = new ArrayList<>();
        // at is an ISO-8601 instant in UTC (Instant.toString): its first 13 characters are the hour, text order is time
        try (PreparedStatement ps = store.db.prepareStatement("SELECT provider, max(at) AS latest, count(*) AS answers"
                + " FROM receipts WHERE at >= ? GROUP BY provider, substr(at, 1, 13) ORDER BY provider, latest")) {
            ps.setString(1, since.toString());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Answers(Address.parse(rs.getString("provider")), Instant.parse(rs.getString("latest")),
                            rs.getLong("answers")));
                }
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw store.fail("count the receipts since " + since, e);
        }
    }

    /** {@code count} receipts from {@code provider}, the newest at {@code latest}. */
    public record Answers(Address provider, Instant latest, long count) {}

    /** Every stored receipt, oldest first. */
    public synchronized List<Stored> all() {
        List<Stored> out = new ArrayList<>();
        try (PreparedStatement ps = store.db.prepareStatement("SELECT * FROM receipts ORDER BY seq");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(stored(rs));
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw store.fail("list receipts", e);
        }
    }

    /** A stored receipt with its row number (ascending in storing order) and signature, as the dashboard lists them. */
    public record Numbered(long seq, Stored stored, String signature) {}

    /**
     * The newest {@code limit} receipts stored after row {@code afterSeq} (0: from the start), oldest first. Bounded by
     * {@code limit} however many receipts there are, so a reader polling with its last seen row does constant work.
     */
    public synchronized List<Numbered> newest(long afterSeq, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        List<Numbered> out = new ArrayList<>();
        try (PreparedStatement ps = store.db.prepareStatement("SELECT * FROM (SELECT * FROM receipts WHERE seq > ?"
                + " ORDER BY seq DESC LIMIT ?) ORDER BY seq")) {
            ps.setLong(1, afterSeq);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Numbered(rs.getLong("seq"), stored(rs), rs.getString("signature")));
                }
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw store.fail("list the newest receipts", e);
        }
    }

    private static Stored stored(ResultSet rs) throws SQLException {
        return new Stored(Instant.parse(rs.getString("at")), rs.getString("model"),
                Address.parse(rs.getString("provider")), new Receipt(rs.getString("request_hash"),
                rs.getString("model_id"), rs.getLong("tokens_in"), rs.getLong("tokens_out"),
                rs.getString("output_hash"), new BigInteger(rs.getString("price")), rs.getString("channel"),
                new BigInteger(rs.getString("cumulative"))), token(rs.getString("token")));
    }

    /**
     * Spending summed per UTC day, model, provider and token, in that order (so the same receipts always print the
     * same rows). The grouping and sums run in SQL; amounts are added exactly ({@link DecimalSum}).
     */
    public List<Usage> usage(UsageFilter filter) {
        return usage(filter, Optional.empty());
    }

    /**
     * Like {@link #usage(UsageFilter)}, taking the token of a receipt stored without one from the channel it was paid
     * on, as the payer's {@link PayerLedger} file recorded it (attached for the query, only read; ignored when it does
     * not exist or holds no channels table).
     */
    public synchronized List<Usage> usage(UsageFilter filter, Optional<Path> payerLedger) {
        try {
            // ATTACH is refused inside a transaction, and this connection otherwise always has one open
            store.db.commit();
            store.db.setAutoCommit(true);
            try {
                boolean ledger = payerLedger.isPresent() && attach(payerLedger.get());
                try {
                    return query(filter, ledger);
                } finally {
                    if (ledger) {
                        try (Statement s = store.db.createStatement()) {
                            s.execute("DETACH DATABASE ledger");
                        }
                    }
                }
            } finally {
                store.db.setAutoCommit(false);
            }
        } catch (SQLException e) {
            throw store.fail("sum the receipts' spending", e);
        }
    }

    private boolean attach(Path ledger) throws SQLException {
        if (!Files.isRegularFile(ledger)) {
            return false;
        }
        try (PreparedStatement ps = store.db.prepareStatement("ATTACH DATABASE ? AS ledger")) {
            ps.setString(1, ledger.toAbsolutePath().toString()); // only read: a SELECT below, then DETACH
            ps.execute();
        }
        try (Statement s = store.db.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM ledger.sqlite_master WHERE type = 'table' AND name = 'channels'")) {
            if (rs.next()) {
                return true;
            }
        }
        try (Statement s = store.db.createStatement()) {
            s.execute("DETACH DATABASE ledger");
        }
        return false;
    }

    private List<Usage> query(UsageFilter filter, boolean ledger) throws SQLException {
        String token = ledger ? "COALESCE(token, (SELECT l.token FROM ledger.channels l WHERE l.id = channel))" : "token";
        StringBuilder sql = new StringBuilder("SELECT substr(at, 1, 10) AS day, model, provider, " + token + " AS paid_in,"
                + " count(*) AS requests, sum(tokens_in) AS tokens_in, sum(tokens_out) AS tokens_out, "
                + DecimalSum.NAME + "(price) AS amount FROM receipts WHERE 1 = 1");
        List<String> args = new ArrayList<>();
        // at is an ISO-8601 instant in UTC (Instant.toString), so its first ten characters are the day and text order
        // is time order
        filter.since().ifPresent(d -> {
            sql.append(" AND substr(at, 1, 10) >= ?");
            args.add(d.toString());
        });
        filter.model().ifPresent(m -> {
            sql.append(" AND model = ?");
            args.add(m);
        });
        filter.provider().ifPresent(p -> {
            sql.append(" AND provider = ?");
            args.add(p.lowercaseHex());
        });
        sql.append(" GROUP BY day, model, provider, paid_in ORDER BY day, model, provider, paid_in");
        try (PreparedStatement ps = store.db.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setString(i + 1, args.get(i));
            }
            List<Usage> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Usage(rs.getString("day"), rs.getString("model"), Address.parse(rs.getString("provider")),
                            token(rs.getString("paid_in")), rs.getLong("requests"), rs.getLong("tokens_in"),
                            rs.getLong("tokens_out"), new BigInteger(rs.getString("amount"))));
                }
            }
            return List.copyOf(out);
        }
    }

    private static Optional<Address> token(String stored) {
        return stored == null ? Optional.empty() : Optional.of(Address.parse(stored));
    }

    @Override
    public synchronized void close() {
        store.close();
    }
}

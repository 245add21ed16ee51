package dev.hypha.node.payments;

import dev.hypha.chain.channels.Receipt;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The receipts a payer accepted, kept durably (SQLite, one transaction per receipt, written before the answer is
 * released) so spending can be summed per model, provider and day later ({@code hypha usage}), and so the charged
 * total a channel's provider reported last survives restarts: the next voucher is priced from it.
 */
public final class PayerReceipts implements AutoCloseable {
    private final LedgerDb store;

    /** One accepted receipt with what it was for. */
    public record Stored(Instant at, String model, Address provider, Receipt receipt) {}

    private PayerReceipts(Path file) {
        this.store = new LedgerDb(file, List.of("CREATE TABLE IF NOT EXISTS receipts (seq INTEGER PRIMARY KEY"
                + " AUTOINCREMENT, at TEXT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL, channel TEXT NOT NULL,"
                + " request_hash TEXT NOT NULL, model_id TEXT NOT NULL, tokens_in INTEGER NOT NULL,"
                + " tokens_out INTEGER NOT NULL, output_hash TEXT NOT NULL, price TEXT NOT NULL,"
                + " cumulative TEXT NOT NULL, signature TEXT NOT NULL)"));
    }

    /** Opens (or creates) the receipt store: its own file beside the payer ledger (one writer connection per file). */
    public static PayerReceipts open(Path file) {
        return new PayerReceipts(file);
    }

    /** Records an accepted receipt and its signature. */
    public synchronized void add(Stored s, String signature) {
        Receipt r = s.receipt();
        try (PreparedStatement ps = store.db.prepareStatement("INSERT INTO receipts (at, model, provider, channel,"
                + " request_hash, model_id, tokens_in, tokens_out, output_hash, price, cumulative, signature)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
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
            ps.executeUpdate();
            store.db.commit();
        } catch (SQLException e) {
            throw store.fail("record a receipt on " + r.channelId(), e);
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

    /** Every stored receipt, oldest first. */
    public synchronized List<Stored> all() {
        List<Stored> out = new ArrayList<>();
        try (PreparedStatement ps = store.db.prepareStatement("SELECT * FROM receipts ORDER BY seq");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Stored(Instant.parse(rs.getString("at")), rs.getString("model"),
                        Address.parse(rs.getString("provider")), new Receipt(rs.getString("request_hash"),
                        rs.getString("model_id"), rs.getLong("tokens_in"), rs.getLong("tokens_out"),
                        rs.getString("output_hash"), new BigInteger(rs.getString("price")), rs.getString("channel"),
                        new BigInteger(rs.getString("cumulative")))));
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw store.fail("list receipts", e);
        }
    }

    @Override
    public synchronized void close() {
        store.close();
    }
}

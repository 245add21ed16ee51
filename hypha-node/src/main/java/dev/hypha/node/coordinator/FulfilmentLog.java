package dev.hypha.node.coordinator;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fulfiller's durable memory (one SQLite file, WAL and synchronous=FULL, every change one transaction): how far it
 * has read the coordinator's requests, and every request it took on. A request is claimed, durably, before any work
 * is done for it, so a restarted fulfiller never answers it again (at most once; the contract also refuses a second
 * answer, this only saves the work and the gas). Claimed requests then become submitted (the answer is on chain,
 * its fee waits for the challenge window), paid, or failed.
 */
public final class FulfilmentLog implements AutoCloseable {
    /** Where a claimed request is. */
    public enum Status {
        /** Taken on; the answer was not (known to be) submitted. A fulfiller interrupted here does not retry. */
        CLAIMED,
        /** The answer is on chain; its fee is held until the challenge window ends. */
        SUBMITTED,
        /** The fee was paid to this provider. */
        PAID,
        /** Work or submission failed (the reason is kept). */
        FAILED
    }

    /** The last request event handled: its block and position in the block. */
    public record Cursor(long blockNumber, long logIndex) {}

    private final Path file;
    private final Connection db;

    private FulfilmentLog(Path file) {
        this.file = file;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("CREATE TABLE IF NOT EXISTS cursor (id INTEGER PRIMARY KEY CHECK (id = 0),"
                        + " block_number INTEGER NOT NULL, log_index INTEGER NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS requests (request_id TEXT PRIMARY KEY, request_hash TEXT NOT NULL,"
                        + " status TEXT NOT NULL, tx_hash TEXT, fee TEXT, detail TEXT)");
            }
            db.setAutoCommit(false);
            db.commit();
        } catch (SQLException | IOException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot open the fulfilment log " + file + ": " + e.getMessage(), e);
        }
    }

    /** Opens (or creates) the log in {@code file}. */
    public static FulfilmentLog open(Path file) {
        return new FulfilmentLog(file);
    }

    /** The last request event handled, if any. */
    public synchronized Optional<Cursor> cursor() {
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT block_number, log_index FROM cursor WHERE id = 0")) {
            return rs.next() ? Optional.of(new Cursor(rs.getLong(1), rs.getLong(2))) : Optional.empty();
        } catch (SQLException e) {
            throw fail("read the cursor", e);
        }
    }

    /** Records that every request event up to and including {@code cursor} has been handled. */
    public synchronized void advance(Cursor cursor) {
        update("advance the cursor", "INSERT INTO cursor (id, block_number, log_index) VALUES (0, ?, ?)"
                + " ON CONFLICT(id) DO UPDATE SET block_number = excluded.block_number, log_index = excluded.log_index",
                cursor.blockNumber(), cursor.logIndex());
    }

    /**
     * Takes on a request, durably, before any work is done for it.
     *
     * @return true when it was not taken on before (go ahead), false when it was (never answer twice)
     */
    public synchronized boolean claim(BigInteger requestId, String requestHash) {
        return update("claim request " + requestId, "INSERT OR IGNORE INTO requests (request_id, request_hash, status)"
                + " VALUES (?, ?, 'CLAIMED')", requestId.toString(), requestHash) == 1;
    }

    /** The answer to a claimed request is on chain in {@code txHash}, charging {@code fee}. */
    public synchronized void submitted(BigInteger requestId, String txHash, BigInteger fee) {
        update("record submission of " + requestId, "UPDATE requests SET status = 'SUBMITTED', tx_hash = ?, fee = ?"
                + " WHERE request_id = ?", txHash, fee.toString(), requestId.toString());
    }

    /** A claimed request's fee was paid out. */
    public synchronized void paid(BigInteger requestId) {
        update("record payment of " + requestId, "UPDATE requests SET status = 'PAID' WHERE request_id = ?",
                requestId.toString());
    }

    /** A claimed request could not be answered or its answer not submitted, for {@code reason}. */
    public synchronized void failed(BigInteger requestId, String reason) {
        update("record failure of " + requestId, "UPDATE requests SET status = 'FAILED', detail = ? WHERE request_id = ?",
                reason.length() > 500 ? reason.substring(0, 500) : reason, requestId.toString());
    }

    /** Where a request is, if it was ever claimed. */
    public synchronized Optional<Status> status(BigInteger requestId) {
        try (PreparedStatement ps = db.prepareStatement("SELECT status FROM requests WHERE request_id = ?")) {
            ps.setString(1, requestId.toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Status.valueOf(rs.getString(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw fail("read request " + requestId, e);
        }
    }

    /** At most {@code limit} submitted requests whose fee is still to be collected, oldest first. */
    public synchronized List<BigInteger> awaitingFee(int limit) {
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT request_id FROM requests WHERE status = 'SUBMITTED' ORDER BY rowid LIMIT ?")) {
            ps.setInt(1, limit);
            List<BigInteger> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new BigInteger(rs.getString(1)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw fail("read submitted requests", e);
        }
    }

    private int update(String what, String sql, Object... params) {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            int changed = ps.executeUpdate();
            db.commit();
            return changed;
        } catch (SQLException e) {
            throw fail(what, e);
        }
    }

    private HyphaException fail(String what, SQLException e) {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // the original failure is what the operator needs to see
        }
        return new HyphaException(ErrorCategory.IO, "fulfilment log " + file + ": cannot " + what + ": " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot close the fulfilment log " + file + ": " + e.getMessage(), e);
        }
    }
}

package dev.hypha.chain.indexer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.ChainErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The indexer's SQLite file: decoded events, recent block hashes (for reorganisation checks) and
 * settings. Every change that moves the position happens in one transaction with the events it
 * covers, so a crash can never store events without their position or the other way round.
 */
final class IndexStore implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> ARGS = new TypeReference<>() {};

    private final Path file;
    private final Connection db;

    IndexStore(Path file) {
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
                s.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL)");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS events (
                          block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, block_hash TEXT NOT NULL,
                          tx_hash TEXT NOT NULL, contract TEXT NOT NULL, address TEXT NOT NULL, name TEXT NOT NULL,
                          args TEXT NOT NULL, PRIMARY KEY (block_number, log_index))""");
                s.execute("CREATE INDEX IF NOT EXISTS events_by_name ON events (contract, name, block_number)");
            }
            db.setAutoCommit(false);
            db.commit();
        } catch (SQLException | IOException e) {
            throw ChainErrors.internal("cannot open the event index " + file + ": " + e.getMessage(), e);
        }
    }

    Path file() {
        return file;
    }

    synchronized Optional<String> meta(String key) {
        try (PreparedStatement ps = db.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw fail("read", e);
        }
    }

    synchronized void putMeta(String key, String value) {
        try (PreparedStatement ps = db.prepareStatement("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, value);
            ps.executeUpdate();
            db.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw fail("write", e);
        }
    }

    /** The last indexed block, if any. */
    synchronized Optional<Position> position() {
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT number, hash FROM blocks ORDER BY number DESC LIMIT 1")) {
            return rs.next() ? Optional.of(new Position(rs.getLong(1), rs.getString(2))) : Optional.empty();
        } catch (SQLException e) {
            throw fail("read", e);
        }
    }

    /** Recorded block hashes, newest first (the candidates for a common ancestor). */
    synchronized List<Position> recentBlocks() {
        List<Position> out = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT number, hash FROM blocks ORDER BY number DESC")) {
            while (rs.next()) {
                out.add(new Position(rs.getLong(1), rs.getString(2)));
            }
            return out;
        } catch (SQLException e) {
            throw fail("read", e);
        }
    }

    /**
     * Stores a batch: its events, the hashes of the blocks they are in, and the new position; then
     * forgets block hashes older than {@code keepBlocks} blocks behind the position.
     */
    synchronized void commitBatch(List<IndexedEvent> events, Position newPosition, long keepBlocks) {
        try (PreparedStatement ev = db.prepareStatement(
                "INSERT INTO events (block_number, log_index, block_hash, tx_hash, contract, address, name, args) VALUES (?,?,?,?,?,?,?,?)");
             PreparedStatement bl = db.prepareStatement("INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)");
             PreparedStatement prune = db.prepareStatement("DELETE FROM blocks WHERE number < ?")) {
            for (IndexedEvent e : events) {
                ev.setLong(1, e.blockNumber());
                ev.setLong(2, e.logIndex());
                ev.setString(3, e.blockHash());
                ev.setString(4, e.txHash());
                ev.setString(5, e.contract());
                ev.setString(6, e.address());
                ev.setString(7, e.name());
                ev.setString(8, JSON.writeValueAsString(e.args()));
                ev.addBatch();
                bl.setLong(1, e.blockNumber());
                bl.setString(2, e.blockHash());
                bl.addBatch();
            }
            bl.setLong(1, newPosition.blockNumber());
            bl.setString(2, newPosition.blockHash());
            bl.addBatch();
            ev.executeBatch();
            bl.executeBatch();
            prune.setLong(1, Math.subtractExact(newPosition.blockNumber(), keepBlocks));
            prune.executeUpdate();
            db.commit();
        } catch (SQLException | IOException e) {
            rollbackQuietly();
            throw fail("write", e);
        }
    }

    /**
     * Drops every event and block hash above {@code ancestor} (a reorganisation), returning the
     * dropped events newest first; the position becomes {@code ancestor} (recorded as given).
     */
    synchronized List<IndexedEvent> rollbackTo(Optional<Position> ancestor) {
        long above = ancestor.map(Position::blockNumber).orElse(-1L);
        try {
            List<IndexedEvent> dropped = query("SELECT * FROM events WHERE block_number > ? ORDER BY block_number DESC, log_index DESC",
                    above);
            try (PreparedStatement de = db.prepareStatement("DELETE FROM events WHERE block_number > ?");
                 PreparedStatement db2 = db.prepareStatement("DELETE FROM blocks WHERE number > ?")) {
                de.setLong(1, above);
                de.executeUpdate();
                db2.setLong(1, above);
                db2.executeUpdate();
            }
            if (ancestor.isPresent()) {
                try (PreparedStatement bl = db.prepareStatement("INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)")) {
                    bl.setLong(1, ancestor.get().blockNumber());
                    bl.setString(2, ancestor.get().blockHash());
                    bl.executeUpdate();
                }
            }
            db.commit();
            return dropped;
        } catch (SQLException e) {
            rollbackQuietly();
            throw fail("roll back", e);
        }
    }

    /** Events in chain order, optionally only one contract's or one event name's, from a block on. */
    synchronized List<IndexedEvent> events(Optional<String> contract, Optional<String> name, long fromBlock) {
        StringBuilder sql = new StringBuilder("SELECT * FROM events WHERE block_number >= ?");
        List<Object> params = new ArrayList<>();
        params.add(fromBlock);
        contract.ifPresent(c -> {
            sql.append(" AND contract = ?");
            params.add(c);
        });
        name.ifPresent(n -> {
            sql.append(" AND name = ?");
            params.add(n);
        });
        sql.append(" ORDER BY block_number, log_index");
        try {
            return query(sql.toString(), params.toArray());
        } catch (SQLException e) {
            throw fail("read", e);
        }
    }

    /** At most {@code limit} events of one contract and name after (blockNumber, logIndex), in chain order. */
    synchronized List<IndexedEvent> eventsAfter(String contract, String name, long blockNumber, long logIndex, int limit) {
        try {
            return query("SELECT * FROM events WHERE contract = ? AND name = ? AND (block_number > ? OR (block_number = ?"
                    + " AND log_index > ?)) ORDER BY block_number, log_index LIMIT ?", contract, name, blockNumber,
                    blockNumber, logIndex, limit);
        } catch (SQLException e) {
            throw fail("read", e);
        }
    }

    /** Number of stored events. */
    synchronized long eventCount() {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM events")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw fail("read", e);
        }
    }

    private List<IndexedEvent> query(String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<IndexedEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> args;
                    try {
                        args = JSON.readValue(rs.getString("args"), ARGS);
                    } catch (IOException e) {
                        throw new SQLException("corrupt args JSON in event at block " + rs.getLong("block_number"), e);
                    }
                    out.add(new IndexedEvent(rs.getLong("block_number"), rs.getString("block_hash"), rs.getString("tx_hash"),
                            rs.getLong("log_index"), rs.getString("contract"), rs.getString("address"), rs.getString("name"), args));
                }
            }
            return out;
        }
    }

    private void rollbackQuietly() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // The original failure is what matters; the connection is unusable either way.
        }
    }

    private RuntimeException fail(String what, Exception e) {
        return ChainErrors.internal("cannot " + what + " the event index " + file + ": " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw fail("close", e);
        }
    }
}

package dev.hypha.node.gateway.network;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.gateway.remote.ProviderFault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a gateway saw go wrong with providers, kept in SQLite ({@code <home>/gateway/reputation-<chain>-<payer>.sqlite},
 * {@link PayerFiles}) so a restarted gateway still knows: one row per fault (time, provider, {@link ProviderFault},
 * what happened), and each provider's measured time to first token. Answers need no rows here: every answer the
 * gateway accepted is a receipt in {@code PayerReceipts} already.
 *
 * <p>Faults are written with WAL and synchronous=FULL, one transaction each, before the gateway moves on to another
 * provider: they are rare, and evidence of cheating must survive a crash. Latencies are measurements, not evidence;
 * the same write keeps them, at most once a minute per provider ({@link ProviderStats}).
 */
public final class ReputationLog implements AutoCloseable {
    /** Longest text kept about one fault (a provider's error message is its own, and unbounded). */
    static final int MAX_DETAIL = 500;

    /** One fault as recorded. */
    public record Fault(Instant at, Address provider, ProviderFault fault, String detail) {
        public Fault {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(fault, "fault");
            detail = bounded(Objects.requireNonNull(detail, "detail"));
        }
    }

    /** A provider's time to first token as last saved. */
    public record Latency(Address provider, long nanos, Instant at) {}

    private final Path file;
    private final Connection db;

    private ReputationLog(Path file) {
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
                s.execute("CREATE TABLE IF NOT EXISTS faults (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,"
                        + " provider TEXT NOT NULL, fault TEXT NOT NULL, detail TEXT NOT NULL)");
                s.execute("CREATE INDEX IF NOT EXISTS faults_at ON faults (at)");
                s.execute("CREATE TABLE IF NOT EXISTS latency (provider TEXT PRIMARY KEY, nanos INTEGER NOT NULL,"
                        + " at TEXT NOT NULL)");
            }
        } catch (SQLException | IOException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot open the reputation log " + file + ": " + e.getMessage(), e);
        }
    }

    /** Opens (or creates) the log. */
    public static ReputationLog open(Path file) {
        return new ReputationLog(file);
    }

    /** Records a fault, durably, before returning. */
    public synchronized void add(Fault f) {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO faults (at, provider, fault, detail)"
                + " VALUES (?, ?, ?, ?)")) {
            ps.setString(1, f.at().toString());
            ps.setString(2, f.provider().lowercaseHex());
            ps.setString(3, f.fault().name());
            ps.setString(4, f.detail());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw fail("record a fault of " + f.provider().toChecksumString(), e);
        }
    }

    /**
     * The faults recorded since {@code since}, oldest first. Rows this version does not know (a fault kind from a newer
     * Hypha) are skipped rather than refused: the log is advice for routing, not a ledger.
     */
    public synchronized List<Fault> since(Instant since) {
        List<Fault> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT at, provider, fault, detail FROM faults WHERE at >= ?"
                + " ORDER BY seq")) {
            ps.setString(1, since.toString());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Optional<ProviderFault> kind = known(rs.getString("fault"));
                    if (kind.isPresent()) {
                        out.add(new Fault(Instant.parse(rs.getString("at")), Address.parse(rs.getString("provider")),
                                kind.get(), rs.getString("detail")));
                    }
                }
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw fail("read the faults since " + since, e);
        }
    }

    /** Forgets faults older than {@code before} (they no longer count; the file stays small). */
    public synchronized void forgetBefore(Instant before) {
        try (PreparedStatement ps = db.prepareStatement("DELETE FROM faults WHERE at < ?")) {
            ps.setString(1, before.toString());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw fail("forget faults before " + before, e);
        }
    }

    /** Keeps a provider's time to first token (replacing the one kept before). */
    public synchronized void saveLatency(Latency l) {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO latency (provider, nanos, at) VALUES (?, ?, ?)"
                + " ON CONFLICT(provider) DO UPDATE SET nanos = excluded.nanos, at = excluded.at")) {
            ps.setString(1, l.provider().lowercaseHex());
            ps.setLong(2, l.nanos());
            ps.setString(3, l.at().toString());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw fail("save the latency of " + l.provider().toChecksumString(), e);
        }
    }

    /** Every provider's time to first token as last saved, in provider order. */
    public synchronized List<Latency> latencies() {
        List<Latency> out = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT provider, nanos, at FROM latency ORDER BY provider")) {
            while (rs.next()) {
                out.add(new Latency(Address.parse(rs.getString("provider")), rs.getLong("nanos"),
                        Instant.parse(rs.getString("at"))));
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw fail("read the latencies", e);
        }
    }

    private static Optional<ProviderFault> known(String name) {
        try {
            return Optional.of(ProviderFault.valueOf(name));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String bounded(String detail) {
        return detail.length() <= MAX_DETAIL ? detail : detail.substring(0, MAX_DETAIL) + "...";
    }

    private HyphaException fail(String what, SQLException e) {
        return new HyphaException(ErrorCategory.IO, "reputation log " + file + ": cannot " + what + ": " + e.getMessage(),
                e);
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot close the reputation log " + file + ": " + e.getMessage(),
                    e);
        }
    }
}

package dev.hypha.node.apikeys;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The gateway's API keys in one SQLite file ({@code <home>/gateway/apikeys.sqlite}, mode 0600, WAL with
 * synchronous=FULL so a created or revoked key survives a crash). A key is {@code hypha_} and 256 random bits in
 * base64url; only its SHA-256 is stored, so the file gives nobody a usable key, and a lost key is revoked and replaced,
 * never recovered. Every statement commits on its own, so a key revoked by {@code hypha apikey revoke} in another
 * process is refused by a running gateway from its next request on.
 */
public final class ApiKeys implements AutoCloseable {
    /** What every key starts with, so a leaked one is recognisable (secret scanners, logs). */
    public static final String PREFIX = "hypha_";

    private static final int KEY_BYTES = 32;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Path file;
    private final Connection db;
    private final Clock clock;
    private final SecureRandom random;

    /** A key just made: the only time its text exists outside the client that will send it. */
    public record Created(String name, String key, Instant created) {
        @Override
        public String toString() {
            return "Created[name=" + name + ", created=" + created + "]"; // never the key itself
        }
    }

    /** What is kept about a key. */
    public record Info(String name, Instant created, Optional<Instant> revoked) {
        public boolean active() {
            return revoked.isEmpty();
        }
    }

    private ApiKeys(Path file, Clock clock, SecureRandom random) {
        this.file = file;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        try {
            createPrivately(file);
            db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("CREATE TABLE IF NOT EXISTS apikeys (name TEXT PRIMARY KEY, sha256 BLOB NOT NULL UNIQUE,"
                        + " created TEXT NOT NULL, revoked TEXT)");
            }
        } catch (SQLException | IOException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot open the API keys file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The keys file of a Hypha home. */
    public static Path file(Path home) {
        return home.resolve("gateway").resolve("apikeys.sqlite");
    }

    /** Opens (or creates) the keys file, with the system clock and the platform's strong random source. */
    public static ApiKeys open(Path file) {
        return new ApiKeys(file, Clock.systemUTC(), new SecureRandom());
    }

    /** Opens (or creates) the keys file with a given clock (creation times) and random source (the keys). */
    public static ApiKeys open(Path file, Clock clock, SecureRandom random) {
        return new ApiKeys(file, clock, random);
    }

    /**
     * Makes a key named {@code name} and stores its hash.
     *
     * @throws HyphaException INPUT when the name is malformed or taken (by an active or a revoked key)
     */
    public synchronized Created create(String name) {
        checkName(name);
        byte[] secret = new byte[KEY_BYTES];
        random.nextBytes(secret);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant();
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO apikeys (name, sha256, created) VALUES (?, ?, ?)"
                + " ON CONFLICT(name) DO NOTHING")) {
            ps.setString(1, name);
            ps.setBytes(2, sha256(key));
            ps.setString(3, now.toString());
            if (ps.executeUpdate() == 0) {
                throw HyphaException.input("an API key named '" + name + "' exists already (see `hypha apikey list`):"
                        + " pick another name");
            }
        } catch (SQLException e) {
            throw fail("store a new API key", e);
        }
        return new Created(name, key, now);
    }

    /** Every key, active or revoked, by name. */
    public synchronized List<Info> list() {
        List<Info> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT name, created, revoked FROM apikeys ORDER BY name");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Info(rs.getString(1), Instant.parse(rs.getString(2)),
                        Optional.ofNullable(rs.getString(3)).map(Instant::parse)));
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw fail("list the API keys", e);
        }
    }

    /**
     * Revokes the key named {@code name}; a revoked key stays listed (its name is not reused) and is refused.
     *
     * @return the key as it is now (revoked; at the earlier time when it already was)
     * @throws HyphaException INPUT when there is no key of that name
     */
    public synchronized Info revoke(String name) {
        try (PreparedStatement ps = db.prepareStatement(
                "UPDATE apikeys SET revoked = ? WHERE name = ? AND revoked IS NULL")) {
            ps.setString(1, clock.instant().toString());
            ps.setString(2, name);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw fail("revoke API key '" + name + "'", e);
        }
        return list().stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow(() -> HyphaException.input(
                "no API key is named '" + printable(name) + "' (see `hypha apikey list`)"));
    }

    /** Whether any key is active (a gateway beyond loopback refuses to start without one). */
    public synchronized boolean anyActive() {
        return list().stream().anyMatch(Info::active);
    }

    /**
     * Whether {@code presented} is an active key. Its hash is compared with every active key's hash in constant time
     * and without stopping at a match, so the time taken says nothing about how close a guess was.
     */
    public synchronized boolean accepts(String presented) {
        byte[] hash = sha256(presented);
        boolean match = false;
        try (PreparedStatement ps = db.prepareStatement("SELECT sha256 FROM apikeys WHERE revoked IS NULL");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                match |= MessageDigest.isEqual(hash, rs.getBytes(1));
            }
            return match;
        } catch (SQLException e) {
            throw fail("check an API key", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot close the API keys file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw HyphaException.input("API key name '" + printable(name) + "' is not usable: expected 1 to 64 letters,"
                    + " digits, '.', '_' or '-', starting with a letter or digit (for example laptop or ci-runner)");
        }
    }

    private static String printable(String s) {
        return dev.hypha.core.text.TerminalText.line(s == null ? "" : s);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Creates the file readable by its owner only (where the file system has POSIX permissions) before SQLite opens it. */
    private static void createPrivately(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        if (Files.exists(file)) {
            return;
        }
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                // SQLite gives the -wal and -shm files the permissions of the database file
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException raced) {
            // another process created it first, with the same permissions
        }
    }

    private HyphaException fail(String what, SQLException e) {
        return new HyphaException(ErrorCategory.IO, "API keys file " + file + ": cannot " + what + ": " + e.getMessage(), e);
    }
}

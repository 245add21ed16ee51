package dev.hypha.chain.devnet;

import dev.hypha.chain.ChainErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The file in which a long-running launcher records the pid of the anvil it started ({@code <home>/devnet/anvil.pid}
 * for {@code hypha up}).
 *
 * <p>Why: a JVM killed with SIGKILL runs no shutdown hook, so its anvil keeps running and holds the port; the next
 * {@code hypha up} would then fail with "port already in use". With the pid on record, the next start can stop that
 * leftover anvil first, gracefully (SIGTERM, so anvil writes its state file and nothing is lost). It stops a process
 * only when {@code /proc/<pid>/cmdline} shows it is an anvil persisting to the same state file, so a reused pid never
 * gets another program killed.
 */
public final class AnvilPidFile {
    private final Path file;

    /** The pid file at {@code file} (it need not exist yet). */
    public AnvilPidFile(Path file) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
    }

    /** Where the pid is recorded. */
    public Path file() {
        return file;
    }

    /** Records {@code pid}, replacing any earlier record atomically (a reader never sees half a number). */
    public void write(long pid) {
        if (pid <= 0) {
            throw ChainErrors.input("process id must be positive, was " + pid);
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, pid + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw ChainErrors.internal("cannot record anvil's pid in " + file + ": " + e.getMessage(), e);
        }
    }

    /** The recorded pid; empty when there is no record or it is not a positive number. */
    public OptionalLong read() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException | RuntimeException unreadable) {
            return OptionalLong.empty();
        }
        if (text.isEmpty() || text.length() > 19 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalLong.empty();
        }
        long pid = Long.parseLong(text);
        return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /** Removes the record if it still names {@code pid} (a newer launcher may have replaced it). */
    public void deleteIfHolds(long pid) {
        if (read().equals(OptionalLong.of(pid))) {
            deleteQuietly();
        }
    }

    /**
     * Stops the anvil recorded here if it is still running and persists to {@code stateFile}: SIGTERM, then up to
     * {@code grace} for it to write its state and exit, then SIGKILL. A record naming a dead process or another
     * program is stale and is removed without touching that process.
     *
     * @return the pid of the anvil that was stopped, or empty when there was none
     * @throws dev.hypha.chain.ChainException when that anvil cannot be stopped (for example it belongs to another user)
     */
    public OptionalLong stopLeftover(Path stateFile, Duration grace) {
        Objects.requireNonNull(stateFile, "stateFile");
        Objects.requireNonNull(grace, "grace");
        OptionalLong recorded = read();
        if (recorded.isEmpty()) {
            deleteQuietly(); // missing or malformed: nothing to act on
            return OptionalLong.empty();
        }
        long pid = recorded.getAsLong();
        Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (handle.isEmpty() || !isAnvilFor(commandLine(pid), stateFile)) {
            deleteQuietly();
            return OptionalLong.empty();
        }
        ProcessHandle anvil = handle.get();
        anvil.destroy(); // SIGTERM: anvil dumps --state on a graceful exit
        if (!waitForExit(anvil, grace)) {
            anvil.destroyForcibly();
            if (!waitForExit(anvil, grace)) {
                throw ChainErrors.internal("anvil (pid " + pid + ") left running by an earlier start does not stop;"
                        + " stop it by hand (kill " + pid + ")", null);
            }
        }
        deleteQuietly();
        return OptionalLong.of(pid);
    }

    /**
     * Whether a process's arguments are those of an anvil persisting to {@code stateFile}: the program's file name
     * contains "anvil" and one argument is that state file's path.
     */
    static boolean isAnvilFor(List<String> args, Path stateFile) {
        if (args.isEmpty()) {
            return false;
        }
        Path state = stateFile.toAbsolutePath().normalize();
        try {
            Path program = Path.of(args.getFirst()).getFileName();
            if (program == null || !program.toString().contains("anvil")) {
                return false;
            }
            for (String arg : args.subList(1, args.size())) {
                if (!arg.isEmpty() && Path.of(arg).toAbsolutePath().normalize().equals(state)) {
                    return true;
                }
            }
        } catch (InvalidPathException notAPath) {
            return false;
        }
        return false;
    }

    /** A process's arguments from Linux's /proc (NUL-separated); empty when unreadable (gone, or not Linux). */
    static List<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return Arrays.stream(new String(raw, StandardCharsets.UTF_8).split("\0")).toList();
        } catch (IOException | RuntimeException unreadable) {
            return List.of();
        }
    }

    private static boolean waitForExit(ProcessHandle process, Duration grace) {
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException stillRunning) {
            return !process.isAlive();
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ChainErrors.internal("interrupted while stopping anvil (pid " + process.pid() + ")", e);
        }
    }

    private void deleteQuietly() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A stale record that cannot be removed is harmless: the next start checks the process again.
        }
    }
}

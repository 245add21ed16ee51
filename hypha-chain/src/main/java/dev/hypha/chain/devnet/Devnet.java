package dev.hypha.chain.devnet;

import dev.hypha.chain.ChainErrors;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.web3j.crypto.Credentials;

/**
 * A running anvil started by {@link AnvilLauncher}. Closing it stops the process (SIGTERM, so anvil
 * writes its state file, then a forced kill after a grace period). A JVM shutdown hook closes it
 * too, so an interrupted program never leaves an anvil behind.
 */
public final class Devnet implements AutoCloseable {
    private final Process process;
    private final String rpcUrl;
    private final int port;
    private final long chainId;
    private final List<Credentials> accounts;
    private final Path logFile;
    private final Optional<Path> stateFile;
    private final Optional<AnvilPidFile> pidFile;
    private final Duration stopGrace;
    private final Thread shutdownHook;
    private boolean closed;

    Devnet(Process process, int port, long chainId, List<Credentials> accounts, Path logFile,
           Optional<Path> stateFile, Optional<AnvilPidFile> pidFile, Duration stopGrace) {
        this.process = process;
        this.port = port;
        this.rpcUrl = "http://127.0.0.1:" + port;
        this.chainId = chainId;
        this.accounts = List.copyOf(accounts);
        this.logFile = logFile;
        this.stateFile = stateFile;
        this.pidFile = pidFile;
        this.stopGrace = stopGrace;
        this.shutdownHook = Thread.ofPlatform().name("anvil-stop-" + port).unstarted(this::stopProcess);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** JSON-RPC URL on loopback, e.g. {@code http://127.0.0.1:8545}. */
    public String rpcUrl() {
        return rpcUrl;
    }

    /** TCP port anvil listens on. */
    public int port() {
        return port;
    }

    /** The chain id anvil reports. */
    public long chainId() {
        return chainId;
    }

    /**
     * The funded development accounts, derived from the mnemonic anvil was started with. With the
     * default mnemonic these keys are public knowledge: never use them outside a devnet.
     */
    public List<Credentials> accounts() {
        return accounts;
    }

    /** Development account {@code index} (0 is the usual deployer). */
    public Credentials account(int index) {
        if (index < 0 || index >= accounts.size()) {
            throw ChainErrors.input("dev account index " + index + " out of range 0.." + (accounts.size() - 1));
        }
        return accounts.get(index);
    }

    /** File that holds anvil's stdout and stderr. */
    public Path logFile() {
        return logFile;
    }

    /** The state file anvil persists to, if it was started with one. */
    public Optional<Path> stateFile() {
        return stateFile;
    }

    /** Process id of anvil (for diagnostics). */
    public long pid() {
        return process.pid();
    }

    /** Whether the anvil process is still running. */
    public boolean isRunning() {
        return process.isAlive();
    }

    /** Stops anvil; on a clean stop anvil writes its state file first. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already shutting down; the hook is running or will run. Stopping twice is harmless.
        }
        stopProcess();
    }

    /**
     * Leaves stopping anvil to {@link #close} alone: a JVM shutdown (Ctrl-C, SIGTERM) no longer stops it by itself, for
     * an owner whose own orderly shutdown still needs the chain (a provider redeeming what it earned) before it closes
     * this. If that owner dies without closing, anvil outlives it; its pid file lets the next start stop it.
     */
    public synchronized void stopOnlyOnClose() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // already shutting down: the hook runs anyway
        }
    }

    /**
     * Kills anvil at once (SIGKILL) without letting it write its state, as a crash would; what was
     * persisted by the last {@code --state-interval} dump survives. For crash-recovery tests.
     */
    public synchronized void kill() {
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // already shutting down
        }
        process.destroyForcibly();
        try {
            process.waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopProcess() {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM: anvil dumps --state on a graceful exit
            try {
                if (!process.waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (!process.isAlive()) {
            pidFile.ifPresent(f -> f.deleteIfHolds(process.pid()));
        }
    }

    @Override
    public String toString() {
        return "Devnet[" + rpcUrl + ", chainId=" + chainId + ", pid=" + process.pid() + "]";
    }
}

package dev.hypha.chain.devnet;

import dev.hypha.chain.ChainErrors;
import dev.hypha.core.time.TimeSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * Starts a local anvil for development and tests.
 *
 * <pre>{@code
 * try (Devnet devnet = new AnvilLauncher().stateFile(home.resolve("devnet/state.json")).start()) {
 *     ... devnet.rpcUrl() ...
 * }
 * }</pre>
 *
 * <p>Port 0 (the default) lets anvil pick a free port itself and we read it back from its
 * "Listening on" line, which has no race between choosing and binding. The launcher is a mutable
 * builder: configure, then {@link #start()} (which may be called again for another instance).
 */
public final class AnvilLauncher {
    /** Environment variable naming the anvil executable explicitly. */
    public static final String ANVIL_ENV = "HYPHA_ANVIL";

    private static final Duration POLL = Duration.ofMillis(50);
    private static final Pattern LISTENING = Pattern.compile("Listening on [^:\\s]+:(\\d+)");

    private Optional<Path> executable = Optional.empty();
    private int port;
    private OptionalLong chainId = OptionalLong.empty();
    private Optional<Path> stateFile = Optional.empty();
    private int stateIntervalSeconds = 5;
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private String mnemonic = DevAccounts.DEFAULT_MNEMONIC;
    private int accounts = 10;
    private Optional<Path> logFile = Optional.empty();
    private Optional<AnvilPidFile> pidFile = Optional.empty();
    private Duration startupTimeout = Duration.ofSeconds(30);
    private TimeSource time = TimeSource.SYSTEM;
    private Duration stopGrace = Duration.ofSeconds(10);

    /** Uses this anvil binary instead of searching for one. */
    public AnvilLauncher executable(Path anvil) {
        this.executable = Optional.of(anvil);
        return this;
    }

    /** Listen on this port; 0 (default) picks a free one. */
    public AnvilLauncher port(int port) {
        if (port < 0 || port > 65_535) {
            throw ChainErrors.input("port must be between 0 and 65535, was " + port);
        }
        this.port = port;
        return this;
    }

    /** Chain id to run with (anvil's default is 31337). */
    public AnvilLauncher chainId(long chainId) {
        if (chainId <= 0) {
            throw ChainErrors.input("chain id must be positive, was " + chainId);
        }
        this.chainId = OptionalLong.of(chainId);
        return this;
    }

    /**
     * Persist the chain in this file: loaded on start if it exists, written on a clean stop and
     * every {@code intervalSeconds} while running (so a kill -9 loses at most that interval).
     */
    public AnvilLauncher stateFile(Path file, int intervalSeconds) {
        if (intervalSeconds <= 0) {
            throw ChainErrors.input("state interval must be >= 1 second, was " + intervalSeconds);
        }
        this.stateFile = Optional.of(file.toAbsolutePath());
        this.stateIntervalSeconds = intervalSeconds;
        return this;
    }

    /** Mnemonic for the funded dev accounts (default: anvil's well-known test mnemonic). */
    public AnvilLauncher mnemonic(String mnemonic) {
        this.mnemonic = Objects.requireNonNull(mnemonic, "mnemonic");
        return this;
    }

    /** Number of funded dev accounts (default 10). */
    public AnvilLauncher accounts(int count) {
        if (count < 1 || count > 1000) {
            throw ChainErrors.input("dev account count must be between 1 and 1000, was " + count);
        }
        this.accounts = count;
        return this;
    }

    /** The time source that paces and bounds the wait for anvil to start (default: the system's). */
    public AnvilLauncher time(TimeSource time) {
        this.time = Objects.requireNonNull(time, "time");
        return this;
    }

    /** Where anvil's output goes (default: a new temporary file). */
    public AnvilLauncher logFile(Path file) {
        this.logFile = Optional.of(file.toAbsolutePath());
        return this;
    }

    /**
     * Record the started anvil's pid in this file (removed again on a clean stop), so that a later start can find an
     * anvil left behind by a process that was killed; see {@link AnvilPidFile#stopLeftover}.
     */
    public AnvilLauncher pidFile(Path file) {
        this.pidFile = Optional.of(new AnvilPidFile(file));
        return this;
    }

    /** How long to wait for the RPC to answer before giving up (default 30 s). */
    public AnvilLauncher startupTimeout(Duration timeout) {
        this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /** How long a stop waits after SIGTERM before killing (default 10 s). */
    public AnvilLauncher stopGrace(Duration grace) {
        this.stopGrace = Objects.requireNonNull(grace, "grace");
        return this;
    }

    /**
     * Starts anvil and waits until its JSON-RPC answers.
     *
     * @throws dev.hypha.chain.ChainException when anvil is missing, the port is taken, or it does
     *     not come up in time (the message names the log file)
     */
    public Devnet start() {
        Path anvil = executable.orElseGet(() -> locate(System.getenv(), System.getProperty("hypha.repo.root")));
        if (!Files.isExecutable(anvil)) {
            throw ChainErrors.input("anvil not found or not executable at " + anvil + ": run scripts/setup.sh");
        }
        if (port != 0) {
            requirePortFree(port);
        }
        List<Credentials> devAccounts;
        try {
            devAccounts = DevAccounts.derive(mnemonic, accounts);
        } catch (IllegalArgumentException e) {
            throw ChainErrors.input("anvil mnemonic: " + e.getMessage());
        }
        Path log = logFile.orElseGet(AnvilLauncher::tempLog);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            if (stateFile.isPresent()) {
                Files.createDirectories(stateFile.get().getParent());
            }
        } catch (IOException e) {
            throw ChainErrors.internal("cannot create folders for anvil's log/state: " + e.getMessage(), e);
        }
        ProcessBuilder pb = new ProcessBuilder(command(anvil))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw ChainErrors.internal("cannot start anvil (" + anvil + "): " + e.getMessage(), e);
        }
        try {
            int actualPort = waitForListening(process, log);
            long actualChainId = waitForRpc(process, log, actualPort);
            if (stateFile.isPresent()) {
                keepTimeMonotonic(actualPort);
            }
            pidFile.ifPresent(f -> f.write(process.pid()));
            return new Devnet(process, actualPort, actualChainId, devAccounts, log, stateFile, pidFile, stopGrace);
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /**
     * A chain resumed from its state file whose last block is ahead of the wall clock (a test or a user moved time on with
     * {@code evm_increaseTime}; anvil does not save that offset) would mine its next blocks with earlier timestamps than
     * the last one: views at "latest" would say a timelock operation is ready while the transaction executing it reverts.
     * Moving anvil's clock to just past the last block keeps time monotonic across restarts.
     */
    private static void keepTimeMonotonic(int port) {
        try (dev.hypha.chain.rpc.ChainClient client = dev.hypha.chain.rpc.ChainClient.connect("http://127.0.0.1:" + port)) {
            long last = client.latestBlock().getTimestamp().longValueExact();
            long now = java.time.Instant.now().getEpochSecond(); // anvil's own clock: the wall clock
            if (last >= now) {
                client.request("evm_increaseTime", last - now + 1);
            }
        }
    }

    /**
     * Finds anvil: $HYPHA_ANVIL, else {@code <repoRoot>/node_modules/.bin/anvil}, else the PATH.
     *
     * @throws dev.hypha.chain.ChainException naming scripts/setup.sh when none is found
     */
    public static Path locate(Map<String, String> env, String repoRoot) {
        String explicit = env.get(ANVIL_ENV);
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (!Files.isExecutable(p)) {
                throw ChainErrors.input(ANVIL_ENV + "=" + explicit + " is not an executable file");
            }
            return p;
        }
        if (repoRoot != null && !repoRoot.isBlank()) {
            Path p = Path.of(repoRoot, "node_modules", ".bin", "anvil");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, "anvil");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw ChainErrors.input("anvil not found: run scripts/setup.sh (or set " + ANVIL_ENV + " to its path)");
    }

    List<String> command(Path anvil) {
        List<String> cmd = new ArrayList<>();
        // In its own session: a terminal's Ctrl-C goes to the whole foreground process group, and would stop anvil
        // before hypha has used the chain for its own shutdown (a provider redeeming). setsid execs anvil in place (the
        // child of the JVM is no group leader, so it does not fork): the pid stays anvil's.
        if (Files.isExecutable(SETSID)) {
            cmd.add(SETSID.toString());
        }
        cmd.add(anvil.toString());
        cmd.add("--host");
        cmd.add("127.0.0.1");
        cmd.add("--port");
        cmd.add(Integer.toString(port));
        cmd.add("--mnemonic");
        cmd.add(mnemonic);
        cmd.add("--accounts");
        cmd.add(Integer.toString(accounts));
        chainId.ifPresent(id -> {
            cmd.add("--chain-id");
            cmd.add(Long.toString(id));
        });
        stateFile.ifPresent(f -> {
            cmd.add("--state");
            cmd.add(f.toString());
            cmd.add("--state-interval");
            cmd.add(Integer.toString(stateIntervalSeconds));
        });
        return cmd;
    }

    private static void requirePortFree(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            probe.setReuseAddress(true);
        } catch (IOException e) {
            throw ChainErrors.input("port " + port + " on 127.0.0.1 is already in use: stop what uses it or choose another port");
        }
    }

    private int waitForListening(Process process, Path log) {
        TimeSource.Deadline deadline = time.deadline(startupTimeout);
        while (true) {
            String out = readLog(log);
            Matcher m = LISTENING.matcher(out);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            checkAlive(process, log);
            if (deadline.passed()) {
                throw ChainErrors.internal("anvil did not start listening within " + startupTimeout.toSeconds()
                        + " s; see its log " + log, null);
            }
            pause();
        }
    }

    private long waitForRpc(Process process, Path log, int actualPort) {
        TimeSource.Deadline deadline = time.deadline(startupTimeout);
        Web3j web3j = Web3j.build(new HttpService("http://127.0.0.1:" + actualPort));
        try {
            while (true) {
                try {
                    return web3j.ethChainId().send().getChainId().longValueExact();
                } catch (IOException | RuntimeException notYet) {
                    checkAlive(process, log);
                    if (deadline.passed()) {
                        throw ChainErrors.internal("anvil's RPC on port " + actualPort + " did not answer within "
                                + startupTimeout.toSeconds() + " s; see its log " + log, notYet);
                    }
                    pause();
                }
            }
        } finally {
            web3j.shutdown();
        }
    }

    private static void checkAlive(Process process, Path log) {
        if (!process.isAlive()) {
            throw ChainErrors.internal("anvil exited with code " + process.exitValue() + " before it was ready: "
                    + lastLines(readLog(log), 5) + " (full log: " + log + ")", null);
        }
    }

    private static String readLog(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static String lastLines(String text, int n) {
        List<String> lines = text.strip().lines().filter(l -> !l.isBlank()).toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    private void pause() {
        try {
            time.sleep(POLL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ChainErrors.internal("interrupted while waiting for anvil", e);
        }
    }

    private static Path tempLog() {
        try {
            return Files.createTempFile("anvil-", ".log");
        } catch (IOException e) {
            throw ChainErrors.internal("cannot create a temporary log file for anvil: " + e.getMessage(), e);
        }
    }
}

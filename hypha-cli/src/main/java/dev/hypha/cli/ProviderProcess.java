package dev.hypha.cli;

import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code hypha provider start --dev-account N} child process of {@code hypha localnet}: the same Java, JVM options
 * and class path as this process, the same home (store, deployment), output in a log file. It is stopped with SIGTERM,
 * so it withdraws its offers and redeems its vouchers as any provider does on Ctrl-C.
 */
final class ProviderProcess {
    /** How long a provider may take to come up (a JVM start, loading the store, staking and registering). */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    /** How long a provider may take to stop (withdrawing offers, redeeming). */
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(1);

    private final int account;
    private final Process process;
    private final Path log;

    private ProviderProcess(int account, Process process, Path log) {
        this.account = account;
        this.process = process;
        this.log = log;
    }

    /** Starts dev account {@code account} as a provider at the given prices and waits until it serves. */
    static ProviderProcess start(Path home, String rpcUrl, int account, BigInteger inputPrice, BigInteger outputPrice)
            throws InterruptedException {
        Path log = home.resolve("localnet").resolve("provider-" + account + ".log");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // The JVM options of this process (module flags, heap), not its debug or test agents.
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Xrunjdwp"))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--home", home.toString(), "provider", "start", "--dev-account", Integer.toString(account),
                "--listen", "127.0.0.1:" + freePort(), "--input-price", inputPrice.toString(), "--output-price",
                outputPrice.toString()));
        Process process;
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.environment().put("HYPHA_RPC_URL", rpcUrl);
            process = builder.start();
        } catch (IOException e) {
            throw HyphaException.io("cannot start a provider process: " + e.getMessage(), e);
        }
        ProviderProcess p = new ProviderProcess(account, process, log);
        p.awaitRunning();
        return p;
    }

    /** A port free right now (the child binds it a moment later; another process taking it first is a clear error). */
    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw HyphaException.io("cannot find a free port: " + e.getMessage(), e);
        }
    }

    private void awaitRunning() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!output().contains("Running. Press Ctrl-C")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw HyphaException.input("provider (dev account " + account + ") did not come up"
                        + (process.isAlive() ? " within " + START_TIMEOUT.toSeconds() + " s" : "") + "; its output ("
                        + log + "):\n" + tail());
            }
            Thread.sleep(100); // polling its log for readiness, not timing anything
        }
    }

    /** The dev account it runs as. */
    int account() {
        return account;
    }

    /** Its process id (to try failover: kill -9 it). */
    long pid() {
        return process.pid();
    }

    /** Its log file. */
    Path log() {
        return log;
    }

    /** Its endpoint as it printed it ("... on https://127.0.0.1:PORT/provider/v1"). */
    String endpoint() {
        return output().lines().filter(l -> l.startsWith("Hypha provider ")).findFirst()
                .map(l -> l.substring(l.indexOf(" on ") + 4)).orElse("?");
    }

    /** Kills it at once (SIGKILL), as a crash would: for trying failover. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Stops it with SIGTERM and waits (bounded) for it to withdraw its offers and redeem; the lines it printed on the way out. */
    List<String> stop() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
        return output().lines().filter(l -> l.startsWith("Redeemed") || l.startsWith("Could not redeem")
                || l.startsWith("Nothing to redeem")).toList();
    }

    private String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private String tail() {
        List<String> lines = output().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}

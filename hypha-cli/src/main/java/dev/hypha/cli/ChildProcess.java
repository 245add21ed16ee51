package dev.hypha.cli;

import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code hypha ...} child process of {@code hypha localnet} (an inference provider, a compute provider, a
 * verifier): the same Java, JVM options and class path as this process, {@code --home HOME ARGS...}, the chain at
 * {@code HYPHA_RPC_URL}, output in a log file. It is up once it prints "Running. Press Ctrl-C", and is stopped with
 * SIGTERM, as Ctrl-C stops it (a provider withdraws its offers and redeems on the way out).
 */
final class ChildProcess {
    /** How long a child may take to come up (a JVM start, loading the store, staking and registering). */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    /** How long a child may take to stop (withdrawing offers, redeeming). */
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(1);

    private final String name;
    private final Process process;
    private final Path log;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code hypha --home HOME ARGS...} writing to {@code log} and waits until it says it is running. */
    static ChildProcess start(String name, Path home, Path log, String rpcUrl, List<String> args) throws InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // The JVM options of this process (module flags, heap), not its debug or test agents.
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Xrunjdwp"))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "--home", home.toString()));
        command.addAll(args);
        Process process;
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.environment().put("HYPHA_RPC_URL", rpcUrl);
            process = builder.start();
        } catch (IOException e) {
            throw HyphaException.io("cannot start " + name + ": " + e.getMessage(), e);
        }
        ChildProcess p = new ChildProcess(name, process, log);
        p.awaitRunning();
        return p;
    }

    /** A port free right now (the child binds it a moment later; another process taking it first is a clear error). */
    static int freePort() {
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
                throw HyphaException.input(name + " did not come up" + (process.isAlive() ? " within "
                        + START_TIMEOUT.toSeconds() + " s" : "") + "; its output (" + log + "):\n" + tail());
            }
            Thread.sleep(100); // polling its log for readiness, not timing anything
        }
    }

    String name() {
        return name;
    }

    /** Its process id (to try failover: kill -9 it). */
    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** The lines it printed so far that start with {@code prefix}. */
    List<String> lines(String prefix) {
        return output().lines().filter(l -> l.startsWith(prefix)).toList();
    }

    /** Stops it with SIGTERM and waits (bounded) for it to finish what it does on Ctrl-C; everything it printed. */
    List<String> stop() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
        return output().lines().toList();
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

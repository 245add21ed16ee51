package dev.hypha.cli;

import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A compute provider ({@code hypha compute offer --dev-account N}) or verifier ({@code hypha verifier start --dev-account
 * N}) child process of {@code hypha localnet}: the same Java, JVM options and class path as this process, a home of its
 * own under {@code <home>/localnet/NAME} (its job book, content store, sampling secret) holding a copy of the
 * deployment records, output in {@code <home>/localnet/NAME.log}. Stopped with SIGTERM, as Ctrl-C stops it.
 */
final class RoleProcess {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(1);

    private final String name;
    private final Process process;
    private final Path log;
    private final Path home;

    private RoleProcess(String name, Process process, Path log, Path home) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.home = home;
    }

    /** Starts {@code hypha --home <home>/localnet/NAME ARGS...} and waits until it says it is running. */
    static RoleProcess start(Path home, String rpcUrl, String name, List<String> args) throws InterruptedException {
        Path childHome = home.resolve("localnet").resolve(name);
        Path log = home.resolve("localnet").resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Xrunjdwp"))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "--home", childHome.toString()));
        command.addAll(args);
        Process process;
        try {
            copyDeployments(home.resolve("deployments"), childHome.resolve("deployments"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.environment().put("HYPHA_RPC_URL", rpcUrl);
            process = builder.start();
        } catch (IOException e) {
            throw HyphaException.io("cannot start " + name + ": " + e.getMessage(), e);
        }
        RoleProcess p = new RoleProcess(name, process, log, childHome);
        p.awaitRunning();
        return p;
    }

    /** The deployment records, copied fresh each start (a redeployed chain must not leave a child on old addresses). */
    private static void copyDeployments(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** A port free right now (the child binds it a moment later). */
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

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    Path home() {
        return home;
    }

    /** The first line it printed that starts with {@code prefix}, if any. */
    String line(String prefix) {
        return output().lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("");
    }

    /** Stops it with SIGTERM and waits (bounded); the last lines it printed. */
    List<String> stop() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
        List<String> lines = output().lines().toList();
        return lines.subList(Math.max(0, lines.size() - 2), lines.size());
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

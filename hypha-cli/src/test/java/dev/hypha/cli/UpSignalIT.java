package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.devnet.AnvilLauncher;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hypha up} as a service manager runs it: the shaded jar in its own process, stopped with SIGTERM (what
 * systemd, Docker and Kubernetes send). It must stop as on Ctrl-C: node, then anvil writing its state, no warnings.
 */
class UpSignalIT {

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void sigtermStopsTheNodeAndAnvilCleanlyAndKeepsTheChain() throws Exception {
        Path home = dir.resolve("home");
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-jar", Path.of(System.getProperty("hypha.jar", "target/hypha.jar")).toString(),
                "--home", home.toString(), "up", "--accounts", "2", "--provider-port", "0"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Map<String, String> env = builder.environment();
        env.put("HYPHA_DEVNET_PORT", Integer.toString(freePort()));
        int apiPort = freePort();
        env.put("HYPHA_API_LISTEN", "127.0.0.1:" + apiPort);
        env.put(AnvilLauncher.ANVIL_ENV, AnvilLauncher.locate(System.getenv(), System.getProperty("hypha.repo.root")).toString());
        Process up = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!Files.readString(out, StandardCharsets.UTF_8).contains("Running. Press Ctrl-C to stop.")) {
                assertThat(up.isAlive()).as("hypha up exited early: %s", Files.readString(err, StandardCharsets.UTF_8)).isTrue();
                assertThat(System.nanoTime()).as("hypha up did not come up within 3 minutes").isLessThan(deadline);
                Thread.sleep(100);
            }
            long anvilPid = Long.parseLong(Files.readString(home.resolve("devnet/anvil.pid")).strip().split("\\s+")[0]);

            // One paid answer (from hypha-tiny, imported on first start), so there is something to redeem on the way out.
            java.net.http.HttpResponse<String> paid = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + apiPort + "/api/generate"))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"hypha-tiny\","
                                    + "\"prompt\":\"Hi\",\"stream\":false,\"options\":{\"num_predict\":3}}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(paid.statusCode()).as(paid.body()).isEqualTo(200);

            up.destroy(); // SIGTERM

            assertThat(up.waitFor(2, TimeUnit.MINUTES)).as("hypha up stopped after SIGTERM").isTrue();
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            assertThat(up.exitValue()).as("128 + SIGTERM, as every JVM service reports a TERM stop").isEqualTo(143);
            assertThat(stdout).contains("Stopping: node, then anvil", "Stopped.");
            // The chain outlives the JVM's shutdown until the provider has redeemed (anvil stops last, not at SIGTERM).
            assertThat(stdout).contains("Stopping the provider, redeeming what it earned and paying the royalties it owes...",
                    "Redeemed channel ")
                    .doesNotContain("Could not redeem");
            assertThat(stderr.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")))
                    .as("a clean stop warns of nothing").isEmpty();
            assertThat(ProcessHandle.of(anvilPid).map(ProcessHandle::isAlive).orElse(false)).as("anvil stopped").isFalse();
            assertThat(home.resolve("devnet/state.json")).isNotEmptyFile();
            assertThat(home.resolve("devnet/anvil.pid")).doesNotExist();
        } finally {
            up.destroyForcibly();
            // A failed check leaves hypha up killed before it could stop its anvil: stop that too, by its pid file.
            stopAnvil(home.resolve("devnet/anvil.pid"));
        }
    }

    private static void stopAnvil(Path pidFile) throws java.io.IOException {
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readString(pidFile).strip().split("\\s+")[0]);
            ProcessHandle.of(pid).filter(p -> p.info().command().map(c -> c.endsWith("anvil")).orElse(false))
                    .ifPresent(ProcessHandle::destroy);
        }
    }
}

package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hypha gateway} in-process: serves the store's models on loopback until stopped; refuses other addresses. */
class GatewayCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void servesTheStoresModelsUntilStopped(@TempDir Path home) throws Exception {
        TokenizerConfig vocab = TestVocabularies.byteLevelBpe(1000);
        Path file = home.resolve("m.gguf");
        RandomModelFactory.write(RandomModelFactory.Spec.tiny(Architecture.QWEN2, GgmlType.Q8_0, vocab.size(), 3), vocab, file);
        new ModelStore(home, Clock.systemUTC()).importModel(file, ModelName.parse("chat"), (d, t) -> { });
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        CountDownLatch stop = new CountDownLatch(1);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Hypha.commandLine(new CliEnvironment(Map.of(), Path.of("/nonexistent-user-home"),
                CliEnvironment.StopSignal.of(stop)));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("--home", home.toString(),
                "gateway", "--listen", "127.0.0.1:" + port));
        while (!out.toString().contains("Running.") && !exit.isDone()) {
            Thread.sleep(20); // waiting for the server to come up, not measuring anything
        }
        assertThat(err.toString()).isEmpty();
        assertThat(out.toString()).contains("http://127.0.0.1:" + port, "chat:latest", "/v1");

        HttpClient http = HttpClient.newHttpClient();
        JsonNode tags = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/tags"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(tags.at("/models/0/name").asText()).isEqualTo("chat:latest");
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/generate"))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"chat\",\"prompt\":\"Hello\",\"stream\":false,\"options\":{\"num_predict\":5}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).get("done").asBoolean()).isTrue();

        stop.countDown();
        assertThat(exit.get()).isZero();
        assertThat(out.toString()).contains("Stopped.");
    }

    @Test
    void refusesANonLoopbackAddressWithoutAllowRemote(@TempDir Path home) {
        CliRun run = CliRun.run("--home", home.toString(), "gateway", "--listen", "0.0.0.0:11434");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.errorLine()).contains("0.0.0.0:11434", "not a loopback address", "API keys", "--allow-remote");
    }

    @Test
    void refusesToServeBeyondLoopbackWithoutAnApiKey(@TempDir Path home) {
        CliRun run = CliRun.run("--home", home.toString(), "gateway", "--listen", "0.0.0.0:1", "--allow-remote");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.errorLine()).contains("0.0.0.0:1", "no active key", "hypha apikey create NAME");
        CliRun.run("--home", home.toString(), "apikey", "create", "old");
        CliRun.run("--home", home.toString(), "apikey", "revoke", "old");
        CliRun revokedOnly = CliRun.run("--home", home.toString(), "gateway", "--listen", "0.0.0.0:1", "--allow-remote");
        assertThat(revokedOnly.errorLine()).contains("no active key");
    }

    @Test
    void withKeysRequiredEveryRequestNeedsAnActiveKey(@TempDir Path home) throws Exception {
        TokenizerConfig vocab = TestVocabularies.byteLevelBpe(1000);
        Path file = home.resolve("m.gguf");
        RandomModelFactory.write(RandomModelFactory.Spec.tiny(Architecture.QWEN2, GgmlType.Q8_0, vocab.size(), 3), vocab, file);
        new ModelStore(home, Clock.systemUTC()).importModel(file, ModelName.parse("chat"), (d, t) -> { });
        CliRun created = CliRun.run("--home", home.toString(), "apikey", "create", "laptop");
        assertThat(created.exitCode()).as(created.err()).isZero();
        String key = created.out().strip();
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        CountDownLatch stop = new CountDownLatch(1);
        StringWriter out = new StringWriter();
        CommandLine cli = Hypha.commandLine(new CliEnvironment(Map.of(), Path.of("/nonexistent-user-home"),
                CliEnvironment.StopSignal.of(stop)));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("--home", home.toString(),
                "gateway", "--listen", "127.0.0.1:" + port, "--require-api-key"));
        while (!out.toString().contains("Running.") && !exit.isDone()) {
            Thread.sleep(20); // waiting for the server to come up, not measuring anything
        }
        assertThat(out.toString()).contains("API key required");
        HttpClient http = HttpClient.newHttpClient();
        URI tags = URI.create("http://127.0.0.1:" + port + "/api/tags");
        HttpResponse<String> without = http.send(HttpRequest.newBuilder(tags).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(without.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(without.body()).get("error").asText()).contains("missing API key");
        HttpRequest withKey = HttpRequest.newBuilder(tags).header("Authorization", "Bearer " + key).build();
        assertThat(http.send(withKey, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        // revoked from another command while the gateway runs: refused from the next request on
        assertThat(CliRun.run("--home", home.toString(), "apikey", "revoke", "laptop").exitCode()).isZero();
        HttpResponse<String> revoked = http.send(withKey, HttpResponse.BodyHandlers.ofString());
        assertThat(revoked.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(revoked.body()).get("error").asText()).contains("invalid API key");

        stop.countDown();
        assertThat(exit.get()).isZero();
    }

    @Test
    void saysWhatIsWrongWithABadListenAddress(@TempDir Path home) {
        CliRun run = CliRun.run("--home", home.toString(), "gateway", "--listen", "localhost");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.errorLine()).contains("--listen localhost", "HOST:PORT");
    }
}

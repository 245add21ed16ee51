package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.ml.sampling.SamplingOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With one generation per model at a time ({@code numParallel} 1), a bounded queue behind it, and 503 beyond: the first
 * request is held inside its generation (its reader waits on a latch), a second waits for the model's turn, a third
 * finds the queue full.
 */
class OverloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aFullQueueAnswers503InEachApisShapeAndTheQueueDrainsInOrder(@TempDir Path home) throws Exception {
        try (GatewayFixture gateway = new GatewayFixture(home, 2,
                dev.hypha.node.testing.TinyModelStore.create(home, GatewayFixture.MODEL, 7, GatewayFixture.CONTEXT, null), 1);
             ExecutorService threads = Executors.newFixedThreadPool(2)) {
            GenerateCall call = new GenerateCall("tiny", new Prompt.Text("Once", null, true), SamplingOptions.greedy(), 20,
                    List.of(), OptionalInt.empty(), KeepAlive.DEFAULT, GenerateCall.Format.TEXT);
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<Completion> first = threads.submit(() -> gateway.backend.generate(call, piece -> {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
            inside.await();
            StringBuilder secondText = new StringBuilder();
            Future<Completion> second = threads.submit(() -> gateway.backend.generate(call, secondText::append));
            while (gateway.backend.pending() < 2) {
                Thread.onSpinWait(); // the second request has taken its place in the queue
            }
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> ollama = http.send(HttpRequest.newBuilder(URI.create(gateway.base() + "/api/generate"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"prompt\":\"x\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ollama.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(ollama.body()).get("error").asText()).contains("server busy", "2 requests");
            HttpResponse<String> openai = http.send(HttpRequest.newBuilder(URI.create(gateway.base() + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(openai.statusCode()).isEqualTo(503);
            JsonNode error = JSON.readTree(openai.body()).get("error");
            assertThat(error.get("type").asText()).isEqualTo("api_error");
            assertThat(error.get("message").asText()).contains("server busy");
            assertThat(second.isDone()).as("the second request waits for the model's turn").isFalse();

            release.countDown();
            Completion a = first.get();
            Completion b = second.get();
            assertThat(b.text()).isEqualTo(a.text()).isEqualTo(secondText.toString());
            assertThat(gateway.backend.pending()).isZero();
        }
    }
}

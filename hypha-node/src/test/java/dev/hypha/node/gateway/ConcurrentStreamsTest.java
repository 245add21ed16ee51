package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.ml.llm.Model;
import dev.hypha.node.gateway.api.GatewayRoutes;
import dev.hypha.node.gateway.local.GenerationEvent;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.testing.TinyModelStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuous batching through the gateway: requests to one model generate at once, and each answer (text and
 * log-probabilities, seeded sampling) is the same alone as among concurrent ones, in deterministic mode; a client
 * that leaves stops only its own stream.
 */
class ConcurrentStreamsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STREAMS = 4;

    @TempDir
    Path home;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final LinkedBlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();

    private static String request(int i) {
        return """
                {"model":"tiny","prompt":"Tell fortune number %d%s","stream":false,"logprobs":true,"top_logprobs":3,
                 "options":{"seed":%d,"temperature":0.8,"top_k":30,"num_predict":16}}"""
                .formatted(i, " and then some more".repeat(i), 500 + i);
    }

    private JsonNode generate(String base, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/generate"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode j = JSON.readTree(r.body());
        return JSON.createObjectNode().put("response", j.get("response").asText()).set("logprobs", j.get("logprobs"));
    }

    @Test
    void answersAreTheSameAloneAndConcurrentAndALeavingClientStopsOnlyItsStream() throws Exception {
        LocalBackend backend = new LocalBackend(TinyModelStore.create(home, "tiny:latest", 7, 8192),
                LocalBackend.Settings.defaults().withEngine(Model.Options.defaults().withDeterministic(true))
                        .withNumParallel(STREAMS).withQueue(16).withObserver(events::add));
        ApiServer server = new ApiServer("127.0.0.1", 0, List.of(new GatewayRoutes(backend, Clock.systemUTC(), () -> 1L)));
        server.start();
        String base = "http://127.0.0.1:" + server.port();
        try (ExecutorService threads = Executors.newFixedThreadPool(STREAMS + 1)) {
            List<JsonNode> alone = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                alone.add(generate(base, request(i)));
            }
            // all at once, and a client that leaves a long generation after three pieces beside them
            Future<Integer> leaver = threads.submit(() -> leaveAfterThreePieces(server.port()));
            List<Future<JsonNode>> together = new ArrayList<>();
            for (int i = 0; i < STREAMS - 1; i++) {
                int n = i;
                together.add(threads.submit(() -> generate(base, request(n))));
            }
            assertThat(leaver.get()).isEqualTo(3);
            together.add(threads.submit(() -> generate(base, request(STREAMS - 1))));
            for (int i = 0; i < STREAMS; i++) {
                assertThat(together.get(i).get()).as("request %d", i).isEqualTo(alone.get(i));
                assertThat(alone.get(i).get("logprobs")).hasSize(16);
            }
            List<GenerationEvent> ended = new ArrayList<>();
            events.drainTo(ended);
            assertThat(ended.stream().filter(e -> e.outcome() == GenerationEvent.Outcome.CANCELLED)).hasSize(1);
            assertThat(ended.stream().filter(e -> e.outcome() == GenerationEvent.Outcome.COMPLETED)).hasSize(2 * STREAMS);
        } finally {
            server.close();
            backend.close();
        }
    }

    @Test
    void numParallelComesFromTheEnvironmentAndABadValueIsNamed() {
        assertThat(LocalBackend.Settings.numParallel(Map.of())).isEqualTo(LocalBackend.Settings.DEFAULT_NUM_PARALLEL);
        assertThat(LocalBackend.Settings.numParallel(Map.of("HYPHA_NUM_PARALLEL", " 8 "))).isEqualTo(8);
        for (String bad : List.of("0", "-1", "65", "four")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> LocalBackend.Settings.numParallel(Map.of("HYPHA_NUM_PARALLEL", bad)))
                    .hasMessageContaining("HYPHA_NUM_PARALLEL must be a whole number from 1 to 64");
        }
    }

    /** A streaming request for an unbounded generation whose client hangs up after three pieces. */
    private static int leaveAfterThreePieces(int port) throws Exception {
        String body = "{\"model\":\"tiny\",\"prompt\":\"Once\",\"raw\":true,\"options\":{\"temperature\":0}}";
        int received = 0;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/generate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && received < 3) {
                if (line.contains("\"response\"")) {
                    received++;
                }
            }
        }
        return received;
    }
}

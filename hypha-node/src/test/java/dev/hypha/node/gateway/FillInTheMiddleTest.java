package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.node.testing.TinyModelStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ollama's {@code suffix} on /api/generate for a model with fill-in-the-middle tokens: the gateway lays the prompt out
 * as llama.cpp's infill does ([BOS] PRE prefix SUF suffix MID) and the answer is what the engine writes after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FillInTheMiddleTest {
    private static final int PRE = 500;
    private static final int SUF = 501;
    private static final int MID = 502;
    private static final ObjectMapper JSON = new ObjectMapper();

    GatewayFixture gateway;
    DirectEngine engine;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(@TempDir Path home) {
        gateway = new GatewayFixture(home, 4, TinyModelStore.createWithFim(home, GatewayFixture.MODEL, 7, 512, PRE, SUF,
                MID));
        engine = new DirectEngine(gateway.store, GatewayFixture.MODEL);
    }

    @AfterAll
    void stop() {
        engine.close();
        gateway.close();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.base() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSuffixFillsTheMiddleWithTheModelsOwnTokens() throws Exception {
        HttpResponse<String> r = post("/api/generate", """
                {"model":"tiny","prompt":"def add(a, b):\\n","suffix":"\\n    return c","stream":false,
                 "options":{"temperature":0,"num_predict":16}}""");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode j = JSON.readTree(r.body());
        int[] lead = engine.encode("", true, false);
        int[] prefix = engine.encode("def add(a, b):\n", false, false);
        int[] suffix = engine.encode("\n    return c", false, false);
        IntStream.Builder expected = IntStream.builder();
        if (lead.length > 0 && lead[0] == engine.bos()) {
            expected.add(engine.bos());
        }
        expected.add(PRE);
        IntStream.of(prefix).forEach(expected::add);
        expected.add(SUF);
        IntStream.of(suffix).forEach(expected::add);
        expected.add(MID);
        int[] prompt = expected.build().toArray();
        assertThat(j.get("prompt_eval_count").asInt()).isEqualTo(prompt.length);
        assertThat(j.get("response").asText()).isEqualTo(engine.continued(prompt, 16, SamplingOptions.greedy()));
        assertThat(j.has("context")).isFalse();

        JsonNode show = JSON.readTree(post("/api/show", "{\"model\":\"tiny\"}").body());
        assertThat(show.get("capabilities")).anyMatch(c -> c.asText().equals("insert"));
    }

    @Test
    void controlTokenTextsInThePromptAreNotTheMarkers() throws Exception {
        // The texts are tokenized as plain text: a prompt cannot forge the fill-in-the-middle layout.
        int[] asText = engine.encode("<|im_start|>", false, false);
        assertThat(asText.length).isGreaterThan(1);
        HttpResponse<String> r = post("/api/generate", """
                {"model":"tiny","prompt":"<|im_start|>","suffix":"x","stream":false,"options":{"num_predict":1}}""");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        int lead = engine.encode("", true, false).length > 0 ? 1 : 0;
        assertThat(JSON.readTree(r.body()).get("prompt_eval_count").asInt())
                .isEqualTo(lead + 3 + asText.length + engine.encode("x", false, false).length);
    }

    @Test
    void suffixWithRawOrContextOrThinkingIsRefusedByName() throws Exception {
        for (String extra : new String[] {"\"raw\":true", "\"context\":[1,2]", "\"think\":true"}) {
            HttpResponse<String> r = post("/api/generate", "{\"model\":\"tiny\",\"prompt\":\"a\",\"suffix\":\"b\","
                    + extra + "}");
            assertThat(r.statusCode()).as(extra).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("error").asText()).as(extra).containsAnyOf("suffix", "think");
        }
    }
}

package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.ModelConfig;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway serving a qwen3moe model (8 experts, 2 used) from a real store on loopback: /api/show reports the
 * architecture and the expert counts, and /api/generate answers (greedy, twice the same text).
 */
class MoeGatewayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void showsAndServesAMixtureOfExpertsModel(@TempDir Path home) throws Exception {
        TokenizerConfig vocab = TestVocabularies.byteLevelBpe(1000);
        Path file = home.resolve("moe.gguf");
        RandomModelFactory.write(new RandomModelFactory.Spec(Architecture.QWEN3MOE, 64, 192, 2, 4, 2, 16, vocab.size(),
                1024, GgmlType.Q8_0, false, 7, 0, new ModelConfig.Experts(8, 2, 64)), vocab.toMetadata(), file);
        ModelStore store = new ModelStore(home, Clock.systemUTC());
        store.importModel(file, ModelName.parse(GatewayFixture.MODEL), (done, total) -> { });
        try (GatewayFixture gateway = new GatewayFixture(home, 4, store)) {
            JsonNode show = post(gateway, "/api/show", "{\"model\":\"tiny\"}");
            assertThat(show.at("/details/family").asText()).isEqualTo("qwen3moe");
            assertThat(show.at("/model_info/general.architecture").asText()).isEqualTo("qwen3moe");
            assertThat(show.at("/model_info/qwen3moe.expert_count").asInt()).isEqualTo(8);
            assertThat(show.at("/model_info/qwen3moe.expert_used_count").asInt()).isEqualTo(2);
            assertThat(show.at("/model_info/qwen3moe.expert_feed_forward_length").asInt()).isEqualTo(64);

            String request = "{\"model\":\"tiny\",\"prompt\":\"Tell me a fortune.\",\"stream\":false,"
                    + "\"options\":{\"temperature\":0,\"num_predict\":8}}";
            JsonNode first = post(gateway, "/api/generate", request);
            JsonNode second = post(gateway, "/api/generate", request);
            assertThat(first.get("done").asBoolean()).isTrue();
            assertThat(first.get("eval_count").asInt()).isPositive();
            assertThat(second.get("response").asText()).isEqualTo(first.get("response").asText());
        }
    }

    private JsonNode post(GatewayFixture gw, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw.base() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}

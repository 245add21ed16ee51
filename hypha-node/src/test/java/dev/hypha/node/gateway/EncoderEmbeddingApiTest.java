package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.ml.encoder.EncoderArchitecture;
import dev.hypha.ml.encoder.EncoderModel;
import dev.hypha.ml.encoder.RandomEncoderFactory;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Pooling;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.node.testing.TinyModelStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Embedding encoders (bert, nomic-bert) served by a real gateway on loopback: /api/embed and /v1/embeddings answer
 * exactly the encoder's own embedding of the WordPiece tokens ([CLS] ... [SEP]), and chat on such a model is refused
 * with a message saying what it is.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EncoderEmbeddingApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    GatewayFixture gateway;
    Path bertFile;
    Path nomicFile;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    void start(@TempDir Path home) {
        ModelStore store = TinyModelStore.create(home, GatewayFixture.MODEL, 7, 256);
        bertFile = home.resolve("minilm.gguf");
        nomicFile = home.resolve("nomic.gguf");
        RandomEncoderFactory.write(RandomEncoderFactory.Spec.tiny(EncoderArchitecture.BERT, Pooling.MEAN, 21), bertFile);
        RandomEncoderFactory.write(RandomEncoderFactory.Spec.tiny(EncoderArchitecture.NOMIC_BERT, Pooling.MEAN, 22), nomicFile);
        store.importModel(bertFile, ModelName.parse("minilm:latest"), (done, total) -> { });
        store.importModel(nomicFile, ModelName.parse("nomic:latest"), (done, total) -> { });
        gateway = new GatewayFixture(home, 8, store);
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    private JsonNode post(String path, String body, int status) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.base() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    private static float[] direct(Path file, String text) {
        try (GgufFile gguf = GgufFile.open(file); EncoderModel m = EncoderModel.load(gguf, 1)) {
            return m.embed(Tokenizer.fromGguf(gguf).encode(text, true, false));
        }
    }

    private static void assertSameBits(JsonNode vector, float[] expected) {
        assertThat(vector).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat((float) vector.get(i).asDouble()).as("component %d", i).isEqualTo(expected[i]);
        }
    }

    @Test
    void ollamaEmbedAnswersTheEncodersEmbedding() throws Exception {
        JsonNode j = post("/api/embed", "{\"model\":\"minilm\",\"input\":[\"Fortune favours the bold.\",\"the lazy dog\"]}", 200);
        assertThat(j.get("embeddings")).hasSize(2);
        assertSameBits(j.get("embeddings").get(0), direct(bertFile, "Fortune favours the bold."));
        assertSameBits(j.get("embeddings").get(1), direct(bertFile, "the lazy dog"));
        // [CLS] fortune favours the bold . [SEP] and [CLS] the lazy dog [SEP]
        assertThat(j.get("prompt_eval_count").asInt()).isEqualTo(7 + 5);
        JsonNode nomic = post("/api/embed", "{\"model\":\"nomic\",\"input\":\"hello world\"}", 200);
        assertSameBits(nomic.get("embeddings").get(0), direct(nomicFile, "hello world"));
    }

    @Test
    void openAiEmbeddingsAnswerTheEncodersEmbedding() throws Exception {
        JsonNode j = post("/v1/embeddings", "{\"model\":\"minilm\",\"input\":[\"quick brown fox\"]}", 200);
        assertSameBits(j.at("/data/0/embedding"), direct(bertFile, "quick brown fox"));
        assertThat(j.at("/usage/prompt_tokens").asInt()).isEqualTo(5);
    }

    @Test
    void chatOnAnEmbeddingModelIsRefusedSayingWhy() throws Exception {
        JsonNode j = post("/api/chat", "{\"model\":\"minilm\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 400);
        assertThat(j.get("error").asText()).contains("minilm", "embedding model", "cannot chat");
    }

    @Test
    void anInputLongerThanTheContextIsRefusedUnlessTruncated() throws Exception {
        String longText = "the ".repeat(200);
        JsonNode refused = post("/api/embed", "{\"model\":\"minilm\",\"input\":\"" + longText + "\",\"truncate\":false}", 400);
        assertThat(refused.get("error").asText()).contains("longer than the context of 128");
        JsonNode cut = post("/api/embed", "{\"model\":\"minilm\",\"input\":\"" + longText + "\"}", 200);
        assertThat(cut.get("embeddings").get(0)).hasSize(64);
    }

    /** A hostile client cannot make one request embed (and hold in memory) an unbounded number of inputs. */
    @Test
    void moreInputsThanTheLimitAreRefusedBeforeAnyWork() throws Exception {
        String many = "[" + String.join(",", java.util.Collections.nCopies(EmbedCall.MAX_INPUTS + 1,
                "\"a\"")) + "]";
        JsonNode ollama = post("/api/embed", "{\"model\":\"minilm\",\"input\":" + many + "}", 400);
        assertThat(ollama.get("error").asText()).contains(String.valueOf(EmbedCall.MAX_INPUTS + 1), "at most "
                + EmbedCall.MAX_INPUTS);
        JsonNode openAi = post("/v1/embeddings", "{\"model\":\"minilm\",\"input\":" + many + "}", 400);
        assertThat(openAi.toString()).contains("at most " + EmbedCall.MAX_INPUTS);
    }
}

package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.hypha.ml.sampling.SamplingOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The official OpenAI Java SDK, unchanged, pointed at the gateway: what it sends and reads must work. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiSdkTest {
    GatewayFixture gateway;
    DirectEngine engine;
    OpenAIClient client;

    @BeforeAll
    void start(@TempDir Path home) {
        gateway = new GatewayFixture(home, 8);
        engine = new DirectEngine(gateway.store, GatewayFixture.MODEL);
        // SDKs insist on a key; the gateway does not check one yet (loopback only).
        client = OpenAIOkHttpClient.builder().baseUrl(gateway.base() + "/v1").apiKey("unused").maxRetries(0).build();
    }

    @AfterAll
    void stop() {
        client.close();
        engine.close();
        gateway.close();
    }

    private static ChatCompletionCreateParams.Builder greedyChat(int maxTokens) {
        return ChatCompletionCreateParams.builder().model("tiny").addSystemMessage("Be brief.")
                .addUserMessage("What is a fortune?").temperature(0.0).maxCompletionTokens(maxTokens);
    }

    @Test
    void chatCompletionEqualsTheEnginesConversation() {
        ChatCompletion c = client.chat().completions().create(greedyChat(20).build());
        String expected = engine.chat("Be brief.", "What is a fortune?", 20, SamplingOptions.greedy());
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().getFirst().message().content()).contains(expected);
        assertThat(expected).isNotEmpty();
        assertThat(c.choices().getFirst().finishReason().asString()).isIn("stop", "length");
        assertThat(c.model()).isEqualTo("tiny");
        assertThat(c.usage().orElseThrow().completionTokens()).isBetween(1L, 20L);
        assertThat(c.usage().orElseThrow().totalTokens())
                .isEqualTo(c.usage().orElseThrow().promptTokens() + c.usage().orElseThrow().completionTokens());
    }

    @Test
    void streamedChatGivesTheSameTextAndUsageInTheLastChunk() {
        ChatCompletion whole = client.chat().completions().create(greedyChat(20).build());
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(greedyChat(20)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(chunks::add);
        }
        StringBuilder text = new StringBuilder();
        for (ChatCompletionChunk c : chunks) {
            c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
        }
        assertThat(text.toString()).isEqualTo(whole.choices().getFirst().message().content().orElseThrow());
        assertThat(chunks.getFirst().choices().getFirst().delta().role().map(r -> r.asString())).contains("assistant");
        ChatCompletionChunk last = chunks.getLast();
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().completionTokens())
                .isEqualTo(whole.usage().orElseThrow().completionTokens());
        assertThat(chunks.get(chunks.size() - 2).choices().getFirst().finishReason()).isPresent();
        assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> assertThat(c.usage()).isEmpty());
    }

    @Test
    void completionContinuesTheRawText() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model("tiny").prompt("Once upon a time")
                .maxTokens(24).temperature(0.0).build());
        assertThat(c.choices().getFirst().text()).isEqualTo(engine.raw("Once upon a time", 24, SamplingOptions.greedy()));
        assertThat(c.usage().orElseThrow().completionTokens()).isBetween(1L, 24L);
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<Completion> s = client.completions().createStreaming(CompletionCreateParams.builder()
                .model("tiny").prompt("Once upon a time").maxTokens(24).temperature(0.0).build())) {
            s.stream().forEach(x -> x.choices().forEach(ch -> streamed.append(ch.text())));
        }
        assertThat(streamed.toString()).isEqualTo(c.choices().getFirst().text());
    }

    @Test
    void seededSamplingIsReproducible() {
        ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model("tiny").addUserMessage("Surprise me")
                .seed(5).maxCompletionTokens(30).build();
        String a = client.chat().completions().create(p).choices().getFirst().message().content().orElseThrow();
        String b = client.chat().completions().create(p).choices().getFirst().message().content().orElseThrow();
        assertThat(a).isEqualTo(b);
        // OpenAI's defaults as Ollama applies them: temperature 1, top_p 1, no top-k, no min-p.
        assertThat(a).isEqualTo(engine.chat(null, "Surprise me", 30, new SamplingOptions(1f, 0, 1f, 0f, 1f, 0f, 0f, 64, 5)));
    }

    @Test
    void modelsListsTheStore() {
        List<Model> models = client.models().list().data();
        assertThat(models).extracting(Model::id).containsExactly("tiny:latest");
        assertThat(models.getFirst().ownedBy()).isEqualTo("library");
        assertThat(client.models().retrieve("tiny").id()).isEqualTo("tiny:latest");
    }

    @Test
    void embeddingsEqualTheEnginesInBothEncodings() {
        float[] expected = engine.embed("fortune favours the bold");
        for (EmbeddingCreateParams.EncodingFormat format : List.of(EmbeddingCreateParams.EncodingFormat.FLOAT,
                EmbeddingCreateParams.EncodingFormat.BASE64)) {
            CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder().model("tiny")
                    .input("fortune favours the bold").encodingFormat(format).build());
            List<Float> v = r.data().getFirst().embedding();
            assertThat(v).as(format.toString()).hasSize(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat(v.get(i)).isEqualTo(expected[i]);
            }
            assertThat(r.usage().promptTokens()).isPositive();
        }
    }

    @Test
    void errorsReachTheSdkAsItsOwnExceptions() {
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder().model("nope")
                .addUserMessage("hi").build()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("model \"nope\" not found");
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder().model("tiny")
                .addUserMessage("hi").n(3).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("n must be 1");
    }
}

package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaEmbeddingModel;
import dev.langchain4j.model.ollama.OllamaLanguageModel;
import dev.langchain4j.model.ollama.OllamaModel;
import dev.langchain4j.model.ollama.OllamaModelCard;
import dev.langchain4j.model.ollama.OllamaModels;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.output.Response;
import dev.hypha.ml.sampling.SamplingOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A maintained Java Ollama client (LangChain4j's langchain4j-ollama), unchanged, pointed at the gateway: chat,
 * streaming chat, generate, list, show and embeddings must work as they do against Ollama itself. The model has random
 * weights, so answers are checked against the engine run directly, not for sense.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OllamaClientTest {
    GatewayFixture gateway;
    DirectEngine engine;

    @BeforeAll
    void start(@TempDir Path home) {
        gateway = new GatewayFixture(home, 8);
        engine = new DirectEngine(gateway.store, GatewayFixture.MODEL);
    }

    @AfterAll
    void stop() {
        engine.close();
        gateway.close();
    }

    private OllamaChatModel chatModel(String model) {
        return OllamaChatModel.builder().baseUrl(gateway.base()).modelName(model).temperature(0.0).numPredict(20)
                .maxRetries(0).build();
    }

    @Test
    void chatEqualsTheEnginesConversation() {
        ChatResponse r = chatModel("tiny").chat(SystemMessage.from("Be brief."), UserMessage.from("What is a fortune?"));
        String expected = engine.chat("Be brief.", "What is a fortune?", 20, SamplingOptions.greedy());
        assertThat(expected).isNotEmpty();
        assertThat(r.aiMessage().text()).isEqualTo(expected);
        assertThat(r.metadata().tokenUsage().outputTokenCount()).isBetween(1, 20);
        assertThat(r.metadata().tokenUsage().inputTokenCount()).isPositive();
        assertThat(r.metadata().finishReason()).isNotNull();
    }

    @Test
    void streamingChatGivesTheSameTextInPieces() throws Exception {
        OllamaStreamingChatModel streaming = OllamaStreamingChatModel.builder().baseUrl(gateway.base()).modelName("tiny")
                .temperature(0.0).numPredict(20).build();
        StringBuilder pieces = new StringBuilder();
        int[] count = {0};
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat(List.of(SystemMessage.from("Be brief."), UserMessage.from("What is a fortune?")),
                new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(String partial) {
                        pieces.append(partial);
                        count[0]++;
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse response) {
                        done.complete(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        done.completeExceptionally(error);
                    }
                });
        ChatResponse whole = done.get(2, TimeUnit.MINUTES);
        String expected = engine.chat("Be brief.", "What is a fortune?", 20, SamplingOptions.greedy());
        assertThat(pieces.toString()).isEqualTo(expected);
        assertThat(whole.aiMessage().text()).isEqualTo(expected);
        assertThat(count[0]).isGreaterThan(1);
        assertThat(whole.metadata().tokenUsage().outputTokenCount()).isBetween(1, 20);
    }

    @Test
    void generateContinuesThroughTheTemplate() {
        OllamaLanguageModel generate = OllamaLanguageModel.builder().baseUrl(gateway.base()).modelName("tiny")
                .temperature(0.0).numPredict(16).maxRetries(0).build();
        Response<String> r = generate.generate("Once upon a time");
        // /api/generate without raw wraps the prompt in the chat template, as a one-message conversation.
        assertThat(r.content()).isEqualTo(engine.chat(null, "Once upon a time", 16, SamplingOptions.greedy()));
        assertThat(r.tokenUsage().outputTokenCount()).isBetween(1, 16);
    }

    @Test
    void listAndShowDescribeTheStoredModel() {
        OllamaModels models = OllamaModels.builder().baseUrl(gateway.base()).maxRetries(0).build();
        List<OllamaModel> list = models.availableModels().content();
        assertThat(list).extracting(OllamaModel::getName).containsExactly("tiny:latest");
        assertThat(list.getFirst().getDetails().getFamily()).isEqualTo("qwen2");
        assertThat(list.getFirst().getDigest()).isNotBlank();
        OllamaModelCard card = models.modelCard("tiny").content();
        assertThat(card.getTemplate()).isNotBlank();
        assertThat(card.getDetails().getQuantizationLevel()).isEqualTo("Q8_0");
        assertThat(card.getCapabilities()).contains("completion");
        assertThat(card.getModelInfo()).containsKey("general.architecture");
        assertThat(card.getModifiedAt()).isNotNull();
        assertThat(models.runningModels().content()).isNotNull();
    }

    @Test
    void embeddingsEqualTheEngines() {
        OllamaEmbeddingModel embedder = OllamaEmbeddingModel.builder().baseUrl(gateway.base()).modelName("tiny")
                .maxRetries(0).build();
        float[] expected = engine.embed("fortune favours the bold");
        Embedding e = embedder.embed("fortune favours the bold").content();
        assertThat(e.vector()).containsExactly(expected);
        assertThat(embedder.dimension()).isEqualTo(expected.length);
    }

    @Test
    void anUnknownModelIsAnErrorTheClientReports() {
        // The client maps Ollama's 404 to its own exception; the body it quotes is Ollama's error object.
        assertThatThrownBy(() -> chatModel("nope").chat(UserMessage.from("hi")))
                .isInstanceOf(ModelNotFoundException.class).hasMessageContaining("not found, try pulling it first");
    }
}

package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.ReasoningEffort;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.ollama.OllamaChatModel;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code think} through both APIs and real clients, over the tiny model given a Qwen3-style template whose generation
 * prompt opens {@code <think>}: everything the random model writes is then reasoning. What the reasoning must be is
 * known independently: the same prompt text sent raw with thinking off gives the model's output unsplit. Every request
 * starts from an unloaded model (greedy decoding on a cold cache), so the texts compare exactly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThinkingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The thinking template's rendering of one user turn "Why?", opened for reasoning. */
    private static final String RENDERED = "<|im_start|>user\nWhy?<|im_end|>\n<|im_start|>assistant\n<think>\n";
    private static final String OPTIONS = "\"options\":{\"temperature\":0,\"seed\":3,\"num_predict\":12}";

    GatewayFixture gateway;
    OpenAIClient client;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** The model's own continuation of {@link #RENDERED}: what the reasoning must be. */
    String reasoning;

    @BeforeAll
    void start(@TempDir Path home) throws Exception {
        String template;
        try (InputStream in = ThinkingTest.class.getResourceAsStream("thinking.jinja")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        gateway = new GatewayFixture(home, 8, 7, GatewayFixture.CONTEXT, template);
        client = OpenAIOkHttpClient.builder().baseUrl(gateway.base() + "/v1").apiKey("unused").maxRetries(0).build();
        JsonNode raw = ok(post("/api/generate", """
                {"model":"tiny","stream":false,"raw":true,"think":false,"keep_alive":0,"prompt":%s,%s}"""
                .formatted(JSON.writeValueAsString(RENDERED), OPTIONS)));
        String text = raw.get("response").asText();
        assertThat(text).isNotBlank().doesNotContain("</think>"); // so all of it is reasoning
        reasoning = text.stripLeading();
    }

    @AfterAll
    void stop() {
        client.close();
        gateway.close();
    }

    @BeforeEach
    void unload() throws Exception {
        ok(post("/api/generate", "{\"model\":\"tiny\",\"keep_alive\":0}"));
    }

    @Test
    void showListsThinkingAmongTheCapabilities() throws Exception {
        JsonNode show = ok(post("/api/show", "{\"model\":\"tiny\"}"));
        assertThat(show.get("capabilities").toString()).contains("\"thinking\"");
    }

    @Test
    void aThinkingModelThinksByDefaultAndTheReasoningComesApart() throws Exception {
        JsonNode chat = ok(post("/api/chat", """
                {"model":"tiny","stream":false,"keep_alive":0,"messages":[{"role":"user","content":"Why?"}],%s}"""
                .formatted(OPTIONS)));
        assertThat(chat.get("message").get("thinking").asText()).isEqualTo(reasoning);
        assertThat(chat.get("message").get("content").asText()).isEmpty();
        JsonNode generate = ok(post("/api/generate", """
                {"model":"tiny","stream":false,"keep_alive":0,"prompt":"Why?","think":true,%s}""".formatted(OPTIONS)));
        assertThat(generate.get("thinking").asText()).isEqualTo(reasoning);
        assertThat(generate.get("response").asText()).isEmpty();
    }

    @Test
    void aStreamedAnswerSendsTheReasoningInItsOwnField() throws Exception {
        HttpResponse<String> r = post("/api/chat", """
                {"model":"tiny","keep_alive":0,"think":"high","messages":[{"role":"user","content":"Why?"}],%s}"""
                .formatted(OPTIONS));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        StringBuilder thinking = new StringBuilder();
        StringBuilder content = new StringBuilder();
        for (String line : r.body().split("\n")) {
            JsonNode m = JSON.readTree(line).get("message");
            thinking.append(m.path("thinking").asText(""));
            content.append(m.get("content").asText());
        }
        assertThat(thinking).hasToString(reasoning);
        assertThat(content).isEmpty();
    }

    @Test
    void aProviderFrontingAnOpenAiServerPassesThinkOnAndReadsTheReasoningApart() {
        // The upstream here is this gateway's own /v1 (it reads chat_template_kwargs.enable_thinking as llama.cpp's
        // server and vLLM do, and streams the reasoning in its own delta field).
        try (var upstream = new dev.hypha.node.gateway.remote.OpenAiUpstream(java.net.URI.create(gateway.base()))) {
            for (boolean think : new boolean[] {true, false}) {
                GenerateCall call = new GenerateCall("tiny", new Prompt.Chat(List.of(new Prompt.Message("user", "Why?"))),
                        dev.hypha.ml.sampling.SamplingOptions.defaults().withTemperature(0).withSeed(3), 12, List.of(),
                        java.util.OptionalInt.empty(), KeepAlive.DEFAULT, GenerateCall.Format.TEXT,
                        java.util.Optional.empty(), List.of(), java.util.OptionalInt.empty(), java.util.Optional.empty(),
                        java.util.Optional.of(think));
                StringBuilder streamedThinking = new StringBuilder();
                Completion through = upstream.generate(call, new TextSink() {
                    @Override
                    public void accept(String piece) {
                    }

                    @Override
                    public void thinking(String piece) {
                        streamedThinking.append(piece);
                    }
                });
                Completion local = gateway.backend.generate(call, TextSink.DISCARD);
                assertThat(through.thinking()).as("think " + think).isEqualTo(local.thinking())
                        .isEqualTo(streamedThinking.toString());
                assertThat(through.text()).isEqualTo(local.text());
                if (think) {
                    assertThat(through.thinking()).isEqualTo(reasoning);
                } else {
                    assertThat(through.thinking()).isEmpty();
                }
            }
        }
    }

    @Test
    void thinkFalseAsksTheTemplateForNoReasoning() throws Exception {
        JsonNode chat = ok(post("/api/chat", """
                {"model":"tiny","stream":false,"keep_alive":0,"think":false,"messages":[{"role":"user","content":"Why?"}],
                 %s}""".formatted(OPTIONS)));
        assertThat(chat.get("message").has("thinking")).isFalse();
        assertThat(chat.get("message").get("content").asText()).isNotEmpty();
        // the template wrote the empty reasoning block, so the prompt is longer than the thinking one
        JsonNode thinking = ok(post("/api/chat", """
                {"model":"tiny","stream":false,"keep_alive":0,"messages":[{"role":"user","content":"Why?"}],%s}"""
                .formatted(OPTIONS)));
        assertThat(chat.get("prompt_eval_count").asInt()).isGreaterThan(thinking.get("prompt_eval_count").asInt());
    }

    @Test
    void mistakesAreNamed(@TempDir Path otherHome) throws Exception {
        HttpResponse<String> level = post("/api/chat", """
                {"model":"tiny","stream":false,"think":5,"messages":[{"role":"user","content":"x"}]}""");
        assertThat(level.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(level.body()).get("error").asText()).startsWith("think must be true, false");
        // think with a format: the model reasons freely, only the answer after the reasoning is held to the format
        JsonNode withFormat = ok(post("/api/chat", """
                {"model":"tiny","stream":false,"keep_alive":0,"think":true,"format":"json",
                 "messages":[{"role":"user","content":"Why?"}],%s}""".formatted(OPTIONS)));
        assertThat(withFormat.get("message").get("thinking").asText()).startsWith(reasoning);
        // a format alone turns the default reasoning off instead of failing
        JsonNode json = ok(post("/api/chat", """
                {"model":"tiny","stream":false,"format":"json","messages":[{"role":"user","content":"x"}],
                 "options":{"seed":1,"num_predict":6}}"""));
        assertThat(json.get("message").has("thinking")).isFalse();
        try (GatewayFixture chatMl = new GatewayFixture(otherHome, 8)) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(chatMl.base() + "/api/chat"))
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"model":"tiny","stream":false,"think":true,"messages":[{"role":"user","content":"x"}]}"""))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("error").asText()).startsWith("\"tiny:latest\" does not support thinking");
            HttpResponse<String> off = http.send(HttpRequest.newBuilder(URI.create(chatMl.base() + "/api/chat"))
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"model":"tiny","stream":false,"think":false,"options":{"num_predict":2},
                             "messages":[{"role":"user","content":"x"}]}"""))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(off.statusCode()).as("think false is fine for any model (Ollama's rule)").isEqualTo(200);
        }
    }

    @Test
    void openAiClientsGetTheReasoningAsOllamaSendsIt() throws Exception {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("tiny").addUserMessage("Why?")
                .temperature(0.0).seed(3).maxCompletionTokens(12).reasoningEffort(ReasoningEffort.LOW).build();
        ChatCompletion c = client.chat().completions().create(params);
        assertThat(c.choices().getFirst().message()._additionalProperties().get("reasoning"))
                .isEqualTo(JsonValue.from(reasoning));
        assertThat(c.choices().getFirst().message().content()).contains("");
        unload();
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(chunk -> chunk.choices().forEach(ch -> Optional.ofNullable(
                    ch.delta()._additionalProperties().get("reasoning")).ifPresent(v -> streamed.append(
                    v.asString().orElseThrow()))));
        }
        assertThat(streamed).hasToString(reasoning);
        unload();
        ChatCompletion none = client.chat().completions().create(params.toBuilder()
                .reasoningEffort(ReasoningEffort.of("none")).build());
        assertThat(none.choices().getFirst().message()._additionalProperties()).doesNotContainKey("reasoning");
    }

    @Test
    void langchain4jsOllamaClientReturnsTheThinking() {
        OllamaChatModel model = OllamaChatModel.builder().baseUrl(gateway.base()).modelName("tiny").temperature(0.0)
                .seed(3).numPredict(12).think(true).returnThinking(true).maxRetries(0).build();
        ChatResponse r = model.chat(UserMessage.from("Why?"));
        assertThat(r.aiMessage().thinking()).isEqualTo(reasoning);
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.base() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(HttpResponse<String> r) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}

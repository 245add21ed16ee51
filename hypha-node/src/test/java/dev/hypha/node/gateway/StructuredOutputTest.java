package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.StructuredChatCompletion;
import dev.hypha.ml.llm.JsonSchema;
import dev.hypha.ml.llm.SchemaConstraint;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.ollama.OllamaChatModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Structured output through all three doors: Ollama's {@code format} as a JSON schema (raw HTTP and LangChain4j's
 * client), OpenAI's {@code response_format: json_schema} (the official SDK, whose class-based structured outputs
 * derive the schema from a Java type and parse the answer back into it). The schemas here have finite answers (enums,
 * booleans), so even a random-weight model must finish a valid value within the token limit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StructuredOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERDICT = """
            {"type":"object","properties":{"answer":{"enum":["yes","no","maybe"]},"sure":{"type":"boolean"},
             "note":{"type":"null"}},"required":["answer","sure"]}""";

    GatewayFixture gateway;
    OpenAIClient client;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    void start(@TempDir Path home) {
        gateway = new GatewayFixture(home, 8);
        client = OpenAIOkHttpClient.builder().baseUrl(gateway.base() + "/v1").apiKey("unused").maxRetries(0).build();
    }

    @AfterAll
    void stop() {
        client.close();
        gateway.close();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.base() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertFollows(String schema, String text) throws Exception {
        assertThat(SchemaConstraint.isComplete(JsonSchema.parse(schema), text.getBytes(StandardCharsets.UTF_8)))
                .as(text).isTrue();
        JsonNode v = JSON.readTree(text);
        assertThat(v.get("answer").asText()).isIn("yes", "no", "maybe");
        assertThat(v.get("sure").isBoolean()).as(text).isTrue();
    }

    @Test
    void ollamaFormatSchemaGivesValuesThatFollowIt() throws Exception {
        for (int seed = 1; seed <= 5; seed++) {
            HttpResponse<String> r = post("/api/chat", """
                    {"model":"tiny","stream":false,"format":%s,"options":{"seed":%d,"num_predict":200},
                     "messages":[{"role":"user","content":"Is it raining?"}]}""".formatted(VERDICT, seed));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode j = JSON.readTree(r.body());
            assertThat(j.get("done_reason").asText()).isEqualTo("stop");
            assertFollows(VERDICT, j.at("/message/content").asText());
        }
        // streamed: the pieces join to a value that follows the schema
        HttpResponse<String> s = post("/api/generate", """
                {"model":"tiny","prompt":"Is it raining?","format":%s,"options":{"seed":9,"num_predict":200}}"""
                .formatted(VERDICT));
        StringBuilder text = new StringBuilder();
        for (String line : s.body().split("\n")) {
            text.append(JSON.readTree(line).get("response").asText());
        }
        assertFollows(VERDICT, text.toString());
    }

    @Test
    void langchain4jsOllamaClientGetsItsSchemaFollowed() throws Exception {
        OllamaChatModel model = OllamaChatModel.builder().baseUrl(gateway.base()).modelName("tiny").seed(4)
                .numPredict(200).maxRetries(0).build();
        ResponseFormat format = ResponseFormat.builder().type(ResponseFormatType.JSON)
                .jsonSchema(dev.langchain4j.model.chat.request.json.JsonSchema.builder().name("Verdict")
                        .rootElement(JsonObjectSchema.builder().addEnumProperty("answer", List.of("yes", "no", "maybe"))
                                .addBooleanProperty("sure").required("answer", "sure").build()).build()).build();
        String text = model.chat(ChatRequest.builder().messages(UserMessage.from("Is it raining?"))
                .responseFormat(format).build()).aiMessage().text();
        JsonNode v = JSON.readTree(text);
        assertThat(v.get("answer").asText()).isIn("yes", "no", "maybe");
        assertThat(v.get("sure").isBoolean()).as(text).isTrue();
    }

    enum Answer { YES, NO, MAYBE }

    /** What the OpenAI SDK turns into a JSON schema (strict: every property required, no others). */
    public record Verdict(Answer answer, boolean sure) {}

    @Test
    void openAiSdkStructuredOutputsParseIntoTheClass() {
        {
            for (long seed = 1; seed <= 3; seed++) {
                StructuredChatCompletion<Verdict> c = client.chat().completions().create(ChatCompletionCreateParams
                        .builder().model("tiny").addUserMessage("Is it raining?").seed(seed).maxCompletionTokens(200)
                        .responseFormat(Verdict.class).build());
                Verdict v = c.choices().getFirst().message().content().orElseThrow();
                assertThat(v.answer()).isNotNull();
            }
        }
    }

    @Test
    void schemasTheEngineCannotHonourAreRefusedByName() throws Exception {
        HttpResponse<String> r = post("/api/chat", """
                {"model":"tiny","format":{"type":"object","properties":{"a":{"anyOf":[{"type":"string"}]}}},
                 "messages":[{"role":"user","content":"x"}]}""");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText())
                .startsWith("format: properties.a: anyOf: only a tagged union is supported");
        {
            assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model("tiny").addUserMessage("x").responseFormat(com.openai.models.ResponseFormatJsonSchema.builder()
                            .jsonSchema(com.openai.models.ResponseFormatJsonSchema.JsonSchema.builder().name("x")
                                    .schema(com.openai.models.ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                                            .putAdditionalProperty("type", com.openai.core.JsonValue.from("string"))
                                            .putAdditionalProperty("pattern", com.openai.core.JsonValue.from("^x"))
                                            .build()).build()).build()).build()))
                    .isInstanceOf(BadRequestException.class)
                    .hasMessageContaining("response_format.json_schema.schema: the schema: keyword \"pattern\"");
        }
    }
}

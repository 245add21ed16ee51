package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tools through both APIs, over the tiny model given a template that takes tools (Qwen 2.5's, calls in
 * {@code <tool_call>} tags). A random-weight model calls a tool only when made to, so the call path is driven by
 * OpenAI's {@code tool_choice} naming the function (the engine then writes one call in the template's format, its
 * arguments following the tool's schema) and checked through the official SDK, streamed and not; the Ollama side
 * checks that tools and tool turns reach the template and that clients' requests with tools are answered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ToolsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    GatewayFixture gateway;
    OpenAIClient client;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    void start(@TempDir Path home) throws IOException {
        String template;
        try (InputStream in = ToolsTest.class.getResourceAsStream("qwen25-tools.jinja")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        gateway = new GatewayFixture(home, 8, 7, GatewayFixture.CONTEXT, template);
        client = OpenAIOkHttpClient.builder().baseUrl(gateway.base() + "/v1").apiKey("unused").maxRetries(0).build();
    }

    @AfterAll
    void stop() {
        client.close();
        gateway.close();
    }

    enum City { PARIS, OSLO, LIMA }

    /** The SDK derives the function's schema from this record (name "GetWeather"). */
    public record GetWeather(City city, boolean celsius) {}

    private ChatCompletionCreateParams.Builder weatherCall(long seed) {
        return ChatCompletionCreateParams.builder().model("tiny").addUserMessage("Weather in Oslo?").seed(seed)
                .maxCompletionTokens(200).addTool(GetWeather.class)
                .toolChoice(ChatCompletionNamedToolChoice.builder().function(ChatCompletionNamedToolChoice.Function
                        .builder().name("GetWeather").build()).build());
    }

    @Test
    void aRequiredCallComesBackAsTheSdksToolCallAndItsResultIsAccepted() {
        ChatCompletion c = client.chat().completions().create(weatherCall(1).build());
        var choice = c.choices().getFirst();
        assertThat(choice.finishReason().asString()).isEqualTo("tool_calls");
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
        assertThat(call.function().name()).isEqualTo("GetWeather");
        assertThat(call.id()).startsWith("call_");
        GetWeather args = call.function().arguments(GetWeather.class);
        assertThat(args.city()).isNotNull();

        // the assistant's call and the tool's result go back; the model answers in text
        ChatCompletion next = client.chat().completions().create(ChatCompletionCreateParams.builder().model("tiny")
                .addUserMessage("Weather in Oslo?").addMessage(choice.message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("-3 and snowing")
                        .build())
                .addTool(GetWeather.class).seed(2).maxCompletionTokens(10).build());
        assertThat(next.choices().getFirst().finishReason().asString()).isIn("stop", "length");
        assertThat(next.usage().orElseThrow().promptTokens()).isGreaterThan(c.usage().orElseThrow().promptTokens());
    }

    @Test
    void aStreamedCallAccumulatesToTheSameCall() {
        ChatCompletion whole = client.chat().completions().create(weatherCall(3).build());
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(weatherCall(3).build())) {
            s.stream().forEach(acc::accumulate);
        }
        ChatCompletion streamed = acc.chatCompletion();
        var a = whole.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction().function();
        var b = streamed.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction().function();
        assertThat(b.name()).isEqualTo(a.name());
        assertThat(b.arguments()).isEqualTo(a.arguments());
        assertThat(streamed.choices().getFirst().finishReason().asString()).isEqualTo("tool_calls");
        assertThat(streamed.choices().getFirst().message().content().orElse("")).doesNotContain("<tool_call>");
    }

    @Test
    void toolChoiceMistakesAreNamed() {
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder().model("tiny")
                .addUserMessage("x").addTool(GetWeather.class).toolChoice(ChatCompletionNamedToolChoice.builder()
                        .function(ChatCompletionNamedToolChoice.Function.builder().name("Nope").build()).build()).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("tool_choice names \"Nope\"");
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.base() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void ollamaChatTakesToolsAndToolTurns() throws Exception {
        String tools = """
                [{"type":"function","function":{"name":"get_weather","description":"Weather of a city",
                  "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""";
        String base = """
                {"model":"tiny","stream":false,"options":{"seed":1,"num_predict":5},%s
                 "messages":[{"role":"user","content":"Weather in Oslo?"}%s]}""";
        JsonNode plain = JSON.readTree(post("/api/chat", base.formatted("", "")).body());
        HttpResponse<String> withTools = post("/api/chat", base.formatted("\"tools\":" + tools + ",", ""));
        assertThat(withTools.statusCode()).as(withTools.body()).isEqualTo(200);
        // the definitions are in the prompt the template rendered
        assertThat(JSON.readTree(withTools.body()).get("prompt_eval_count").asInt())
                .isGreaterThan(plain.get("prompt_eval_count").asInt() + 40);
        HttpResponse<String> roundTrip = post("/api/chat", base.formatted("\"tools\":" + tools + ",", """
                ,{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Oslo"}}}]},
                 {"role":"tool","tool_name":"get_weather","content":"-3 and snowing"}"""));
        assertThat(roundTrip.statusCode()).as(roundTrip.body()).isEqualTo(200);
        HttpResponse<String> badCall = post("/api/chat", base.formatted("", """
                ,{"role":"assistant","content":"","tool_calls":[{"function":{"arguments":{}}}]}"""));
        assertThat(badCall.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badCall.body()).get("error").asText()).isEqualTo("name is required");
    }

    @Test
    void langchain4jsOllamaClientSendsToolSpecifications() {
        OllamaChatModel model = OllamaChatModel.builder().baseUrl(gateway.base()).modelName("tiny").seed(3).numPredict(8)
                .maxRetries(0).build();
        ToolSpecification weather = ToolSpecification.builder().name("get_weather").description("Weather of a city")
                .parameters(JsonObjectSchema.builder().addStringProperty("city").required("city").build()).build();
        ChatResponse r = model.chat(ChatRequest.builder().messages(UserMessage.from("Weather in Oslo?"))
                .toolSpecifications(weather).build());
        assertThat(r.metadata().tokenUsage().inputTokenCount()).isGreaterThan(60);
        assertThat(r.aiMessage()).isNotNull();
    }

    @Test
    void aModelWhoseTemplateTakesNoToolsRefusesThem(@TempDir Path otherHome) throws Exception {
        try (GatewayFixture chatMl = new GatewayFixture(otherHome, 8)) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(chatMl.base() + "/api/chat"))
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"model":"tiny","stream":false,"messages":[{"role":"user","content":"x"}],
                             "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}"""))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo(
                    "model \"tiny:latest\" does not support tools (its chat template takes no tool definitions)");
        }
    }
}

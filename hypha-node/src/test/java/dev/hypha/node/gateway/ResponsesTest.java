package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonSchemaLocalValidation;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ToolChoiceFunction;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/responses} through the official OpenAI Java SDK: text input and message input (the same greedy answer
 * as the chat API gives), the event stream (whose deltas the SDK's accumulator must rebuild into the same response),
 * function tools with their calls and outputs sent back, and the stateless refusal of {@code previous_response_id}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponsesTest {
    GatewayFixture gateway;
    OpenAIClient client;

    @BeforeAll
    void start(@TempDir Path home) throws IOException {
        String template;
        try (InputStream in = ResponsesTest.class.getResourceAsStream("qwen25-tools.jinja")) {
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

    private static String text(Response r) {
        StringBuilder b = new StringBuilder();
        for (ResponseOutputItem item : r.output()) {
            item.message().ifPresent(m -> m.content().forEach(c -> c.outputText().ifPresent(t -> b.append(t.text()))));
        }
        return b.toString();
    }

    private String greedyChat(String system, String user, int max) {
        return client.chat().completions().create(ChatCompletionCreateParams.builder().model("tiny")
                .addSystemMessage(system).addUserMessage(user).temperature(0.0).maxCompletionTokens(max).build())
                .choices().getFirst().message().content().orElseThrow();
    }

    private static ResponseCreateParams.Builder greedy(int max) {
        return ResponseCreateParams.builder().model("tiny").instructions("Be brief.").temperature(0.0).maxOutputTokens(max);
    }

    @Test
    void textInputAnswersAsTheChatApiDoes() {
        Response r = client.responses().create(greedy(12).input("What is a fortune?").build());
        assertThat(text(r)).isEqualTo(greedyChat("Be brief.", "What is a fortune?", 12)).isNotEmpty();
        assertThat(r.id()).startsWith("resp_");
        assertThat(r.model().string()).contains("tiny");
        assertThat(r.status()).contains(r.incompleteDetails().isPresent() ? ResponseStatus.INCOMPLETE : ResponseStatus.COMPLETED);
        assertThat(r.usage().orElseThrow().outputTokens()).isBetween(1L, 12L);
        assertThat(r.usage().orElseThrow().totalTokens())
                .isEqualTo(r.usage().orElseThrow().inputTokens() + r.usage().orElseThrow().outputTokens());
        assertThat(r.instructions()).isPresent();
    }

    @Test
    void messageInputWithAnEarlierTurn() {
        List<ResponseInputItem> input = List.of(
                ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER)
                        .content("Hello").build()),
                ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.ASSISTANT)
                        .content("Hi there").build()),
                ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER)
                        .content("What is a fortune?").build()));
        Response r = client.responses().create(greedy(10).inputOfResponse(input).build());
        assertThat(text(r)).isNotEmpty();
        Response shorter = client.responses().create(greedy(10).input("What is a fortune?").build());
        assertThat(r.usage().orElseThrow().inputTokens()).isGreaterThan(shorter.usage().orElseThrow().inputTokens());
    }

    @Test
    void theEventStreamRebuildsTheSameResponse() {
        Response whole = client.responses().create(greedy(16).input("Tell me a fortune").build());
        ResponseAccumulator acc = ResponseAccumulator.create();
        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(
                greedy(16).input("Tell me a fortune").build())) {
            s.stream().forEach(e -> {
                events.add(e);
                acc.accumulate(e);
            });
        }
        assertThat(events.getFirst().isCreated()).isTrue();
        assertThat(events.stream().filter(ResponseStreamEvent::isOutputTextDelta).count()).isGreaterThan(1);
        assertThat(events.getLast().isCompleted() || events.getLast().isIncomplete()).isTrue();
        assertThat(text(acc.response())).isEqualTo(text(whole));
        // events are numbered from 0 in order
        assertThat(events.getFirst().asCreated().sequenceNumber()).isZero();
        assertThat(events.get(1).asInProgress().sequenceNumber()).isEqualTo(1);
        ResponseStreamEvent last = events.getLast();
        assertThat(last.isCompleted() ? last.asCompleted().sequenceNumber() : last.asIncomplete().sequenceNumber())
                .isEqualTo(events.size() - 1);
    }

    enum City { PARIS, OSLO }

    public record GetWeather(City city, boolean celsius) {}

    @Test
    void functionCallsAndTheirOutputs() {
        ResponseCreateParams.Builder p = ResponseCreateParams.builder().model("tiny").input("Weather in Oslo?")
                .maxOutputTokens(200).addTool(GetWeather.class, JsonSchemaLocalValidation.YES)
                .toolChoice(ToolChoiceFunction.builder().name("GetWeather").build());
        Response r = client.responses().create(p.build());
        ResponseFunctionToolCall call = r.output().stream().filter(ResponseOutputItem::isFunctionCall).findFirst()
                .orElseThrow().asFunctionCall();
        assertThat(call.name()).isEqualTo("GetWeather");
        assertThat(call.arguments(GetWeather.class).city()).isNotNull();

        ResponseAccumulator acc = ResponseAccumulator.create();
        try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(p.build())) {
            s.stream().forEach(acc::accumulate);
        }
        assertThat(acc.response().output().stream().filter(ResponseOutputItem::isFunctionCall).findFirst().orElseThrow()
                .asFunctionCall().name()).isEqualTo("GetWeather");

        List<ResponseInputItem> back = List.of(
                ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER)
                        .content("Weather in Oslo?").build()),
                ResponseInputItem.ofFunctionCall(call),
                ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder().callId(call.callId())
                        .output("-3 and snowing").build()));
        Response answer = client.responses().create(ResponseCreateParams.builder().model("tiny").inputOfResponse(back)
                .addTool(GetWeather.class, JsonSchemaLocalValidation.YES).maxOutputTokens(8).build());
        assertThat(answer.usage().orElseThrow().inputTokens()).isGreaterThan(r.usage().orElseThrow().inputTokens());
    }

    @Test
    void storedStateIsRefusedByName() {
        assertThatThrownBy(() -> client.responses().create(ResponseCreateParams.builder().model("tiny").input("x")
                .previousResponseId("resp_1").build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("previous_response_id is not supported");
        assertThatThrownBy(() -> client.responses().create(ResponseCreateParams.builder().model("tiny")
                .input(JsonValue.from(List.of(java.util.Map.of("type", "input_image", "image_url", "x")))).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("input[0] is of type \"input_image\"");
    }
}

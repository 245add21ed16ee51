package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.gateway.http.KeepAliveParser;
import dev.hypha.node.gateway.ollama.OllamaRequests;
import dev.hypha.node.gateway.openai.OpenAiRequests;
import dev.hypha.node.gateway.openai.ResponsesRequests;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Request parsing meets hostile bodies: whatever arrives, the parsers either produce a call or refuse with a
 * {@link GatewayException} of kind BAD_REQUEST (never another exception, which would be a 500 and a stack trace).
 */
class RequestParsingPropertiesTest {
    private static final OllamaRequests OLLAMA = new OllamaRequests(() -> 1L);
    private static final OpenAiRequests OPENAI = new OpenAiRequests(() -> 1L);
    private static final ResponsesRequests RESPONSES = new ResponsesRequests(() -> 1L);
    private static final List<Consumer<ObjectNode>> PARSERS = List.of(OLLAMA::generate, OLLAMA::chat, OLLAMA::embed,
            OLLAMA::legacyEmbedding, OPENAI::chat, OPENAI::completion, OPENAI::embeddings, OpenAiRequests::base64,
            KeepAliveParser::parse, RESPONSES::parse);

    @Property(tries = 300)
    void arbitraryBytesAreParsedOrRefusedAsBadRequests(@ForAll byte[] bytes) {
        parseEverywhere(bytes);
    }

    @Property(tries = 1000)
    void requestShapedJsonIsParsedOrRefusedAsBadRequests(@ForAll("requests") String json) {
        parseEverywhere(json.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 200)
    void goDurationsAddUp(@ForAll @IntRange(max = 100) int h, @ForAll @IntRange(max = 59) int m,
                          @ForAll @IntRange(max = 59) int s) {
        ObjectNode body = JsonBody.parse(("{\"keep_alive\":\"" + h + "h" + m + "m" + s + "s\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(KeepAliveParser.parse(body).duration()).contains(Duration.ofSeconds(h * 3600L + m * 60L + s));
    }

    private static void parseEverywhere(byte[] bytes) {
        ObjectNode body;
        try {
            body = JsonBody.parse(bytes);
        } catch (GatewayException e) {
            assertThat(e.kind()).isEqualTo(GatewayException.Kind.BAD_REQUEST);
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        for (Consumer<ObjectNode> parser : PARSERS) {
            try {
                parser.accept(body);
            } catch (GatewayException e) {
                assertThat(e.kind()).as(e.getMessage()).isEqualTo(GatewayException.Kind.BAD_REQUEST);
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    /** JSON objects whose keys are the ones the parsers read, with values of every kind and some nesting. */
    @Provide
    Arbitrary<String> requests() {
        List<String> keys = List.of("model", "prompt", "system", "raw", "stream", "options", "messages", "role", "content",
                "temperature", "top_k", "top_p", "min_p", "repeat_penalty", "repeat_last_n", "seed", "num_predict",
                "num_ctx", "stop", "keep_alive", "format", "input", "truncate", "images", "max_tokens",
                "max_completion_tokens", "n", "stream_options", "include_usage", "encoding_format", "type", "text",
                "response_format", "tools", "think", "suffix", "dimensions", "name", "tool_calls", "function", "arguments",
                "tool_choice", "logprobs", "top_logprobs", "tool_name", "tool_call_id", "instructions", "call_id",
                "output", "include", "max_output_tokens", "parameters", "json_schema", "schema", "properties",
                "required", "items", "enum", "const", "minItems", "previous_response_id");
        Arbitrary<String> scalar = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(12).map(s -> quote(s)),
                Arbitraries.of("\"tiny\"", "\"user\"", "\"system\"", "\"admin\"", "\"5m\"", "\"-1\"", "\"json\"",
                        "\"base64\"", "\"text\"", "\"1h2x\"", "\"\"", "true", "false", "null", "\"function\"",
                        "\"json_schema\"", "\"object\"", "\"string\"", "\"array\"", "\"required\"", "\"auto\"",
                        "\"none\"", "\"tool\"", "\"assistant\"", "\"function_call\"", "\"function_call_output\"",
                        "\"message.output_text.logprobs\"", "\"{}\""),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf),
                Arbitraries.of("1e400", "-0.0", "2.5", "9223372036854775808", "1.0"));
        return Arbitraries.recursive(() -> scalar, inner -> Arbitraries.oneOf(
                inner.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]"),
                Arbitraries.maps(Arbitraries.of(keys), inner).ofMaxSize(6).map(RequestParsingPropertiesTest::object)), 4)
                .flatMap(v -> Arbitraries.maps(Arbitraries.of(keys), Arbitraries.oneOf(scalar, Arbitraries.just(v)))
                        .ofMaxSize(8).map(RequestParsingPropertiesTest::object));
    }

    private static String object(Map<String, String> fields) {
        StringBuilder b = new StringBuilder("{");
        fields.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(quote(k)).append(':').append(v));
        return b.append('}').toString();
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}

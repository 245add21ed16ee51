package dev.hypha.node.gateway.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.gateway.http.ToolFields;
import dev.hypha.node.gateway.ToolCall;
import java.util.List;

/**
 * A provider's Ollama answer read as a {@link Completion}: a whole non-streaming answer, or the last line of a stream
 * (whose text arrived in the lines before it). Bounded (the gateway's 16 MiB, nesting and duplicate-key rules), and
 * every field the payer relies on type-checked, with an error naming it.
 */
final class ProviderAnswer {
    private ProviderAnswer() {}

    static Completion parse(byte[] bytes, boolean chat) {
        ObjectNode o = object(bytes);
        return done(o, piece(o, chat));
    }

    /** One line of an answer as a JSON object. */
    static ObjectNode object(byte[] bytes) {
        try {
            return JsonBody.parse(bytes);
        } catch (GatewayException e) {
            throw bad("is not a JSON object: " + e.getMessage());
        }
    }

    /** The text a line carries ({@code message.content} for chats, {@code response} otherwise). */
    static String piece(ObjectNode o, boolean chat) {
        JsonNode text = chat ? o.path("message").path("content") : o.path("response");
        if (!text.isTextual()) {
            throw bad(chat ? "message.content must be a string" : "response must be a string");
        }
        return text.textValue();
    }

    /** The answer a final ({@code "done": true}) line closes, whose whole text is {@code text}. */
    static Completion done(ObjectNode o, String text) {
        String reason = o.path("done_reason").asText("");
        Completion.DoneReason done = switch (reason) {
            case "stop" -> Completion.DoneReason.STOP;
            case "length" -> Completion.DoneReason.LENGTH;
            default -> throw bad("done_reason must be \"stop\" or \"length\", was \"" + reason + "\"");
        };
        return new Completion(text, done, count(o, "prompt_eval_count"), count(o, "eval_count"),
                nanos(o, "load_duration"), nanos(o, "prompt_eval_duration"), nanos(o, "eval_duration"),
                nanos(o, "total_duration"), toolCalls(o), List.of());
    }

    /** A chat answer's {@code message.tool_calls}, checked as a request's would be. */
    private static List<ToolCall> toolCalls(ObjectNode o) {
        if (!(o.get("message") instanceof ObjectNode message)) {
            return List.of();
        }
        try {
            return ToolFields.calls(message, "message");
        } catch (GatewayException e) {
            throw bad(e.getMessage());
        }
    }

    private static int count(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() < 0) {
            throw bad(field + " must be a non-negative integer");
        }
        return n.intValue();
    }

    private static long nanos(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        return n != null && n.isIntegralNumber() && n.canConvertToLong() ? Math.max(0, n.longValue()) : 0;
    }

    private static GatewayException bad(String message) {
        return new GatewayException(GatewayException.Kind.INTERNAL, "the provider's answer " + message);
    }
}

package dev.hypha.ml.chat;

import java.util.Map;
import java.util.Objects;

/**
 * One chat turn.
 *
 * @param role    "system", "user", "assistant" (or "tool", as the template understands)
 * @param content the text
 * @param fields  further fields the template may read, as plain maps, lists, strings, numbers and booleans: an
 *                assistant turn's {@code tool_calls} (each {@code {id, type: "function", function: {name, arguments}}}
 *                with the arguments as a map), a tool turn's {@code name} and {@code tool_call_id}; empty for none
 */
public record ChatMessage(String role, String content, Map<String, Object> fields) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        fields = Map.copyOf(fields);
    }

    /** A turn with only a role and text. */
    public ChatMessage(String role, String content) {
        this(role, content, Map.of());
    }
}

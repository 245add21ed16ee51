package dev.hypha.ml.chat;

import java.util.Objects;

/**
 * One chat turn.
 *
 * @param role    "system", "user", "assistant" (or "tool", as the template understands)
 * @param content the text
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}

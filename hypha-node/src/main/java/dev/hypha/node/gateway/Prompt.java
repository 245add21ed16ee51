package dev.hypha.node.gateway;

import java.util.List;
import java.util.Objects;

/** What to continue: a chat (rendered with the model's own template) or a text. */
public sealed interface Prompt {

    /** Roles a chat message may have; anything else is refused before it reaches a template. */
    List<String> ROLES = List.of("system", "user", "assistant", "tool");

    /** A conversation; the model's chat template turns it into tokens and opens the assistant's turn. */
    record Chat(List<Message> messages) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
        }
    }

    /**
     * A text prompt.
     *
     * @param text   the prompt
     * @param system a system message, or null (ignored when raw)
     * @param raw    true: the text is given to the model exactly as it is, no template
     */
    record Text(String text, String system, boolean raw) implements Prompt {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * Fill in the middle (Ollama's /api/generate with a {@code suffix}): the model writes what goes between {@code
     * prefix} and {@code suffix}, laid out with the fill-in-the-middle tokens it was trained with (no chat template).
     */
    record Infill(String prefix, String suffix) implements Prompt {
        public Infill {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(suffix, "suffix");
        }
    }

    /**
     * One chat turn; the role is one of {@link #ROLES}.
     *
     * @param toolCalls  an assistant turn's calls of tools (empty for none)
     * @param toolName   a tool turn's function name, when known ("" otherwise; Ollama's {@code tool_name})
     * @param toolCallId a tool turn's call id, when known ("" otherwise; OpenAI's {@code tool_call_id})
     */
    record Message(String role, String content, List<ToolCall> toolCalls, String toolName, String toolCallId) {
        public Message {
            Objects.requireNonNull(content, "content");
            Objects.requireNonNull(toolName, "toolName");
            Objects.requireNonNull(toolCallId, "toolCallId");
            toolCalls = List.copyOf(toolCalls);
            if (!ROLES.contains(role)) {
                throw new IllegalArgumentException("unknown role " + role);
            }
        }

        /** A turn with only a role and text. */
        public Message(String role, String content) {
            this(role, content, List.of(), "", "");
        }
    }
}

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

    /** One chat turn; the role is one of {@link #ROLES}. */
    record Message(String role, String content) {
        public Message {
            Objects.requireNonNull(content, "content");
            if (!ROLES.contains(role)) {
                throw new IllegalArgumentException("unknown role " + role);
            }
        }
    }
}

package dev.hypha.node.gateway.local;

import dev.hypha.ml.chat.ChatMessage;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.chat.ChatTemplateException;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.Prompt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a {@link Prompt} into the model's tokens: chats and non-raw texts through the model's own chat template (as
 * Ollama's /api/generate does with its template), raw texts as they are. Mirrors hypha-ml's
 * {@code Conversation.promptTokens}, which only works on a conversation's own history.
 */
final class PromptRenderer {
    private final Tokenizer tokenizer;
    private final ChatTemplate template;

    PromptRenderer(Tokenizer tokenizer, ChatTemplate template) {
        this.tokenizer = tokenizer;
        this.template = template;
    }

    int[] tokens(Prompt prompt) {
        return switch (prompt) {
            case Prompt.Text t when t.raw() -> tokenizer.encode(t.text(), true, true);
            case Prompt.Text t -> {
                List<ChatMessage> messages = new ArrayList<>();
                if (t.system() != null && !t.system().isEmpty()) {
                    messages.add(new ChatMessage("system", t.system()));
                }
                messages.add(new ChatMessage("user", t.text()));
                yield templated(messages);
            }
            case Prompt.Chat c -> chat(c.messages().stream().map(m -> new ChatMessage(m.role(), m.content())).toList());
        };
    }

    /**
     * A chat whose last message is the assistant's is a prefill (Ollama's rule): the answer continues that text, so it
     * is the rendered history up to the assistant's turn followed by the text, with the turn left open. The gateway
     * uses this to let another provider finish an answer a failed one began.
     */
    private int[] chat(List<ChatMessage> messages) {
        ChatMessage last = messages.isEmpty() ? null : messages.getLast();
        if (last != null && last.role().equals("assistant") && messages.size() > 1) {
            return templated(messages.subList(0, messages.size() - 1), last.content());
        }
        return templated(messages, "");
    }

    private int[] templated(List<ChatMessage> messages) {
        return templated(messages, "");
    }

    private int[] templated(List<ChatMessage> messages, String prefill) {
        String text;
        try {
            text = template.render(messages, true) + prefill;
        } catch (ChatTemplateException e) {
            // Templates raise on inputs they refuse (roles that do not alternate, a system message in the wrong place).
            throw GatewayException.badRequest("the model's chat template refused the messages: " + e.getMessage());
        }
        int[] tokens = tokenizer.encode(text, true, true);
        int bos = tokenizer.bos();
        if (tokens.length >= 2 && bos >= 0 && tokens[0] == bos && tokens[1] == bos) {
            tokens = Arrays.copyOfRange(tokens, 1, tokens.length); // the template wrote the BOS text itself
        }
        return tokens;
    }

    int[] embeddingTokens(String text) {
        return tokenizer.encode(text, true, false);
    }
}

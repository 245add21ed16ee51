package dev.hypha.node.gateway.network;

import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.Prompt;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The request that lets another provider finish an answer a failed one began: the same call with the delivered text
 * as a prefill (a chat gains an assistant message holding it, which the provider continues; a templated text prompt
 * becomes that chat; a raw prompt simply grows by the text), and the token limit reduced by what was delivered.
 */
final class Continuation {
    private Continuation() {}

    /**
     * @param deliveredTokens pieces already delivered (one per generated token)
     * @return the follow-up call, or empty when the delivered text already used the whole token limit
     */
    static Optional<GenerateCall> of(GenerateCall call, String delivered, int deliveredTokens) {
        if (delivered.isEmpty()) {
            return Optional.of(call);
        }
        int max = call.maxTokens();
        if (max != GenerateCall.UNLIMITED) {
            if (deliveredTokens >= max) {
                return Optional.empty();
            }
            max -= deliveredTokens;
        }
        Prompt prompt = switch (call.prompt()) {
            case Prompt.Chat chat -> prefilled(chat.messages(), delivered);
            case Prompt.Infill infill -> throw new IllegalArgumentException(whyNot(call).orElseThrow());
            case Prompt.Text text when text.raw() -> new Prompt.Text(text.text() + delivered, null, true);
            case Prompt.Text text -> {
                List<Prompt.Message> messages = new ArrayList<>();
                if (text.system() != null && !text.system().isEmpty()) {
                    messages.add(new Prompt.Message("system", text.system()));
                }
                messages.add(new Prompt.Message("user", text.text()));
                yield prefilled(messages, delivered);
            }
        };
        return Optional.of(call.withPrompt(prompt, max));
    }

    /**
     * Why another provider cannot continue an answer to {@code call} once text was delivered, if it cannot: the
     * log-probabilities of the delivered text died with the provider (it sends them with its last line), and a context
     * of token ids or a fill-in-the-middle prompt has no form that carries the delivered text as a prefill.
     */
    static Optional<String> whyNot(GenerateCall call) {
        if (call.logprobs().isPresent()) {
            return Optional.of("their log-probabilities were lost with it");
        }
        if (!call.context().isEmpty()) {
            return Optional.of("a request with context cannot be resumed");
        }
        if (call.prompt() instanceof Prompt.Infill) {
            return Optional.of("filling in the middle cannot be resumed");
        }
        return Optional.empty();
    }

    private static Prompt.Chat prefilled(List<Prompt.Message> messages, String delivered) {
        List<Prompt.Message> out = new ArrayList<>(messages);
        if (!out.isEmpty() && out.getLast().role().equals("assistant")) {
            Prompt.Message last = out.removeLast(); // the caller's own prefill, which the delivered text continues
            out.add(new Prompt.Message("assistant", last.content() + delivered));
        } else {
            out.add(new Prompt.Message("assistant", delivered));
        }
        return new Prompt.Chat(out);
    }
}

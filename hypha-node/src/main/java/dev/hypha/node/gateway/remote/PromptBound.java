package dev.hypha.node.gateway.remote;

import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.TokenBudget;
import dev.hypha.node.gateway.Tool;
import dev.hypha.node.gateway.ToolCall;
import java.nio.charset.StandardCharsets;

/**
 * The most a call to an upstream engine can consume, known without its tokenizer (neither Ollama's nor OpenAI's API
 * counts a prompt's tokens without running it): the UTF-8 bytes of every text the engine renders into the prompt (no
 * tokenizer makes more tokens than bytes: messages, tool calls and results, the tools' definitions and a schema) plus
 * {@value #TEMPLATE_TOKENS_PER_MESSAGE} tokens per message and once more for the template's own markers; and the output
 * by the call's limit, or {@value #DEFAULT_MAX_NEW_TOKENS} when it has none (the upstream's own cap is unknown). The
 * payer's exposure stays one such maximum; the charge is what the upstream counted, capped by it.
 */
final class PromptBound {
    /** Tokens a chat template may add around one message (role markers, separators), bounded generously. */
    static final int TEMPLATE_TOKENS_PER_MESSAGE = 16;
    /** The most a request without a limit may generate through an upstream. */
    static final int DEFAULT_MAX_NEW_TOKENS = 2048;

    private PromptBound() {}

    static TokenBudget of(GenerateCall call) {
        long bytes = 0;
        int messages = 1;
        switch (call.prompt()) {
            case Prompt.Chat c -> {
                messages = c.messages().size();
                for (Prompt.Message m : c.messages()) {
                    bytes += utf8(m.content()) + utf8(m.toolName()) + utf8(m.toolCallId());
                    for (ToolCall t : m.toolCalls()) {
                        bytes += utf8(t.id()) + utf8(t.name()) + utf8(t.arguments()) + TEMPLATE_TOKENS_PER_MESSAGE;
                    }
                }
            }
            case Prompt.Text t -> {
                bytes = utf8(t.text()) + (t.system() == null ? 0 : utf8(t.system()));
                messages = t.system() == null ? 1 : 2;
            }
            case Prompt.Infill f -> {
                bytes = utf8(f.prefix()) + utf8(f.suffix());
                messages = 1;
            }
        }
        for (Tool t : call.tools()) {
            bytes += utf8(t.name()) + utf8(t.description()) + utf8(t.parameters()) + TEMPLATE_TOKENS_PER_MESSAGE;
        }
        bytes += call.schema().map(PromptBound::utf8).orElse(0);
        long prompt = bytes + call.context().size() + (long) TEMPLATE_TOKENS_PER_MESSAGE * messages
                + TEMPLATE_TOKENS_PER_MESSAGE;
        int maxNew = call.maxTokens() == GenerateCall.UNLIMITED ? DEFAULT_MAX_NEW_TOKENS : call.maxTokens();
        return new TokenBudget((int) Math.min(Integer.MAX_VALUE, prompt), maxNew);
    }

    private static int utf8(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }
}

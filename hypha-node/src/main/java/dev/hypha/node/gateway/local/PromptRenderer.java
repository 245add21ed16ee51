package dev.hypha.node.gateway.local;

import dev.hypha.ml.chat.ChatMessage;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.chat.ChatTemplateException;
import dev.hypha.ml.tokenizer.FimTokens;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.Tool;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a {@link Prompt} into the model's tokens: chats and non-raw texts through the model's own chat template (as
 * Ollama's /api/generate does with its template), raw texts as they are. Mirrors hypha-ml's
 * {@code Conversation.promptTokens}, which only works on a conversation's own history.
 */
final class PromptRenderer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final Optional<FimTokens> fim;

    /** @param fim the model's fill-in-the-middle tokens, if it has them */
    PromptRenderer(Tokenizer tokenizer, ChatTemplate template, Optional<FimTokens> fim) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.fim = fim;
    }

    /**
     * A prompt in tokens, and whether its text ends with the opening thinking tag (the template opened the model's
     * reasoning for it, as DeepSeek-R1's does, so the output starts inside it).
     */
    record Rendered(int[] tokens, boolean opensThinking) {}

    /**
     * The prompt's tokens, {@code tools} given to the template as its {@code tools} variable and, when present,
     * {@code thinking} as {@code enable_thinking} (the variable Qwen3's and llama.cpp's templates read), after the
     * token ids of {@code context} (Ollama's {@code context}: an earlier prompt and answer this templated prompt
     * continues; Ollama decodes them to text and encodes again, the ids themselves are the same text without that
     * round trip).
     */
    Rendered render(Prompt prompt, List<Tool> tools, Optional<Boolean> thinking, List<Integer> context) {
        if (prompt instanceof Prompt.Infill infill) {
            return new Rendered(infill(infill), false);
        }
        Map<String, Object> variables = new LinkedHashMap<>();
        if (!tools.isEmpty()) {
            variables.put("tools", tools.stream().map(PromptRenderer::tool).toList());
        }
        thinking.ifPresent(t -> variables.put("enable_thinking", t));
        String text = switch (prompt) {
            case Prompt.Text t when t.raw() -> t.text();
            case Prompt.Text t -> {
                List<ChatMessage> messages = new ArrayList<>();
                if (t.system() != null && !t.system().isEmpty()) {
                    messages.add(new ChatMessage("system", t.system()));
                }
                messages.add(new ChatMessage("user", t.text()));
                yield templated(messages, variables, "");
            }
            case Prompt.Chat c -> chat(c.messages().stream().map(PromptRenderer::message).toList(), variables);
            case Prompt.Infill f -> throw new IllegalStateException("rendered above");
        };
        boolean templated = !(prompt instanceof Prompt.Text t && t.raw());
        int[] tokens = context.isEmpty() || !templated ? tokens(text, templated) : continued(context, text);
        return new Rendered(tokens, text.strip().endsWith(ChatTemplate.THINK_OPEN));
    }

    /**
     * llama.cpp's layout for filling in the middle (its server's {@code /infill}, prefix-suffix-middle order):
     * [BOS] PRE prefix SUF suffix MID, the model then writes the middle. The user's texts are tokenized without
     * reading control-token texts in them, so a prompt cannot forge the markers.
     */
    private int[] infill(Prompt.Infill f) {
        FimTokens t = fim.orElseThrow(() -> GatewayException.badRequest("this model does not support insert"));
        int[] lead = tokenizer.encode("", true, false);
        int bos = tokenizer.bos();
        boolean withBos = lead.length > 0 && bos >= 0 && lead[0] == bos;
        int[] prefix = tokenizer.encode(f.prefix(), false, false);
        int[] suffix = tokenizer.encode(f.suffix(), false, false);
        int[] out = new int[(withBos ? 1 : 0) + 3 + prefix.length + suffix.length];
        int n = 0;
        if (withBos) {
            out[n++] = bos;
        }
        out[n++] = t.prefix();
        System.arraycopy(prefix, 0, out, n, prefix.length);
        n += prefix.length;
        out[n++] = t.suffix();
        System.arraycopy(suffix, 0, out, n, suffix.length);
        n += suffix.length;
        out[n] = t.middle();
        return out;
    }

    /** {@code context}'s ids (checked against the vocabulary), then {@code text} without a second BOS. */
    private int[] continued(List<Integer> context, String text) {
        int vocab = tokenizer.vocabSize();
        for (int id : context) {
            if (id >= vocab) {
                throw GatewayException.badRequest("context holds token id " + id + ", beyond this model's vocabulary of "
                        + vocab + " tokens (it came from another model?)");
            }
        }
        int[] rest = tokenizer.encode(text, false, true);
        int bos = tokenizer.bos();
        int skip = rest.length > 0 && bos >= 0 && rest[0] == bos ? 1 : 0; // the template wrote the BOS text itself
        int[] out = new int[context.size() + rest.length - skip];
        for (int i = 0; i < context.size(); i++) {
            out[i] = context.get(i);
        }
        System.arraycopy(rest, skip, out, context.size(), rest.length - skip);
        return out;
    }

    /**
     * A chat whose last message is the assistant's is a prefill (Ollama's rule): the answer continues that text, so it
     * is the rendered history up to the assistant's turn followed by the text, with the turn left open. The gateway
     * uses this to let another provider finish an answer a failed one began. An assistant turn holding tool calls is
     * history, not a prefill.
     */
    private String chat(List<ChatMessage> messages, Map<String, Object> variables) {
        ChatMessage last = messages.isEmpty() ? null : messages.getLast();
        if (last != null && last.role().equals("assistant") && messages.size() > 1
                && !last.fields().containsKey("tool_calls")) {
            return templated(messages.subList(0, messages.size() - 1), variables, last.content());
        }
        return templated(messages, variables, "");
    }

    /** A turn as templates read it: tool calls as OpenAI-style maps with the arguments as a map, tool turns named. */
    private static ChatMessage message(Prompt.Message m) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (!m.toolCalls().isEmpty()) {
            fields.put("tool_calls", m.toolCalls().stream().map(c -> {
                Map<String, Object> call = new LinkedHashMap<>();
                call.put("id", c.id());
                call.put("type", "function");
                call.put("function", Map.of("name", c.name(), "arguments", map(c.arguments())));
                return call;
            }).toList());
        }
        if (!m.toolName().isEmpty()) {
            fields.put("name", m.toolName());
        }
        if (!m.toolCallId().isEmpty()) {
            fields.put("tool_call_id", m.toolCallId());
        }
        return new ChatMessage(m.role(), m.content(), fields);
    }

    private static Map<String, Object> tool(Tool t) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", t.name());
        f.put("description", t.description());
        f.put("parameters", map(t.parameters()));
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("type", "function");
        tool.put("function", f);
        return tool;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(String jsonObject) {
        try {
            return JSON.readValue(jsonObject, LinkedHashMap.class);
        } catch (JsonProcessingException e) {
            throw GatewayException.badRequest("not a JSON object: " + jsonObject);
        }
    }

    private String templated(List<ChatMessage> messages, Map<String, Object> variables, String prefill) {
        try {
            return template.render(messages, true, variables) + prefill;
        } catch (ChatTemplateException e) {
            // Templates raise on inputs they refuse (roles that do not alternate, a system message in the wrong place).
            throw GatewayException.badRequest("the model's chat template refused the messages: " + e.getMessage());
        }
    }

    private int[] tokens(String text, boolean templated) {
        int[] tokens = tokenizer.encode(text, true, true);
        int bos = tokenizer.bos();
        if (templated && tokens.length >= 2 && bos >= 0 && tokens[0] == bos && tokens[1] == bos) {
            tokens = Arrays.copyOfRange(tokens, 1, tokens.length); // the template wrote the BOS text itself
        }
        return tokens;
    }

    int[] embeddingTokens(String text) {
        return tokenizer.encode(text, true, false);
    }
}

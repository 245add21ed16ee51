package dev.hypha.node.gateway.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.node.gateway.EmbedCall;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.Tool;
import dev.hypha.node.gateway.ToolCall;
import dev.hypha.node.gateway.http.JsonBody;

/**
 * A {@link GenerateCall} as the body an OpenAI-compatible server (llama.cpp's {@code llama-server}, vLLM, Hypha's own
 * gateway) reads: {@code /v1/chat/completions} for chats and templated texts (a text with its system prompt becomes
 * that chat, which the server's template renders as Ollama's would), {@code /v1/completions} for raw texts. Always
 * streamed with {@code stream_options.include_usage}, so the token counts a provider charges come from the server.
 * Sampling: the standard fields plus {@code top_k}, {@code min_p} and {@code repeat_penalty} (llama.cpp's names; vLLM
 * reads top_k and min_p too; servers ignore fields they do not know). A trailing assistant message is a prefill to
 * continue: llama.cpp continues it by itself, vLLM when told {@code continue_final_message}.
 */
final class OpenAiUpstreamBody {
    private OpenAiUpstreamBody() {}

    /** True when the call goes to {@code /v1/chat/completions}, false for {@code /v1/completions}. */
    static boolean isChat(GenerateCall call) {
        return !(call.prompt() instanceof Prompt.Text t && t.raw());
    }

    /** The body for {@code call}, asking for the server's own name of the model, {@code upstreamModel}. */
    static byte[] of(GenerateCall call, String upstreamModel) {
        if (!call.context().isEmpty()) {
            throw dev.hypha.node.gateway.GatewayException.badRequest("context (token ids of an earlier answer) cannot be "
                    + "sent to this provider: it fronts an OpenAI-compatible server, whose API takes no token ids; send "
                    + "the conversation to /api/chat instead");
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("model", upstreamModel);
        switch (call.prompt()) {
            case Prompt.Text t when t.raw() -> o.put("prompt", t.text());
            case Prompt.Infill f -> throw dev.hypha.node.gateway.GatewayException.badRequest("suffix (filling in the "
                    + "middle) cannot be sent to this provider: it fronts an OpenAI-compatible server, whose chat API "
                    + "has no fill-in-the-middle");
            case Prompt.Text t -> {
                ArrayNode messages = o.putArray("messages");
                if (t.system() != null) {
                    messages.addObject().put("role", "system").put("content", t.system());
                }
                messages.addObject().put("role", "user").put("content", t.text());
            }
            case Prompt.Chat chat -> {
                ArrayNode messages = o.putArray("messages");
                for (Prompt.Message m : chat.messages()) {
                    ObjectNode message = messages.addObject().put("role", m.role()).put("content", m.content());
                    if (!m.toolCalls().isEmpty()) {
                        ArrayNode calls = message.putArray("tool_calls");
                        for (ToolCall c : m.toolCalls()) {
                            calls.addObject().put("id", c.id()).put("type", "function").putObject("function")
                                    .put("name", c.name()).put("arguments", c.arguments());
                        }
                    }
                    if (!m.toolCallId().isEmpty()) {
                        message.put("tool_call_id", m.toolCallId());
                    }
                    if (!m.toolName().isEmpty()) {
                        message.put("name", m.toolName());
                    }
                }
                if (chat.messages().getLast().role().equals("assistant")) {
                    o.put("continue_final_message", true).put("add_generation_prompt", false);
                }
            }
        }
        o.put("stream", true);
        o.putObject("stream_options").put("include_usage", true);
        if (isChat(call)) {
            // llama.cpp's server and vLLM hand these to the chat template (Qwen3's and DeepSeek's read enable_thinking)
            // and stream the reasoning apart as delta.reasoning_content (vLLM's newer releases: delta.reasoning).
            call.think().ifPresent(t -> o.putObject("chat_template_kwargs").put("enable_thinking", t));
        }

        SamplingOptions s = call.sampling();
        o.put("temperature", s.temperature()).put("top_p", s.topP()).put("seed", s.seed())
                .put("presence_penalty", s.presencePenalty()).put("frequency_penalty", s.frequencyPenalty());
        if (s.topK() > 0) {
            o.put("top_k", s.topK());
        }
        if (s.minP() > 0) {
            o.put("min_p", s.minP());
        }
        if (s.repeatPenalty() != 1.0f) {
            o.put("repeat_penalty", s.repeatPenalty());
        }
        if (call.maxTokens() != GenerateCall.UNLIMITED) {
            o.put("max_tokens", call.maxTokens());
        }
        if (!call.stop().isEmpty()) {
            ArrayNode stop = o.putArray("stop");
            call.stop().forEach(stop::add);
        }
        if (call.schema().isPresent()) {
            o.putObject("response_format").put("type", "json_schema").putObject("json_schema").put("name", "answer")
                    .put("strict", true).set("schema", json(call.schema().get()));
        } else if (call.format() == GenerateCall.Format.JSON) {
            o.putObject("response_format").put("type", "json_object");
        }
        if (!call.tools().isEmpty()) {
            ArrayNode tools = o.putArray("tools");
            for (Tool t : call.tools()) {
                tools.addObject().put("type", "function").putObject("function").put("name", t.name())
                        .put("description", t.description()).set("parameters", json(t.parameters()));
            }
        }
        call.requiredTool().ifPresent(name -> o.putObject("tool_choice").put("type", "function")
                .putObject("function").put("name", name));
        call.logprobs().ifPresent(n -> {
            if (isChat(call)) {
                o.put("logprobs", true).put("top_logprobs", n);
            } else {
                o.put("logprobs", n); // legacy completions: the number of alternatives
            }
        });
        return JsonBody.write(o);
    }

    /** The body of {@code /v1/embeddings} for {@code call}. */
    static byte[] of(EmbedCall call, String upstreamModel) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("model", upstreamModel);
        ArrayNode input = o.putArray("input");
        call.inputs().forEach(input::add);
        o.put("encoding_format", "float");
        return JsonBody.write(o);
    }

    private static JsonNode json(String text) {
        try {
            return JsonBody.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the gateway's own JSON text does not parse: " + e.getMessage(), e);
        }
    }
}

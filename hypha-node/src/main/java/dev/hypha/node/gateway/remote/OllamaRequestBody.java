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
import dev.hypha.node.gateway.ollama.OllamaRequests;

/**
 * A {@link GenerateCall} as the Ollama body a provider's {@code /api/chat} or {@code /api/generate} reads
 * (streamed): the same prompt (tool calls and results in it included), sampler options, seed, limit, stops, context
 * size, format or JSON schema, tools, log-probabilities ({@code logprobs}, {@code top_logprobs}, read back by
 * {@link ProviderAnswer}) and a required tool, which Ollama has no field for: it goes as
 * {@value OllamaRequests#REQUIRED_TOOL}, read by Hypha's provider routes; {@code think} when the call sets it ({@link OllamaUpstream} refuses such calls,
 * since an Ollama server would drop the field and answer without the call).
 */
final class OllamaRequestBody {
    private OllamaRequestBody() {}

    /** True when the call goes to {@code /api/chat}, false for {@code /api/generate}. */
    static boolean isChat(GenerateCall call) {
        return call.prompt() instanceof Prompt.Chat;
    }

    /** The exact bytes to send (what the receipt's request hash must be the keccak of). */
    static byte[] of(GenerateCall call) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("model", call.model());
        switch (call.prompt()) {
            case Prompt.Chat chat -> {
                ArrayNode messages = o.putArray("messages");
                for (Prompt.Message m : chat.messages()) {
                    ObjectNode message = messages.addObject().put("role", m.role()).put("content", m.content());
                    if (!m.toolCalls().isEmpty()) {
                        ArrayNode calls = message.putArray("tool_calls");
                        for (ToolCall c : m.toolCalls()) {
                            calls.addObject().put("id", c.id()).putObject("function").put("name", c.name())
                                    .set("arguments", json(c.arguments()));
                        }
                    }
                    if (!m.toolName().isEmpty()) {
                        message.put("tool_name", m.toolName());
                    }
                    if (!m.toolCallId().isEmpty()) {
                        message.put("tool_call_id", m.toolCallId());
                    }
                }
            }
            case Prompt.Text text -> {
                o.put("prompt", text.text());
                if (text.system() != null) {
                    o.put("system", text.system());
                }
                if (text.raw()) {
                    o.put("raw", true);
                }
                if (!call.context().isEmpty()) {
                    ArrayNode context = o.putArray("context");
                    call.context().forEach(context::add);
                }
            }
            case Prompt.Infill infill -> o.put("prompt", infill.prefix()).put("suffix", infill.suffix());
        }
        o.put("stream", true); // text reaches the gateway as it is generated
        if (call.schema().isPresent()) {
            o.set("format", json(call.schema().get()));
        } else if (call.format() == GenerateCall.Format.JSON) {
            o.put("format", "json");
        }
        if (!call.tools().isEmpty()) {
            ArrayNode tools = o.putArray("tools");
            for (Tool t : call.tools()) {
                tools.addObject().put("type", "function").putObject("function").put("name", t.name())
                        .put("description", t.description()).set("parameters", json(t.parameters()));
            }
        }

        call.requiredTool().ifPresent(name -> o.put(OllamaRequests.REQUIRED_TOOL, name));
        call.think().ifPresent(t -> o.put("think", t));
        call.logprobs().ifPresent(n -> {
            o.put("logprobs", true);
            if (n > 0) {
                o.put("top_logprobs", n);
            }
        });

        SamplingOptions s = call.sampling();
        ObjectNode options = o.putObject("options");
        options.put("temperature", s.temperature()).put("top_k", s.topK()).put("top_p", s.topP()).put("min_p", s.minP())
                .put("repeat_penalty", s.repeatPenalty()).put("presence_penalty", s.presencePenalty())
                .put("frequency_penalty", s.frequencyPenalty()).put("repeat_last_n", s.repeatLastN())
                .put("seed", s.seed());
        if (call.maxTokens() != GenerateCall.UNLIMITED) {
            options.put("num_predict", call.maxTokens());
        }
        call.numCtx().ifPresent(n -> options.put("num_ctx", n));
        if (!call.stop().isEmpty()) {
            ArrayNode stop = options.putArray("stop");
            call.stop().forEach(stop::add);
        }
        return JsonBody.write(o);
    }

    /** An {@link EmbedCall} as the body of Ollama's {@code /api/embed}: the exact bytes the receipt's request hash covers. */
    static byte[] of(EmbedCall call) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("model", call.model());
        ArrayNode input = o.putArray("input");
        call.inputs().forEach(input::add);
        o.put("truncate", call.truncate());
        return JsonBody.write(o);
    }

    /** JSON text the gateway parsed and checked itself (schemas, tool parameters and arguments) as a tree again. */
    private static JsonNode json(String text) {
        try {
            return JsonBody.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the gateway's own JSON text does not parse: " + e.getMessage(), e);
        }
    }
}

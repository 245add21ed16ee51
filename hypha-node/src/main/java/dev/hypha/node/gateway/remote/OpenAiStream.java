package dev.hypha.node.gateway.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenLogprob;
import dev.hypha.node.gateway.ToolCall;
import dev.hypha.node.gateway.http.JsonBody;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads an OpenAI-compatible server's streamed answer (server-sent events: {@code data: {chunk}} lines, then
 * {@code data: [DONE]}) into a {@link Completion}, handing each text delta to the sink as it arrives. Chat chunks carry
 * {@code delta.content}, {@code delta.tool_calls} (pieces joined by index) and {@code logprobs.content}; completion
 * chunks {@code text} and the legacy {@code logprobs} lists; the last chunk (asked for with
 * {@code stream_options.include_usage}) the {@code usage} counts. Hostile input: lines are bounded by
 * {@link AnswerLines}, at most {@value #MAX_TOOL_CALLS} tool calls, every field type-checked with a message naming it;
 * an answer without usage is refused, since a provider charges what the upstream counted and would otherwise be
 * guessing.
 */
final class OpenAiStream {
    static final int MAX_TOOL_CALLS = 64;

    private final String source;
    private final boolean chat;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder thinking = new StringBuilder();
    private final Map<Integer, PartialCall> calls = new TreeMap<>();
    private final List<TokenLogprob> logprobs = new ArrayList<>();
    private String finish;
    private JsonNode usage;

    private OpenAiStream(String source, boolean chat) {
        this.source = source;
        this.chat = chat;
    }

    private static final class PartialCall {
        String id = "";
        String name = "";
        final StringBuilder arguments = new StringBuilder();
    }

    /**
     * @param source how errors name the server
     * @param chat   chat chunks (true) or completion chunks
     * @param nanos  when the request was sent (System.nanoTime), for the total duration
     */
    static Completion read(InputStream body, String source, boolean chat, TextSink sink, long nanos) throws IOException {
        OpenAiStream s = new OpenAiStream(source, chat);
        AnswerLines lines = new AnswerLines(body);
        for (byte[] line = lines.next(); line != null; line = lines.next()) {
            String l = new String(line, StandardCharsets.UTF_8).strip();
            if (!l.startsWith("data:")) {
                continue; // comments (":"), event names and ids carry nothing here
            }
            String data = l.substring(5).strip();
            if (data.equals("[DONE]")) {
                return s.completion(System.nanoTime() - nanos);
            }
            s.chunk(object(data.getBytes(StandardCharsets.UTF_8), source), sink);
        }
        throw new GatewayException(GatewayException.Kind.INTERNAL, source + " ended its answer without data: [DONE]");
    }

    private void chunk(ObjectNode o, TextSink sink) {
        if (o.has("error")) {
            JsonNode e = o.get("error");
            throw new GatewayException(GatewayException.Kind.INTERNAL, source + " failed while answering: "
                    + (e.isTextual() ? e.textValue() : e.path("message").asText(e.toString())));
        }
        JsonNode u = o.get("usage");
        if (u != null && !u.isNull()) {
            usage = u;
        }
        JsonNode choices = o.path("choices");
        if (!choices.isArray()) {
            if (u == null) {
                throw bad("a chunk has no choices list");
            }
            return;
        }
        for (JsonNode choice : choices) {
            if (choice.path("index").asInt(0) != 0) {
                throw bad("a chunk has a choice other than index 0 (one was asked for)");
            }
            String piece = chat ? string(choice.path("delta"), "content", "delta.content")
                    : string(choice, "text", "text");
            if (chat) {
                String reasoning = reasoning(choice.path("delta"));
                if (!reasoning.isEmpty()) {
                    thinking.append(reasoning);
                    sink.thinking(reasoning);
                }
                toolCalls(choice.path("delta").path("tool_calls"));
                JsonNode content = choice.path("logprobs").path("content");
                if (!content.isMissingNode() && !content.isNull()) {
                    logprobs.addAll(ProviderAnswer.logprobs(content, "logprobs.content"));
                }
            } else {
                legacyLogprobs(choice.path("logprobs"));
            }
            JsonNode f = choice.get("finish_reason");
            if (f != null && !f.isNull()) {
                if (!f.isTextual()) {
                    throw bad("finish_reason must be a string");
                }
                finish = f.textValue();
            }
            if (!piece.isEmpty()) {
                text.append(piece);
                sink.accept(piece); // a client gone throws here; the caller closes the stream, which stops the server
            }
        }
    }

    /** A chat delta's reasoning: {@code reasoning_content} (llama.cpp, vLLM, DeepSeek) or {@code reasoning}. */
    private String reasoning(JsonNode delta) {
        String r = string(delta, "reasoning_content", "delta.reasoning_content");
        return r.isEmpty() ? string(delta, "reasoning", "delta.reasoning") : r;
    }

    private void toolCalls(JsonNode list) {
        if (list.isMissingNode() || list.isNull()) {
            return;
        }
        if (!list.isArray()) {
            throw bad("delta.tool_calls must be a list");
        }
        for (JsonNode c : list) {
            int index = c.path("index").asInt(-1);
            if (index < 0 || index >= MAX_TOOL_CALLS) {
                throw bad("delta.tool_calls[].index must be 0 to " + (MAX_TOOL_CALLS - 1));
            }
            PartialCall call = calls.computeIfAbsent(index, i -> new PartialCall());
            call.id += string(c, "id", "delta.tool_calls[].id");
            call.name += string(c.path("function"), "name", "delta.tool_calls[].function.name");
            call.arguments.append(string(c.path("function"), "arguments", "delta.tool_calls[].function.arguments"));
        }
    }

    /** Legacy completions' {@code {tokens, token_logprobs, top_logprobs: [{token: logprob}]}}. */
    private void legacyLogprobs(JsonNode lp) {
        if (lp.isMissingNode() || lp.isNull()) {
            return;
        }
        JsonNode tokens = lp.path("tokens");
        JsonNode values = lp.path("token_logprobs");
        JsonNode tops = lp.path("top_logprobs");
        if (!tokens.isArray() || !values.isArray() || tokens.size() != values.size()) {
            throw bad("logprobs must have lists tokens and token_logprobs of one length");
        }
        for (int i = 0; i < tokens.size(); i++) {
            List<TokenLogprob.Alternative> alternatives = new ArrayList<>();
            JsonNode top = tops.path(i);
            if (top.isObject()) {
                if (top.size() > GenerateCall.MAX_TOP_LOGPROBS) {
                    throw bad("logprobs.top_logprobs[" + i + "] has more than " + GenerateCall.MAX_TOP_LOGPROBS + " entries");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = top.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    alternatives.add(new TokenLogprob.Alternative(e.getKey(),
                            e.getKey().getBytes(StandardCharsets.UTF_8), logprob(e.getValue(), "logprobs.top_logprobs")));
                }
                alternatives.sort((a, b) -> Double.compare(b.logprob(), a.logprob()));
            }
            if (!tokens.get(i).isTextual()) {
                throw bad("logprobs.tokens[" + i + "] must be a string");
            }
            String token = tokens.get(i).textValue();
            logprobs.add(new TokenLogprob(token, token.getBytes(StandardCharsets.UTF_8),
                    logprob(values.get(i), "logprobs.token_logprobs"), alternatives));
        }
    }

    private double logprob(JsonNode n, String field) {
        if (!n.isNumber() || !Double.isFinite(n.doubleValue()) || n.doubleValue() > 0) {
            throw bad(field + " must hold finite numbers <= 0");
        }
        return n.doubleValue();
    }

    private Completion completion(long totalNanos) {
        if (usage == null) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, source + " sent no usage (token counts) with "
                    + "its answer, although the request asked for them (stream_options.include_usage): a provider "
                    + "charges what its engine counted, so this answer cannot be sold. Use a server that reports "
                    + "usage when streaming (llama.cpp's llama-server and vLLM do)");
        }
        int in = count(usage, "prompt_tokens");
        int out = count(usage, "completion_tokens");
        Completion.DoneReason reason = switch (finish == null ? "" : finish) {
            case "stop", "tool_calls", "function_call" -> Completion.DoneReason.STOP;
            case "length" -> Completion.DoneReason.LENGTH;
            default -> throw bad("finish_reason must be stop, length or tool_calls, was "
                    + (finish == null ? "never sent" : "\"" + finish + "\""));
        };
        List<ToolCall> toolCalls = new ArrayList<>();
        for (Map.Entry<Integer, PartialCall> e : calls.entrySet()) {
            PartialCall c = e.getValue();
            if (c.name.isEmpty()) {
                throw bad("tool call " + e.getKey() + " has no function name");
            }
            String arguments = c.arguments.isEmpty() ? "{}" : c.arguments.toString();
            try {
                if (!JsonBody.MAPPER.readTree(arguments).isObject()) {
                    throw bad("tool call " + c.name + "'s arguments are not a JSON object");
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                throw bad("tool call " + c.name + "'s arguments are not JSON: " + ex.getOriginalMessage());
            }
            toolCalls.add(new ToolCall(c.id.isEmpty() ? "call_" + e.getKey() : c.id, c.name, arguments));
        }
        return new Completion(text.toString(), reason, in, out, 0, 0, 0, totalNanos, toolCalls, logprobs,
                thinking.toString());
    }

    private int count(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
            throw bad("usage." + field + " must be a non-negative integer");
        }
        return n.intValue();
    }

    /** The string at {@code field} of {@code o}, "" when absent or null. */
    private String string(JsonNode o, String field, String name) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return "";
        }
        if (!n.isTextual()) {
            throw bad(name + " must be a string");
        }
        return n.textValue();
    }

    static ObjectNode object(byte[] bytes, String source) {
        try {
            return JsonBody.parse(bytes);
        } catch (GatewayException e) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, source + " sent a chunk that is not a JSON "
                    + "object: " + e.getMessage());
        }
    }

    private GatewayException bad(String what) {
        return new GatewayException(GatewayException.Kind.INTERNAL, source + "'s answer is malformed: " + what);
    }
}

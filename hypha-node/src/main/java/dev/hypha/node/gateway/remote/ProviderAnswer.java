package dev.hypha.node.gateway.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.gateway.http.ToolFields;
import dev.hypha.node.gateway.ToolCall;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.TokenLogprob;
import java.util.ArrayList;
import java.util.List;

/**
 * A provider's Ollama answer read as a {@link Completion}: a whole non-streaming answer, or the last line of a stream
 * (whose text arrived in the lines before it). Bounded (the gateway's 16 MiB, nesting and duplicate-key rules), and
 * every field the payer relies on type-checked, with an error naming it.
 */
final class ProviderAnswer {
    private ProviderAnswer() {}

    static Completion parse(byte[] bytes, boolean chat) {
        ObjectNode o = object(bytes);
        return done(o, piece(o, chat), thinking(o, chat));
    }

    /** One line of an answer as a JSON object. */
    static ObjectNode object(byte[] bytes) {
        try {
            return JsonBody.parse(bytes);
        } catch (GatewayException e) {
            throw bad("is not a JSON object: " + e.getMessage());
        }
    }

    /** The text a line carries ({@code message.content} for chats, {@code response} otherwise). */
    static String piece(ObjectNode o, boolean chat) {
        JsonNode text = chat ? o.path("message").path("content") : o.path("response");
        if (!text.isTextual()) {
            throw bad(chat ? "message.content must be a string" : "response must be a string");
        }
        return text.textValue();
    }

    /**
     * The reasoning a line carries ({@code message.thinking} for chats, {@code thinking} otherwise; empty when absent).
     */
    static String thinking(ObjectNode o, boolean chat) {
        JsonNode t = chat ? o.path("message").path("thinking") : o.path("thinking");
        if (t.isMissingNode() || t.isNull()) {
            return "";
        }
        if (!t.isTextual()) {
            throw bad(chat ? "message.thinking must be a string" : "thinking must be a string");
        }
        return t.textValue();
    }

    /** The answer a final ({@code "done": true}) line closes, whose whole text is {@code text}. */
    static Completion done(ObjectNode o, String text) {
        return done(o, text, "", List.of());
    }

    /** As {@link #done(ObjectNode, String)}, with the whole reasoning {@code thinking}. */
    static Completion done(ObjectNode o, String text, String thinking) {
        return done(o, text, thinking, List.of());
    }

    /**
     * As {@link #done(ObjectNode, String)}, for a stream whose earlier lines carried {@code earlierLogprobs} (Ollama
     * sends each token's with its piece; Hypha's provider sends them all with the last line).
     */
    static Completion done(ObjectNode o, String text, String thinking, List<TokenLogprob> earlierLogprobs) {
        String reason = o.path("done_reason").asText("");
        Completion.DoneReason done = switch (reason) {
            case "stop" -> Completion.DoneReason.STOP;
            case "length" -> Completion.DoneReason.LENGTH;
            default -> throw bad("done_reason must be \"stop\" or \"length\", was \"" + reason + "\"");
        };
        return new Completion(text, done, count(o, "prompt_eval_count"), count(o, "eval_count"),
                nanos(o, "load_duration"), nanos(o, "prompt_eval_duration"), nanos(o, "eval_duration"),
                nanos(o, "total_duration"), toolCalls(o), concat(earlierLogprobs, logprobs(o)), thinking, context(o));
    }

    /**
     * A final line's {@code context} (token ids, as Ollama returns for /api/generate), empty when it has none. Only its
     * shape is checked: the ids are the provider's tokenization of prompt and answer, which the receipt does not cover;
     * a client that sends them back gets them checked against the model's vocabulary then. The line's size bounds them.
     */
    static List<Integer> context(ObjectNode o) {
        JsonNode list = o.get("context");
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw bad("context must be a list of token ids");
        }
        List<Integer> ids = new ArrayList<>(list.size());
        for (JsonNode t : list) {
            if (!t.isIntegralNumber() || !t.canConvertToInt() || t.intValue() < 0) {
                throw bad("context must hold token ids (non-negative integers)");
            }
            ids.add(t.intValue());
        }
        return ids;
    }

    private static List<TokenLogprob> concat(List<TokenLogprob> a, List<TokenLogprob> b) {
        if (a.isEmpty()) {
            return b;
        }
        List<TokenLogprob> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * A line's {@code logprobs} (Ollama's and OpenAI's per-token shape: token, logprob, bytes, top_logprobs), empty when
     * it has none. Every field is checked: a log-probability is a finite number no greater than 0, bytes are 0..255,
     * at most {@link GenerateCall#MAX_TOP_LOGPROBS} alternatives. (The line itself is bounded in size by its reader.)
     */
    static List<TokenLogprob> logprobs(ObjectNode o) {
        return logprobs(o.get("logprobs"), "logprobs");
    }

    /** The per-token list {@code list} (null or JSON null: none); {@code name} is how errors call it. */
    static List<TokenLogprob> logprobs(JsonNode list, String name) {
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw bad(name + " must be a list");
        }
        List<TokenLogprob> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String at = name + "[" + i + "]";
            JsonNode e = list.get(i);
            JsonNode top = e.path("top_logprobs");
            List<TokenLogprob.Alternative> alternatives = new ArrayList<>();
            if (!top.isMissingNode() && !top.isNull()) {
                if (!top.isArray() || top.size() > GenerateCall.MAX_TOP_LOGPROBS) {
                    throw bad(at + ".top_logprobs must be a list of at most " + GenerateCall.MAX_TOP_LOGPROBS);
                }
                for (int k = 0; k < top.size(); k++) {
                    String where = at + ".top_logprobs[" + k + "]";
                    alternatives.add(new TokenLogprob.Alternative(token(top.get(k), where), bytes(top.get(k), where),
                            logprob(top.get(k), where)));
                }
            }
            out.add(new TokenLogprob(token(e, at), bytes(e, at), logprob(e, at), alternatives));
        }
        return out;
    }

    private static String token(JsonNode e, String at) {
        if (!e.path("token").isTextual()) {
            throw bad(at + ".token must be a string");
        }
        return e.path("token").textValue();
    }

    private static double logprob(JsonNode e, String at) {
        JsonNode n = e.path("logprob");
        if (!n.isNumber() || !Double.isFinite(n.doubleValue()) || n.doubleValue() > 0) {
            throw bad(at + ".logprob must be a finite number <= 0");
        }
        return n.doubleValue();
    }

    private static byte[] bytes(JsonNode e, String at) {
        JsonNode b = e.path("bytes");
        if (b.isMissingNode() || b.isNull()) {
            return token(e, at).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        if (!b.isArray()) {
            throw bad(at + ".bytes must be a list of 0..255");
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode x = b.get(i);
            if (!x.isIntegralNumber() || x.intValue() < 0 || x.intValue() > 255) {
                throw bad(at + ".bytes must be a list of 0..255");
            }
            out[i] = (byte) x.intValue();
        }
        return out;
    }

    /** A chat answer's {@code message.tool_calls}, checked as a request's would be. */
    private static List<ToolCall> toolCalls(ObjectNode o) {
        if (!(o.get("message") instanceof ObjectNode message)) {
            return List.of();
        }
        try {
            return ToolFields.calls(message, "message");
        } catch (GatewayException e) {
            throw bad(e.getMessage());
        }
    }

    private static int count(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() < 0) {
            throw bad(field + " must be a non-negative integer");
        }
        return n.intValue();
    }

    private static long nanos(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        return n != null && n.isIntegralNumber() && n.canConvertToLong() ? Math.max(0, n.longValue()) : 0;
    }

    private static GatewayException bad(String message) {
        return new GatewayException(GatewayException.Kind.INTERNAL, "the provider's answer " + message);
    }
}

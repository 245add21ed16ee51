package dev.hypha.node.gateway.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.TokenLogprob;
import java.util.List;
import java.util.OptionalInt;

/**
 * {@code logprobs} and {@code top_logprobs} as Ollama's native API and OpenAI's chat API both take them (a boolean
 * and a count of alternatives, the count only with the boolean), and the per-token objects both write:
 * {@code {token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}}.
 */
public final class Logprobs {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private Logprobs() {
    }

    /** Empty when not asked for; else the number of alternatives per token. */
    public static OptionalInt requested(ObjectNode body) {
        boolean on = Fields.bool(body, "logprobs").orElse(false);
        var top = Fields.intIn(body, "top_logprobs", 0, GenerateCall.MAX_TOP_LOGPROBS);
        if (top.isPresent() && top.get() > 0 && !on) {
            throw GatewayException.badRequest("top_logprobs needs logprobs set to true");
        }
        return on ? OptionalInt.of(top.orElse(0)) : OptionalInt.empty();
    }

    /** The per-token list. */
    public static ArrayNode entries(List<TokenLogprob> logprobs) {
        ArrayNode out = JSON.arrayNode();
        for (TokenLogprob t : logprobs) {
            ObjectNode e = entry(out.addObject(), t.token(), t.logprob(), t.bytes());
            ArrayNode top = e.putArray("top_logprobs");
            for (TokenLogprob.Alternative a : t.top()) {
                entry(top.addObject(), a.token(), a.logprob(), a.bytes());
            }
        }
        return out;
    }

    private static ObjectNode entry(ObjectNode o, String token, double logprob, byte[] bytes) {
        o.put("token", token).put("logprob", logprob);
        ArrayNode b = o.putArray("bytes");
        for (byte x : bytes) {
            b.add(x & 0xff);
        }
        return o;
    }
}

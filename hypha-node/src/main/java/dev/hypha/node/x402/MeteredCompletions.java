package dev.hypha.node.x402;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.node.coordinator.CoordinatorPrompt;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderRoutes;
import io.javalin.http.HandlerType;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * The provider's model as an x402 endpoint metered with {@code upto} over the inference payment channels:
 * {@code POST /provider/v1/x402/completions} with {@code {"prompt", "model"?, "max_tokens"?}}. The 402 offers the
 * route's maximum (a prompt of {@link #MAX_PROMPT_BYTES} bytes, at most one token each, and {@link #MAX_TOKENS}
 * generated tokens at the provider's prices); the answer is charged what it actually used (its prompt and generated
 * tokens at those prices, rounded up), which the {@code PAYMENT-RESPONSE} reports. Plain x402 clients that speak
 * {@code upto} over channels ({@code x402.UptoChannelClient}) pay it; the provider redeems the ledger as for its other
 * routes. {@link #areas} is what {@code ProviderService} serves it with.
 */
public final class MeteredCompletions {
    /** The route. */
    public static final String PATH = ProviderRoutes.PREFIX + "/x402/completions";
    /** Longest prompt, in UTF-8 bytes (a bound on its tokens for the maximum). */
    public static final int MAX_PROMPT_BYTES = 4_096;
    /** Most tokens one call generates. */
    public static final int MAX_TOKENS = 256;
    /**
     * Tokens a template may add around the prompt: with at most one token per prompt byte, a call's prompt has at most
     * its UTF-8 bytes plus these.
     */
    public static final int TEMPLATE_TOKENS = 64;
    /** Largest request body read. */
    static final int MAX_BODY_BYTES = 16 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private MeteredCompletions() {}

    /** The paid areas a provider serves beside its own routes: this endpoint, over the provider's gate and ledger. */
    public static dev.hypha.node.provider.ProviderService.PaidAreas areas(InferenceBackend backend) {
        return (terms, gate, ledger) -> new UptoChannelPaywall(terms, gate, ledger).routes(java.util.List.of(
                route(backend, terms.prices())));
    }

    /** The most one call may cost at {@code prices}. */
    public static BigInteger maximum(Prices prices) {
        // Byte-level tokenizers give at most one token per byte, plus a few for the template's own tokens.
        return prices.cost((long) MAX_PROMPT_BYTES + TEMPLATE_TOKENS, MAX_TOKENS);
    }

    /** The metered route over {@code backend} at {@code prices}. */
    public static UptoChannelPaywall.MeteredRoute route(InferenceBackend backend, Prices prices) {
        Objects.requireNonNull(backend, "backend");
        BigInteger max = maximum(prices);
        return new UptoChannelPaywall.MeteredRoute(HandlerType.POST, PATH, max, DESCRIPTION, ctx -> {
            byte[] body = ctx.bodyAsBytes();
            String error = null;
            JsonNode req = null;
            if (body.length > MAX_BODY_BYTES) {
                error = "the body is larger than " + MAX_BODY_BYTES + " bytes";
            } else {
                try {
                    req = JSON.readTree(body);
                } catch (java.io.IOException e) {
                    error = "the body is not JSON";
                }
            }
            if (error == null) {
                error = problem(req);
            }
            if (error != null) {
                ctx.status(400).json(Map.of("error", error));
                return BigInteger.ZERO; // nothing ran: nothing is owed
            }
            Answer a = complete(backend, prices, req);
            ctx.json(a.json());
            return a.cost();
        });
    }

    /** What the metered completion offers (the 402's and the MCP tool's description). */
    public static final String DESCRIPTION = "a completion of up to " + MAX_TOKENS + " tokens, charged per token used";

    /**
     * A completion and what it cost.
     *
     * @param json {@code {"model", "text", "prompt_tokens", "completion_tokens", "cost"}}
     * @param cost its prompt and generated tokens at the provider's prices, at most {@link #maximum}
     */
    public record Answer(Map<String, Object> json, BigInteger cost) {}

    /** Why a request body cannot be completed, or null when it can: the checks the maximum relies on. */
    public static String problem(JsonNode req) {
        if (req == null || !req.path("prompt").isTextual() || req.get("prompt").textValue().isEmpty()) {
            return "prompt is required: a non-empty string";
        } else if (req.get("prompt").textValue().getBytes(StandardCharsets.UTF_8).length > MAX_PROMPT_BYTES) {
            return "prompt is longer than " + MAX_PROMPT_BYTES + " bytes";
        } else if (req.has("max_tokens") && (!req.get("max_tokens").canConvertToInt()
                || req.get("max_tokens").intValue() < 1 || req.get("max_tokens").intValue() > MAX_TOKENS)) {
            return "max_tokens must be a whole number 1.." + MAX_TOKENS;
        } else if (req.has("model") && !req.get("model").isTextual()) {
            return "model must be a string";
        }
        return null;
    }

    /** Completes a request {@link #problem} passed, charging its tokens at {@code prices} (never above the maximum). */
    public static Answer complete(InferenceBackend backend, Prices prices, JsonNode req) {
        String model = req.has("model") ? req.get("model").textValue()
                : backend.models().stream().map(ModelInfo::name).findFirst().orElse("");
        Completion c = backend.generate(CoordinatorPrompt.call(model, req.get("prompt").textValue(),
                req.path("max_tokens").asInt(64)), TextSink.of(piece -> { }, piece -> { }));
        BigInteger cost = prices.cost(c.promptTokens(), c.generatedTokens()).min(maximum(prices));
        return new Answer(Map.of("model", model, "text", c.text(), "prompt_tokens", c.promptTokens(),
                "completion_tokens", c.generatedTokens(), "cost", cost.toString()), cost);
    }
}

package dev.hypha.node.gateway.remote;

import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.provider.Prices;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * What a provider's published offer promises: its prices and the longest context it serves. The payer checks every
 * receipt's price against them, and prices a request itself from them ({@link #maximum}) so it can pay up front instead
 * of asking the provider first.
 *
 * @param prices        per million prompt and generated tokens, in the payment token's smallest units
 * @param contextLength the offer's context length (prompt plus answer, in tokens)
 */
public record OfferTerms(Prices prices, int contextLength) {
    /**
     * Tokens a chat template may add around one message (role markers, separators), as the upstream engine's
     * bound ({@code OllamaUpstream}) allows.
     */
    static final int TEMPLATE_TOKENS_PER_MESSAGE = 16;

    public OfferTerms {
        Objects.requireNonNull(prices, "prices");
        if (contextLength < 1) {
            throw new IllegalArgumentException("context length must be >= 1, was " + contextLength);
        }
    }

    /** What an on-chain offer promises: what its buyer holds the provider's charges to. */
    public static OfferTerms of(Offer offer) {
        return new OfferTerms(new Prices(offer.inputPerMillion(), offer.outputPerMillion()), offer.contextLength());
    }

    /**
     * Why {@code price}, charged for {@code tokensIn} prompt and {@code tokensOut} generated tokens, breaks the offer
     * (empty when it does not): the one check every payer that knows the offer makes, whether the price comes in a
     * signed receipt or in an x402 settlement.
     */
    public Optional<String> overcharge(BigInteger price, long tokensIn, long tokensOut) {
        BigInteger atOfferedPrices = cost(tokensIn, tokensOut);
        return price.compareTo(atOfferedPrices) <= 0 ? Optional.empty() : Optional.of("price " + price + " is above the "
                + atOfferedPrices + " its offer's prices make for " + tokensIn + "/" + tokensOut + " tokens (the offer: "
                + prices.inputPerMillion() + "/" + prices.outputPerMillion() + " per million tokens in/out)");
    }

    /** What {@code tokensIn} prompt and {@code tokensOut} generated tokens cost at the offer's prices. */
    public BigInteger cost(long tokensIn, long tokensOut) {
        return prices.cost(tokensIn, tokensOut);
    }

    /**
     * The most {@code call} can cost at these prices, bounded without the provider's tokenizer: no tokenizer makes more
     * tokens than bytes, so the prompt has at most as many tokens as its texts have UTF-8 bytes ({@link #promptBytes}),
     * plus {@value #TEMPLATE_TOKENS_PER_MESSAGE} per message and once more for what a template adds; the answer has at
     * most the call's token limit, or without one the larger of the offer's and the call's context. A provider pricing
     * honestly at its offer asks for no more, unless its template adds more than that allowance (it then answers 402
     * with its own maximum, and the payer pays that instead). The payer signs exactly this much beyond what it was
     * charged, so it is the most it can lose to a provider that takes the voucher and never answers: one request's
     * maximum price, by the offer's own prices.
     *
     * @param body the request body the provider will receive (its bytes bound a prompt with tools)
     */
    public BigInteger maximum(GenerateCall call, byte[] body) {
        int messages = switch (call.prompt()) {
            case Prompt.Chat c -> c.messages().size();
            case Prompt.Text t -> t.system() == null ? 1 : 2;
            case Prompt.Infill f -> 1;
        };
        long promptTokens = promptBytes(call, body) + call.context().size()
                + (long) TEMPLATE_TOKENS_PER_MESSAGE * (messages + 1);
        long answerTokens = call.maxTokens() != GenerateCall.UNLIMITED ? call.maxTokens()
                : Math.max(contextLength, call.numCtx().orElse(0));
        return prices.cost(promptTokens, answerTokens);
    }

    /**
     * Bytes of every text a template renders: the messages (or the text and its system prompt). A call with tools or
     * tool calls is bounded by the whole body instead, which holds them all (the template renders them in its own
     * layout, so counting each field would be a guess).
     */
    static long promptBytes(GenerateCall call, byte[] body) {
        if (!call.tools().isEmpty()) {
            return body.length;
        }
        long bytes = 0;
        switch (call.prompt()) {
            case Prompt.Chat c -> {
                for (Prompt.Message m : c.messages()) {
                    if (!m.toolCalls().isEmpty() || m.toolName() != null || m.toolCallId() != null) {
                        return body.length;
                    }
                    bytes += utf8(m.content());
                }
            }
            case Prompt.Text t -> bytes = utf8(t.text()) + (t.system() == null ? 0 : utf8(t.system()));
            case Prompt.Infill f -> bytes = utf8(f.prefix()) + utf8(f.suffix());
        }
        return bytes;
    }

    private static long utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}

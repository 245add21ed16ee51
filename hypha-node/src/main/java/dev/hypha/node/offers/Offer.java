package dev.hypha.node.offers;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One model offered by one provider at one price: what a gateway needs to choose it, reach it and pay it.
 *
 * @param provider          the provider's account (payee of the channels opened to it)
 * @param endpoint          the provider's API root as registered (its paid routes live under {@code /provider/v1})
 * @param signingKey        the address whose key signs the provider's receipts (and its transport, when bound)
 * @param model             the model's name as the provider serves it
 * @param modelId           the model's content-id digest, 0x + 64 hex (what receipts carry as {@code modelId})
 * @param token             the ERC-20 the prices are in
 * @param inputPerMillion   price of a million prompt tokens, in the token's smallest units
 * @param outputPerMillion  price of a million generated tokens, in the token's smallest units
 * @param contextLength     the longest context the provider serves this model with, in tokens
 * @param concurrency       how many requests the provider serves at once for this model
 * @param liveUntil         when the offer stops counting unless the provider refreshes it (its last heartbeat plus
 *                          the registry's maximum age); routing skips offers past it
 */
public record Offer(Address provider, URI endpoint, Address signingKey, String model, String modelId, Address token,
                    BigInteger inputPerMillion, BigInteger outputPerMillion, int contextLength, int concurrency,
                    Instant liveUntil) {
    private static final Pattern BYTES32 = Pattern.compile("0x[0-9a-f]{64}");

    public Offer {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(signingKey, "signingKey");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(liveUntil, "liveUntil");
        if (Objects.requireNonNull(model, "model").isBlank()) {
            throw new IllegalArgumentException("model name is empty");
        }
        if (!BYTES32.matcher(Objects.requireNonNull(modelId, "modelId")).matches()) {
            throw new IllegalArgumentException("modelId must be 0x + 64 lowercase hex digits, was '" + modelId + "'");
        }
        if (Objects.requireNonNull(inputPerMillion, "inputPerMillion").signum() < 0
                || Objects.requireNonNull(outputPerMillion, "outputPerMillion").signum() < 0) {
            throw new IllegalArgumentException("prices must be >= 0");
        }
        if (contextLength <= 0 || concurrency <= 0) {
            throw new IllegalArgumentException("context length and concurrency must be > 0, were "
                    + contextLength + " and " + concurrency);
        }
    }

    /** Whether the offer still counts at {@code now}. */
    public boolean liveAt(Instant now) {
        return !now.isAfter(liveUntil);
    }
}

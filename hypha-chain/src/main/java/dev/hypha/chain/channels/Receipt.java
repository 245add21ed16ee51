package dev.hypha.chain.channels;

import java.math.BigInteger;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a provider signs for every answer: which request (hash of its body), which model (content id digest), how many
 * tokens in and out, which output (hash), what it cost, and the channel total it was paid from. Receipts feed
 * reputation, royalties and disputes; a payer keeps them as proof of what it was charged for.
 *
 * @param requestHash      keccak-256 of the request body (0x + 64 hex)
 * @param modelId          the model's content-id digest (0x + 64 hex: the sha2-256 of its CID's multihash)
 * @param tokensIn         prompt tokens
 * @param tokensOut        generated tokens
 * @param outputHash       keccak-256 of the output text (0x + 64 hex)
 * @param price            what this answer cost, in the token's smallest units
 * @param channelId        the channel it was paid on
 * @param cumulativeAmount the channel total after this answer
 */
public record Receipt(String requestHash, String modelId, long tokensIn, long tokensOut, String outputHash,
                      BigInteger price, String channelId, BigInteger cumulativeAmount) {
    private static final Pattern BYTES32 = Pattern.compile("0x[0-9a-f]{64}");

    public Receipt {
        requestHash = bytes32("requestHash", requestHash);
        modelId = bytes32("modelId", modelId);
        outputHash = bytes32("outputHash", outputHash);
        channelId = bytes32("channelId", channelId);
        if (tokensIn < 0 || tokensOut < 0) {
            throw new IllegalArgumentException("token counts must be >= 0, were " + tokensIn + " and " + tokensOut);
        }
        if (Objects.requireNonNull(price, "price").signum() < 0
                || Objects.requireNonNull(cumulativeAmount, "cumulativeAmount").signum() < 0) {
            throw new IllegalArgumentException("amounts must be >= 0");
        }
    }

    private static String bytes32(String field, String value) {
        String v = Objects.requireNonNull(value, field).toLowerCase(java.util.Locale.ROOT);
        if (!BYTES32.matcher(v).matches()) {
            throw new IllegalArgumentException(field + " must be 0x + 64 hex digits, was '" + value + "'");
        }
        return v;
    }
}

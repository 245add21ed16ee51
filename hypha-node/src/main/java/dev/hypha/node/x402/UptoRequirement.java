package dev.hypha.node.x402;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.Objects;

/**
 * An x402 v2 {@code accepts[]} entry of scheme {@value #SCHEME} paid over a PaymentChannels channel: the request costs
 * at most {@code maxAmount}; the payer sends a cumulative channel voucher covering what its channel was charged so far
 * plus this maximum, and the server charges only what the work cost. The official {@code @x402/evm} {@code upto} moves
 * tokens with Permit2 ({@code extra.assetTransferMethod = "permit2"}); this entry says {@value #TRANSFER_METHOD}
 * there, so a Permit2-only client skips it instead of signing something the server cannot use.
 *
 * @param chainId           the chain (x402 network {@code eip155:<chainId>})
 * @param asset             the channel's token
 * @param payTo             the channel's provider (who is paid)
 * @param maxAmount         the most one request can cost, in the token's smallest units
 * @param channels          the PaymentChannels contract
 * @param maxTimeoutSeconds how long the server may take to answer
 */
public record UptoRequirement(long chainId, Address asset, Address payTo, BigInteger maxAmount, Address channels,
                              long maxTimeoutSeconds) {
    /** x402's scheme name for "pay what it cost, up to a maximum". */
    public static final String SCHEME = "upto";
    /** {@code extra.assetTransferMethod} of channel-paid {@code upto}. */
    public static final String TRANSFER_METHOD = "payment-channel";
    /** The EIP-712 type the voucher is signed as (PaymentChannels' domain). */
    public static final String VOUCHER_TYPE = "Voucher(bytes32 channelId,uint256 cumulativeAmount)";

    public UptoRequirement {
        Objects.requireNonNull(asset, "asset");
        Objects.requireNonNull(payTo, "payTo");
        Objects.requireNonNull(channels, "channels");
        if (Objects.requireNonNull(maxAmount, "maxAmount").signum() <= 0) {
            throw new IllegalArgumentException("maxAmount must be > 0, was " + maxAmount);
        }
        if (maxTimeoutSeconds <= 0) {
            throw new IllegalArgumentException("maxTimeoutSeconds must be > 0, was " + maxTimeoutSeconds);
        }
    }

    /** The CAIP-2 network id. */
    public String network() {
        return X402.network(chainId);
    }

    /** The {@code accepts[]} entry. */
    public ObjectNode toJson() {
        ObjectNode a = X402Json.JSON.createObjectNode();
        a.put("scheme", SCHEME);
        a.put("network", network());
        a.put("amount", maxAmount.toString());
        a.put("asset", asset.toChecksumString());
        a.put("payTo", payTo.toChecksumString());
        a.put("maxTimeoutSeconds", maxTimeoutSeconds);
        ObjectNode extra = a.putObject("extra");
        extra.put("assetTransferMethod", TRANSFER_METHOD);
        extra.put("channels", channels.toChecksumString());
        extra.put("voucher", VOUCHER_TYPE);
        return a;
    }

    /** Whether an {@code accepts[]} entry is channel-paid {@code upto} (checked before {@link #fromJson}). */
    static boolean isUptoChannel(JsonNode entry) {
        return entry != null && SCHEME.equals(entry.path("scheme").asText(null))
                && TRANSFER_METHOD.equals(entry.path("extra").path("assetTransferMethod").asText(null));
    }

    /**
     * Reads an {@code accepts[]} entry from a server.
     *
     * @throws MalformedPayment naming the field that is wrong
     */
    static UptoRequirement fromJson(String where, JsonNode a) {
        if (!isUptoChannel(a)) {
            throw new MalformedPayment(where, "is not an upto entry paid over a payment channel");
        }
        BigInteger max = X402Json.uint(where, a, "amount");
        if (max.signum() == 0) {
            throw new MalformedPayment(where, "amount must be > 0");
        }
        long timeout = X402Json.nonNegativeLong(where, a, "maxTimeoutSeconds");
        if (timeout == 0) {
            throw new MalformedPayment(where, "maxTimeoutSeconds must be > 0");
        }
        JsonNode extra = X402Json.child(where, a, "extra");
        return new UptoRequirement(X402Json.network(where, a, "network"), X402Json.address(where, a, "asset"),
                X402Json.address(where, a, "payTo"), max, X402Json.address(where, extra, "channels"), timeout);
    }
}

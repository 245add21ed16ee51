package dev.hypha.node.payments;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.Objects;

/**
 * One way to pay for a request, as an x402 v2 {@code accepts[]} entry with Hypha's channel scheme: pay {@code
 * amount} (the request's maximum price, in the token's smallest units) more on a PaymentChannels channel to {@code
 * payTo}.
 *
 * @param chainId           the chain (x402 network {@code eip155:<chainId>})
 * @param asset             the ERC-20 to pay in
 * @param payTo             the provider
 * @param amount            the most this request can cost
 * @param channels          the PaymentChannels contract
 * @param maxTimeoutSeconds how long the provider may take to answer
 */
public record PaymentRequirement(long chainId, Address asset, Address payTo, BigInteger amount, Address channels,
                                 long maxTimeoutSeconds) {
    /** The x402 scheme name of payment by cumulative channel voucher. */
    public static final String SCHEME = "hypha-channel";

    public PaymentRequirement {
        Objects.requireNonNull(asset, "asset");
        Objects.requireNonNull(payTo, "payTo");
        Objects.requireNonNull(channels, "channels");
        if (Objects.requireNonNull(amount, "amount").signum() < 0) {
            throw new IllegalArgumentException("amount must be >= 0, was " + amount);
        }
    }

    /** The CAIP-2 network id, e.g. {@code eip155:31337}. */
    public String network() {
        return "eip155:" + chainId;
    }
}

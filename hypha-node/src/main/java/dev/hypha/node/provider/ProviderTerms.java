package dev.hypha.node.provider;

import dev.hypha.core.crypto.Address;
import dev.hypha.node.payments.PaymentRequirement;
import java.math.BigInteger;
import java.util.Objects;

/**
 * Who is paid, in what and where: the chain, the payment token, the provider's address (the channels' payee), the
 * PaymentChannels contract, and the prices.
 *
 * @param chainId        the chain the channels live on
 * @param token          the ERC-20 accepted
 * @param provider       the provider's account (channels must name it as provider)
 * @param channels       the PaymentChannels contract
 * @param prices         per-million token prices
 * @param timeoutSeconds how long an answer may take (x402's maxTimeoutSeconds)
 */
public record ProviderTerms(long chainId, Address token, Address provider, Address channels, Prices prices,
                            long timeoutSeconds) {
    public ProviderTerms {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(channels, "channels");
        Objects.requireNonNull(prices, "prices");
    }

    /** The x402 {@code accepts[]} entry for a request whose maximum price is {@code amount}. */
    public PaymentRequirement requirement(BigInteger amount) {
        return new PaymentRequirement(chainId, token, provider, amount, channels, timeoutSeconds);
    }

    /** x402's network id, e.g. {@code eip155:31337}. */
    public String network() {
        return "eip155:" + chainId;
    }
}

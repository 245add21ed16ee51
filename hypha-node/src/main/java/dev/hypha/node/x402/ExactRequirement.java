package dev.hypha.node.x402;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.Objects;

/**
 * One x402 v2 {@code accepts[]} entry of the {@code exact} scheme on an EVM chain: pay exactly {@code amount} of the
 * EIP-3009 token {@code asset} to {@code payTo}. {@code extra.name}/{@code extra.version} are the token's EIP-712
 * domain, which the payer signs under (hUSD: "Hypha USD", "1").
 *
 * @param chainId           the chain (network {@code eip155:<chainId>})
 * @param amount            the price in the token's smallest units
 * @param asset             the token
 * @param payTo             who is paid
 * @param maxTimeoutSeconds how long an authorization for this may stay valid (its {@code validBefore} window)
 * @param tokenName         the token's EIP-712 domain name
 * @param tokenVersion      the token's EIP-712 domain version
 */
public record ExactRequirement(long chainId, BigInteger amount, Address asset, Address payTo, long maxTimeoutSeconds,
                               String tokenName, String tokenVersion) {
    public ExactRequirement {
        Objects.requireNonNull(asset, "asset");
        Objects.requireNonNull(payTo, "payTo");
        Objects.requireNonNull(tokenName, "tokenName");
        Objects.requireNonNull(tokenVersion, "tokenVersion");
        if (Objects.requireNonNull(amount, "amount").signum() <= 0) {
            throw new IllegalArgumentException("an exact price must be above 0, was " + amount);
        }
        if (chainId <= 0 || maxTimeoutSeconds <= 0) {
            throw new IllegalArgumentException("chain id and maxTimeoutSeconds must be positive");
        }
    }

    /** The CAIP-2 network id. */
    public String network() {
        return X402.network(chainId);
    }

    /** The JSON entry, as x402 writes it (amounts as decimal strings, addresses checksummed). */
    public ObjectNode toJson() {
        ObjectNode a = X402Json.JSON.createObjectNode();
        a.put("scheme", X402.EXACT);
        a.put("network", network());
        a.put("amount", amount.toString());
        a.put("asset", asset.toChecksumString());
        a.put("payTo", payTo.toChecksumString());
        a.put("maxTimeoutSeconds", maxTimeoutSeconds);
        ObjectNode extra = a.putObject("extra");
        extra.put("name", tokenName);
        extra.put("version", tokenVersion);
        return a;
    }

    /**
     * Reads an {@code exact} entry (other fields x402 may add are ignored).
     *
     * @throws MalformedPayment naming the field when it is not an exact EVM requirement
     */
    public static ExactRequirement parse(String where, JsonNode a) {
        if (a == null || !a.isObject()) {
            throw new MalformedPayment(where, "must be an object");
        }
        String scheme = X402Json.text(where, a, "scheme");
        if (!X402.EXACT.equals(scheme)) {
            throw new MalformedPayment(where, "scheme must be " + X402.EXACT + ", was '" + X402Json.shorten(scheme) + "'");
        }
        long chainId = X402Json.network(where, a, "network");
        BigInteger amount = X402Json.uint(where, a, "amount");
        if (amount.signum() == 0) {
            throw new MalformedPayment(where, "amount must be above 0");
        }
        long timeout = X402Json.nonNegativeLong(where, a, "maxTimeoutSeconds");
        if (timeout == 0) {
            throw new MalformedPayment(where, "maxTimeoutSeconds must be above 0");
        }
        JsonNode extra = X402Json.child(where, a, "extra");
        String name = X402Json.text(where, extra, "name");
        String version = X402Json.text(where, extra, "version");
        if (name.isEmpty() || name.length() > 128 || version.isEmpty() || version.length() > 32) {
            throw new MalformedPayment(where, "extra.name (1..128) and extra.version (1..32) must name the token's EIP-712 domain");
        }
        return new ExactRequirement(chainId, amount, X402Json.address(where, a, "asset"),
                X402Json.address(where, a, "payTo"), timeout, name, version);
    }
}

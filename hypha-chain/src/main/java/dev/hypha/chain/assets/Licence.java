package dev.hypha.chain.assets;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.Objects;

/**
 * An asset's licence as AssetRegistry stores it, checked with the contract's rules: an SPDX expression of printable
 * ASCII (1..128 bytes); paid terms need a token and a price above 0, the others neither.
 *
 * @param price in {@code token} units: per grant (paid per use) or per 1,000 tokens (paid per token); 0 otherwise
 */
public record Licence(String spdx, Terms terms, Address token, BigInteger price) {
    /** Longest SPDX expression in bytes (the contract's MAX_SPDX_BYTES). */
    public static final int MAX_SPDX_BYTES = 128;
    private static final BigInteger MAX_PRICE = BigInteger.TWO.pow(96).subtract(BigInteger.ONE);

    public Licence {
        Objects.requireNonNull(spdx, "spdx");
        Objects.requireNonNull(terms, "terms");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(price, "price");
        if (spdx.isEmpty() || spdx.length() > MAX_SPDX_BYTES || !spdx.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
            throw new IllegalArgumentException("SPDX licence expression must be 1.." + MAX_SPDX_BYTES
                    + " printable ASCII characters, e.g. Apache-2.0 or CC-BY-4.0");
        }
        if (price.signum() < 0 || price.compareTo(MAX_PRICE) > 0) {
            throw new IllegalArgumentException("licence price " + price + " is outside 0..2^96-1");
        }
        boolean priced = !token.equals(Address.ZERO) && price.signum() > 0;
        boolean unpriced = token.equals(Address.ZERO) && price.signum() == 0;
        if (terms.paid() ? !priced : !unpriced) {
            throw new IllegalArgumentException(terms.paid()
                    ? "licence terms " + terms + " need a token and a price above 0"
                    : "licence terms " + terms + " take no token and no price (got " + token + ", " + price + ")");
        }
    }

    /** A licence without a price ({@link Terms#FREE} or {@link Terms#NON_COMMERCIAL}). */
    public static Licence unpriced(String spdx, Terms terms) {
        return new Licence(spdx, terms, Address.ZERO, BigInteger.ZERO);
    }
}

package dev.hypha.node.compute;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Sign;

/**
 * Who may talk to a provider about a job: only the lease's tenant. Each request carries the tenant's signature
 * (EIP-191 {@code personal_sign}, so any wallet can make one) over a text that binds the chain, the market, the order,
 * what is asked and an expiry; the provider recovers the signer and compares it with the order's tenant on chain.
 *
 * <p>Decision: a signed request rather than a session token, because the provider already trusts the chain for who
 * the tenant is and needs no account database; the expiry (at most {@link #MAX_LIFETIME_SECONDS} ahead) bounds how long a
 * copied request can be replayed, and a replay can only repeat a read or the same hand-off.
 */
public final class TenantAuth {
    /** The header holding the signature (0x + 130 hex digits). */
    public static final String SIGNATURE_HEADER = "X-Hypha-Signature";
    /** The header holding the expiry (unix seconds). */
    public static final String EXPIRES_HEADER = "X-Hypha-Expires";
    /** Furthest a request's expiry may lie ahead of the provider's clock. */
    public static final long MAX_LIFETIME_SECONDS = 300;

    private TenantAuth() {}

    /** The exact text signed. */
    public static String message(long chainId, Address market, BigInteger orderId, String action, long expiresAt) {
        return "Hypha compute request\nchain: " + chainId + "\nmarket: " + market + "\norder: " + orderId + "\naction: "
                + action + "\nexpires: " + expiresAt;
    }

    /** The signature a tenant sends. */
    public static String sign(Credentials tenant, long chainId, Address market, BigInteger orderId, String action,
                              long expiresAt) {
        byte[] text = message(chainId, market, orderId, action, expiresAt).getBytes(StandardCharsets.UTF_8);
        return Signature.of(Sign.signPrefixedMessage(text, tenant.getEcKeyPair())).toHex();
    }

    /** Why a request is refused, or empty when {@code expected} signed it and it is fresh. */
    public static Optional<String> check(String signatureHex, String expiresText, long nowSeconds, long chainId, Address market,
                                         BigInteger orderId, String action, Address expected) {
        if (signatureHex == null || expiresText == null) {
            return Optional.of("missing " + SIGNATURE_HEADER + " and " + EXPIRES_HEADER + ": only the lease's tenant may ask, "
                    + "with its signature");
        }
        long expires;
        try {
            if (expiresText.length() > 20) throw new NumberFormatException();
            expires = Long.parseLong(expiresText);
        } catch (NumberFormatException e) {
            return Optional.of(EXPIRES_HEADER + " must be unix seconds");
        }
        if (expires < nowSeconds) {
            return Optional.of("the request expired at " + expires + " (now " + nowSeconds + ")");
        }
        if (expires > nowSeconds + MAX_LIFETIME_SECONDS) {
            return Optional.of("the request's expiry " + expires + " is more than " + MAX_LIFETIME_SECONDS + " s ahead");
        }
        Address signer;
        try {
            if (signatureHex.length() > 140) throw new IllegalArgumentException("too long");
            Signature signature = Signature.fromHex(signatureHex);
            byte[] text = message(chainId, market, orderId, action, expires).getBytes(StandardCharsets.UTF_8);
            signer = Address.fromPublicKey(Sign.signedPrefixedMessageToKey(text, signature.toSignatureData()));
        } catch (SignatureException | RuntimeException e) {
            return Optional.of("unreadable signature: " + e.getMessage());
        }
        if (!signer.equals(expected)) {
            return Optional.of("signed by " + signer.toChecksumString() + ", not by the order's tenant");
        }
        return Optional.empty();
    }
}

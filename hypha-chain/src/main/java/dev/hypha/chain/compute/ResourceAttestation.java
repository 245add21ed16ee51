package dev.hypha.chain.compute;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import java.util.Objects;

/**
 * An auditor's signed statement that {@code provider} offers {@code resources} until {@code expiresAt}, on one
 * ComputeMarket (the signature's EIP-712 domain, {@link AuditDomain}). A provider sends it with its bid on an order
 * that names this auditor; the bid must then offer exactly these resources, since the signature covers them.
 *
 * @param chainId   the chain of the market it is for
 * @param market    the ComputeMarket it is for
 * @param auditor   who signed it
 * @param provider  whose resources it attests (only this account's bids can use it)
 * @param expiresAt seconds since the epoch (chain time) from which the market refuses it
 */
public record ResourceAttestation(long chainId, Address market, Address auditor, Address provider, Resources resources,
                                  long expiresAt, Signature signature) {
    public ResourceAttestation {
        Objects.requireNonNull(market, "market");
        Objects.requireNonNull(auditor, "auditor");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(signature, "signature");
        if (expiresAt < 1) {
            throw new IllegalArgumentException("expiresAt must be a positive time in seconds, got " + expiresAt);
        }
    }

    /** The domain it was signed in. */
    public AuditDomain domain() {
        return new AuditDomain(chainId, market);
    }

    /** Whether the signature is the auditor's over exactly these terms (an ECDSA auditor's). */
    public boolean isSigned() {
        return domain().isSignedBy(auditor, provider, resources, expiresAt, signature);
    }
}

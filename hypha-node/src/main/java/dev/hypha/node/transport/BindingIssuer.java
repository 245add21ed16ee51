package dev.hypha.node.transport;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;

/**
 * Makes a provider's TLS certificates: each time a fresh P-256 key, a {@link TlsKeyBinding} for it signed by the
 * registered signing key, and a self-signed certificate carrying the binding, all valid for {@link #VALIDITY}.
 *
 * <p>The TLS key lives only in memory and a new one is made at every start and every renewal: clients trust the
 * registered key, not the TLS key, so nothing is gained by keeping it, and a key that is never written cannot leak from
 * disk or backups. A short validity bounds how long a stolen TLS key (from a memory dump) stays useful.
 */
public final class BindingIssuer {
    /** How long one certificate and its binding are valid. */
    public static final Duration VALIDITY = Duration.ofHours(6);
    /** How far before issuing a binding starts, so clients whose clocks run behind accept it too. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(10);

    private final long chainId;
    private final Address provider;
    private final Function<TypedData, Signature> signer;

    /**
     * @param chainId  the chain whose ProviderRegistry lists the provider
     * @param provider the provider's address there
     * @param signer   signs typed data with the registered signing key (which stays inside it)
     */
    public BindingIssuer(long chainId, Address provider, Function<TypedData, Signature> signer) {
        this.chainId = chainId;
        this.provider = Objects.requireNonNull(provider, "provider");
        this.signer = Objects.requireNonNull(signer, "signer");
    }

    /** A new key and certificate valid from {@code now - CLOCK_SKEW} to {@code now + VALIDITY}. */
    public BindingCertificate issue(Instant now) {
        Instant notBefore = now.minus(CLOCK_SKEW);
        Instant notAfter = now.plus(VALIDITY);
        KeyPair tlsKey = BindingCertificate.newTlsKey();
        TlsKeyBinding binding = TlsKeyBinding.sign(tlsKey.getPublic(), chainId, provider, notBefore, notAfter, signer);
        return BindingCertificate.selfSigned(tlsKey, "hypha provider " + provider.toChecksumString(),
                binding.notBefore(), binding.notAfter(), binding.toDer());
    }
}

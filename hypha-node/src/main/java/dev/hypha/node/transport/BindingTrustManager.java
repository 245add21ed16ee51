package dev.hypha.node.transport;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.ASN1OctetString;

/**
 * A client's trust in one provider: a server certificate is accepted only when its {@link TlsKeyBinding} is for the
 * expected chain and provider, valid now, and signed by the expected signing key (the one ProviderRegistry lists for
 * the provider). There is no certificate authority and no host name check; the binding replaces both, so the provider
 * can be reached through any address, proxy or tunnel.
 *
 * <p>Extending {@link X509ExtendedTrustManager} matters: JSSE wraps a plain {@code X509TrustManager} in a checker that
 * adds the host name verification the HTTP client asks for, which a certificate without names would fail.
 *
 * <p>Work per handshake is bounded: one certificate, an extension of at most {@link TlsKeyBinding#MAX_DER_BYTES}
 * bytes, one keccak-256 and one signature recovery. (The certificate itself was parsed by JSSE, under its own limits on
 * handshake message size and chain length.)
 */
final class BindingTrustManager extends X509ExtendedTrustManager {
    /** An extension value is an OCTET STRING around the binding: a tag and at most 3 length bytes more. */
    private static final int MAX_WRAPPED_BYTES = TlsKeyBinding.MAX_DER_BYTES + 4;

    private final Address expectedSigner;
    private final long chainId;
    private final Address provider;
    private final Clock clock;

    BindingTrustManager(Address expectedSigner, long chainId, Address provider, Clock clock) {
        this.expectedSigner = Objects.requireNonNull(expectedSigner, "expectedSigner");
        this.chainId = chainId;
        this.provider = Objects.requireNonNull(provider, "provider");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Accepts {@code chain} or says exactly why not.
     *
     * @throws CertificateException naming the provider and what was wrong (missing, malformed, expired binding, other
     *                              chain or provider, or the signer it recovers to next to the expected one)
     */
    void check(X509Certificate[] chain) throws CertificateException {
        String who = "provider " + provider.toChecksumString();
        if (chain == null || chain.length == 0) {
            throw new CertificateException(who + " presented no TLS certificate");
        }
        if (chain.length != 1) {
            throw new CertificateException(who + " presented " + chain.length + " certificates; a Hypha provider "
                    + "presents exactly one, self-signed, carrying its key binding");
        }
        X509Certificate certificate = chain[0];
        byte[] wrapped = certificate.getExtensionValue(TlsKeyBinding.OID.getId());
        if (wrapped == null) {
            throw new CertificateException(who + " presented a TLS certificate without a Hypha key binding (extension "
                    + TlsKeyBinding.OID.getId() + "): it is not a Hypha provider, or something else answers at its address");
        }
        if (wrapped.length > MAX_WRAPPED_BYTES) {
            throw new CertificateException(who + " presented a key binding of " + wrapped.length + " bytes, over the limit of "
                    + TlsKeyBinding.MAX_DER_BYTES);
        }
        TlsKeyBinding binding;
        Address signer;
        try {
            binding = TlsKeyBinding.fromDer(ASN1OctetString.getInstance(wrapped).getOctets());
            signer = binding.signer(certificate.getPublicKey());
        } catch (HyphaException | IllegalArgumentException | IllegalStateException e) {
            throw new CertificateException(who + " presented a malformed key binding: " + e.getMessage(), e);
        }
        if (binding.chainId() != chainId) {
            throw new CertificateException(who + " presented a key binding for chain " + binding.chainId()
                    + ", expected chain " + chainId);
        }
        if (!binding.provider().equals(provider)) {
            throw new CertificateException(who + " presented a key binding for provider "
                    + binding.provider().toChecksumString() + ", not for it");
        }
        Instant now = clock.instant();
        if (!binding.isValidAt(now)) {
            throw new CertificateException(who + " presented a key binding valid from " + binding.notBefore() + " to "
                    + binding.notAfter() + ", not now (" + now + "); " + (now.isAfter(binding.notAfter())
                    ? "it expired" : "it is not valid yet") + " (or this machine's clock is wrong)");
        }
        if (!signer.equals(expectedSigner)) {
            throw new CertificateException(who + ": expected signer " + expectedSigner.toChecksumString()
                    + " (its registered signing key), but the TLS key was vouched for by signer "
                    + signer.toChecksumString() + " (an impostor, or the provider changed its key on-chain)");
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this trust manager authenticates Hypha providers (servers), not clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    /** No issuers: nothing is trusted by issuer. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}

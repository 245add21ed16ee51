package dev.hypha.node.transport;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import org.web3j.crypto.Credentials;

/**
 * Both ends of the provider transport (see the package comment): TLS 1.3 only, the server's certificate vouched for by
 * its registered signing key, the client trusting exactly that key.
 *
 * <pre>{@code
 * // provider
 * SSLContext tls = ProviderTls.server(signingKey, chainId, providerAddress, Clock.systemUTC());
 * new ApiServer(host, port, areas, tls).start();
 * // gateway, for one provider, with the signing key ProviderRegistry lists for it
 * HttpClient http = ProviderTls.client(registeredSigner, chainId, providerAddress);
 * }</pre>
 */
public final class ProviderTls {
    /** The only protocol either side speaks: TLS 1.3 (no downgrade to older versions and their weaker suites). */
    public static final String PROTOCOL = "TLSv1.3";

    private ProviderTls() {}

    /**
     * The provider's server context: certificates issued by {@link BindingIssuer} at once and renewed before they
     * expire, the TLS keys held only in memory. Give it to {@code ApiServer}, which also limits the server to TLS 1.3.
     *
     * @param signingKey the registered signing key (ProviderRegistry's {@code signingKey} for {@code provider})
     * @param chainId    the chain of that registry
     * @param provider   the provider's address in the registry
     * @param clock      the wall clock that dates certificates
     */
    public static SSLContext server(Credentials signingKey, long chainId, Address provider, Clock clock) {
        Objects.requireNonNull(signingKey, "signingKey");
        return server(data -> Eip712.sign(data, signingKey), chainId, provider, clock);
    }

    /** As {@link #server(Credentials, long, Address, Clock)}, with a signer that never hands out its key. */
    public static SSLContext server(Function<TypedData, Signature> signer, long chainId, Address provider, Clock clock) {
        BindingIssuer issuer = new BindingIssuer(chainId, provider, signer);
        return serverContext(new RotatingKeyManager(issuer::issue, clock));
    }

    /** A server context presenting what {@code keys} chooses; a provider never asks clients for certificates. */
    static SSLContext serverContext(RotatingKeyManager keys) {
        return context(new KeyManager[] {keys}, new TrustManager[0]);
    }

    /**
     * An HTTP client that speaks only to {@code provider} as vouched for by {@code expectedSigner}; a connection whose
     * certificate says otherwise fails with an {@link javax.net.ssl.SSLHandshakeException} naming what was wrong.
     * Use one client per provider (its trust is that provider's), and make a new one when the registry lists another
     * signing key for it (a client keeps trusting the key it was made with, also through resumed TLS sessions).
     */
    public static HttpClient client(Address expectedSigner, long chainId, Address provider) {
        return clientBuilder(expectedSigner, chainId, provider, Clock.systemUTC()).build();
    }

    /** A builder with the TLS settings in place, for adding timeouts, an executor or a version. */
    public static HttpClient.Builder clientBuilder(Address expectedSigner, long chainId, Address provider, Clock clock) {
        return HttpClient.newBuilder()
                .sslContext(clientContext(expectedSigner, chainId, provider, clock))
                .sslParameters(clientParameters());
    }

    /** The client context trusting only {@code expectedSigner}'s binding for {@code provider} on {@code chainId}. */
    public static SSLContext clientContext(Address expectedSigner, long chainId, Address provider, Clock clock) {
        return context(new KeyManager[0], new TrustManager[] {new BindingTrustManager(expectedSigner, chainId, provider, clock)});
    }

    /** TLS 1.3 only. (The trust manager ignores any host name check these parameters could ask for.) */
    public static SSLParameters clientParameters() {
        SSLParameters parameters = new SSLParameters();
        parameters.setProtocols(new String[] {PROTOCOL});
        return parameters;
    }

    /**
     * A TLS 1.3 context with exactly these managers. Empty arrays, not null: null would make JSSE load the JVM's default
     * key store or CA certificates, which play no part here.
     */
    private static SSLContext context(KeyManager[] keys, TrustManager[] trust) {
        try {
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(keys, trust, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no TLS 1.3, which every JDK 25 has", e);
        }
    }
}

package dev.hypha.node.transport;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The server side's key manager: hands JSSE the current {@link BindingCertificate} and replaces it with a freshly
 * issued one when it has less than {@link #RENEW_BEFORE} left, so a provider that runs for weeks keeps short-lived
 * certificates without restarting. Each certificate has its own alias, and the previous one stays reachable, so a
 * handshake that chose its alias just before a renewal still gets a matching key and certificate.
 */
final class RotatingKeyManager extends X509ExtendedKeyManager {
    /** Renew once this much validity is left: clients with a clock that far ahead still accept the old one. */
    static final Duration RENEW_BEFORE = Duration.ofHours(1);
    /** The only key type the certificates have (JSSE asks by key algorithm name). */
    private static final String KEY_TYPE = "EC";
    private static final String ALIAS_PREFIX = "hypha-provider-";

    private final Function<Instant, BindingCertificate> issuer;
    private final Clock clock;
    private long generation;
    private BindingCertificate current;
    private BindingCertificate previous;

    /** Issues the first certificate at once, so a signer that cannot sign fails at start, not at the first client. */
    RotatingKeyManager(Function<Instant, BindingCertificate> issuer, Clock clock) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.current = Objects.requireNonNull(issuer.apply(clock.instant()), "issued certificate");
    }

    /** The alias of the certificate to present now, renewing it first when it is about to expire. */
    synchronized String currentAlias() {
        Instant now = clock.instant();
        if (!now.isBefore(current.notAfter().minus(RENEW_BEFORE))) {
            previous = current;
            current = Objects.requireNonNull(issuer.apply(now), "issued certificate");
            generation++;
        }
        return ALIAS_PREFIX + generation;
    }

    private synchronized BindingCertificate byAlias(String alias) {
        if ((ALIAS_PREFIX + generation).equals(alias)) return current;
        if (previous != null && (ALIAS_PREFIX + (generation - 1)).equals(alias)) return previous;
        return null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return KEY_TYPE.equals(keyType) ? currentAlias() : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return KEY_TYPE.equals(keyType) ? currentAlias() : null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return KEY_TYPE.equals(keyType) ? new String[] {currentAlias()} : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        BindingCertificate c = byAlias(alias);
        return c == null ? null : new X509Certificate[] {c.certificate()};
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        BindingCertificate c = byAlias(alias);
        return c == null ? null : c.privateKey();
    }

    /** A provider never authenticates as a client. */
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}

package dev.hypha.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/** Certificates renewed before they expire, each with a new TLS key, the previous one kept for handshakes under way. */
class RotatingKeyManagerTest {
    private static final Credentials KEY =
            Credentials.create("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    private static final Address PROVIDER = Address.parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T00:00:00Z"));
    private final RotatingKeyManager keys = new RotatingKeyManager(
            new BindingIssuer(31337, PROVIDER, data -> Eip712.sign(data, KEY))::issue, clock);

    @Test
    void keepsTheCertificateWhileItHasTimeLeft() {
        String first = keys.chooseEngineServerAlias("EC", null, null);
        clock.advance(BindingIssuer.VALIDITY.minus(RotatingKeyManager.RENEW_BEFORE).minusSeconds(1));

        assertThat(keys.chooseEngineServerAlias("EC", null, null)).isEqualTo(first);
        assertThat(keys.getCertificateChain(first)[0].getNotAfter().toInstant())
                .isEqualTo(Instant.parse("2026-12-07T06:00:00Z"));
    }

    @Test
    void renewsWithANewKeyAndKeepsThePreviousForHandshakesUnderWay() {
        String first = keys.chooseEngineServerAlias("EC", null, null);
        var firstCertificate = keys.getCertificateChain(first)[0];
        clock.advance(BindingIssuer.VALIDITY.minus(RotatingKeyManager.RENEW_BEFORE));

        String second = keys.chooseEngineServerAlias("EC", null, null);

        assertThat(second).isNotEqualTo(first);
        var secondCertificate = keys.getCertificateChain(second)[0];
        assertThat(secondCertificate.getPublicKey()).isNotEqualTo(firstCertificate.getPublicKey());
        assertThat(secondCertificate.getNotAfter().toInstant()).isEqualTo(clock.instant().plus(BindingIssuer.VALIDITY));
        assertThat(keys.getCertificateChain(first)[0]).isEqualTo(firstCertificate);
        assertThat(keys.getPrivateKey(first)).isNotNull();

        clock.advance(Duration.ofHours(6));
        keys.chooseEngineServerAlias("EC", null, null);
        assertThat(keys.getCertificateChain(first)).as("two renewals later the first is gone").isNull();
        assertThat(keys.getPrivateKey(first)).isNull();
    }

    @Test
    void offersOnlyItsEcKeyAndNeverAClientKey() {
        assertThat(keys.chooseEngineServerAlias("RSA", null, null)).isNull();
        assertThat(keys.chooseEngineServerAlias("EdDSA", null, null)).isNull();
        assertThat(keys.chooseClientAlias(new String[] {"EC"}, null, null)).isNull();
        assertThat(keys.getCertificateChain("someone-else")).isNull();
    }
}

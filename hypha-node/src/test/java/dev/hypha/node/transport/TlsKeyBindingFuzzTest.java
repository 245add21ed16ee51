package dev.hypha.node.transport;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;

/**
 * Jazzer targets for what a hostile provider controls in the transport: the key binding's bytes, alone and inside a
 * certificate a client checks. Any input parses into a binding that re-encodes to the same bytes or fails with a
 * clear message ({@link HyphaException} for the parser, {@link CertificateException} for the client); anything else
 * is a bug. In the normal suite they run over the saved inputs in
 * {@code src/test/resources/dev/hypha/node/transport/TlsKeyBindingFuzzTestInputs/<method>}; to fuzz for real:
 * <pre>JAZZER_FUZZ=1 scripts/test-slow.sh -pl hypha-node -Dgroups=fuzz -Dtest='TlsKeyBindingFuzzTest#bindingDer' -Djazzer.max_duration=10m</pre>
 */
@org.junit.jupiter.api.Tag("fuzz")
class TlsKeyBindingFuzzTest {
    private static final Address PROVIDER = Address.parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static final Address SIGNER = Address.parse("0x2c7536e3605d9c16a7a3d7b1898e529396a65c23");
    private static final KeyPair TLS_KEY = BindingCertificate.newTlsKey();
    private static final BindingTrustManager CLIENT = new BindingTrustManager(SIGNER, 31337, PROVIDER,
            Clock.fixed(Instant.ofEpochSecond(1_800_000_100L), java.time.ZoneOffset.UTC));

    @FuzzTest(maxDuration = "10s")
    void bindingDer(byte[] der) {
        try {
            TlsKeyBinding binding = TlsKeyBinding.fromDer(der);
            if (!Arrays.equals(binding.toDer(), der)) throw new AssertionError("not canonical");
        } catch (HyphaException refused) {
            if (refused.getMessage().isBlank()) throw new AssertionError("refusal without a message", refused);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void certificateExtension(byte[] extension) {
        X509Certificate certificate = BindingCertificate.selfSigned(TLS_KEY, "fuzz", Instant.ofEpochSecond(1_799_999_000L),
                Instant.ofEpochSecond(1_800_020_000L), extension).certificate();
        try {
            CLIENT.check(new X509Certificate[] {certificate});
            throw new AssertionError("a certificate not signed by the expected key was accepted");
        } catch (CertificateException refused) {
            if (!refused.getMessage().contains(PROVIDER.toChecksumString())) {
                throw new AssertionError("refusal does not name the provider: " + refused.getMessage());
            }
        }
    }
}

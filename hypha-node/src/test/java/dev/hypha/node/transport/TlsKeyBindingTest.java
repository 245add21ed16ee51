package dev.hypha.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.errors.HyphaException;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/** The binding's DER form and signature: canonical, strict, and bound to one TLS key. */
class TlsKeyBindingTest {
    private static final Credentials KEY =
            Credentials.create("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    private static final Address PROVIDER = Address.parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static final KeyPair TLS_KEY = BindingCertificate.newTlsKey();
    private static final TlsKeyBinding BINDING = TlsKeyBinding.sign(TLS_KEY.getPublic(), 31337, PROVIDER,
            Instant.ofEpochSecond(1_800_000_000L), Instant.ofEpochSecond(1_800_021_600L), data -> Eip712.sign(data, KEY));

    @Test
    void roundTripsAndRecoversTheSigner() {
        byte[] der = BINDING.toDer();

        TlsKeyBinding read = TlsKeyBinding.fromDer(der);

        assertThat(read).isEqualTo(BINDING);
        assertThat(read.signer(TLS_KEY.getPublic())).isEqualTo(Address.parse(KEY.getAddress()));
        assertThat(der.length).isLessThanOrEqualTo(TlsKeyBinding.MAX_DER_BYTES);
    }

    @Test
    void signatureCoversTheTlsKey() {
        assertThat(BINDING.signer(BindingCertificate.newTlsKey().getPublic())).isNotEqualTo(Address.parse(KEY.getAddress()));
    }

    @Test
    void nonCanonicalLengthIsRefused() {
        byte[] der = BINDING.toDer();
        // The same SEQUENCE with its length in the long form (0x81 len): valid BER, not DER.
        byte[] ber = new byte[der.length + 1];
        ber[0] = der[0];
        ber[1] = (byte) 0x81;
        ber[2] = der[1];
        System.arraycopy(der, 2, ber, 3, der.length - 2);

        assertThatThrownBy(() -> TlsKeyBinding.fromDer(ber)).isInstanceOf(HyphaException.class)
                .hasMessageContaining("not canonical DER");
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] der = BINDING.toDer();

        assertThatThrownBy(() -> TlsKeyBinding.fromDer(Arrays.copyOf(der, der.length + 1)))
                .isInstanceOf(HyphaException.class).hasMessageContaining("not DER");
    }

    @Test
    void otherVersionIsRefused() throws Exception {
        byte[] v2 = withField(0, new ASN1Integer(2));

        assertThatThrownBy(() -> TlsKeyBinding.fromDer(v2)).isInstanceOf(HyphaException.class)
                .hasMessageContaining("key binding version 2 is not supported");
    }

    @Test
    void shortProviderIsRefused() throws Exception {
        byte[] shortProvider = withField(2, new DEROctetString(new byte[19]));

        assertThatThrownBy(() -> TlsKeyBinding.fromDer(shortProvider)).isInstanceOf(HyphaException.class)
                .hasMessageContaining("provider must be an OCTET STRING of 20 bytes");
    }

    @Test
    void windowEndingBeforeItStartsIsRefused() throws Exception {
        byte[] backwards = withField(4, new ASN1Integer(1_700_000_000L));

        assertThatThrownBy(() -> TlsKeyBinding.fromDer(backwards)).isInstanceOf(HyphaException.class)
                .hasMessageContaining("must end after it starts");
    }

    @Test
    void recoveryByteOtherThan27Or28IsRefused() {
        byte[] der = BINDING.toDer();
        der[der.length - 1] -= 27;

        assertThatThrownBy(() -> TlsKeyBinding.fromDer(der)).isInstanceOf(HyphaException.class)
                .hasMessageContaining("v must be 27 or 28");
    }

    @Test
    void hugeIntegerIsRefused() throws Exception {
        byte[] huge = withField(1, new ASN1Integer(java.math.BigInteger.ONE.shiftLeft(200)));

        assertThatThrownBy(() -> TlsKeyBinding.fromDer(huge)).isInstanceOf(HyphaException.class)
                .hasMessageContaining("chainId is out of range");
    }

    /** Hostile bytes, random or an honest encoding with a few bytes changed: a clear refusal or a binding, nothing else. */
    @Property(tries = 500)
    void anyBytesGiveABindingOrAClearRefusal(@ForAll("hostile") byte[] der) {
        try {
            TlsKeyBinding read = TlsKeyBinding.fromDer(der);
            assertThat(read.toDer()).isEqualTo(der);
        } catch (HyphaException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 50)
    void oversizedInputIsRefusedByLength(@ForAll @IntRange(min = TlsKeyBinding.MAX_DER_BYTES + 1, max = 100_000) int size) {
        assertThatThrownBy(() -> TlsKeyBinding.fromDer(new byte[size]))
                .hasMessageContaining("over the limit of " + TlsKeyBinding.MAX_DER_BYTES);
    }

    @Provide
    Arbitrary<byte[]> hostile() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(TlsKeyBinding.MAX_DER_BYTES);
        byte[] honest = BINDING.toDer();
        Arbitrary<byte[]> mutated = Arbitraries.integers().between(0, honest.length - 1).list().ofMinSize(1).ofMaxSize(3)
                .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
                    byte[] copy = honest.clone();
                    for (int i = 0; i < positions.size(); i++) {
                        copy[positions.get(i)] = values.get(i);
                    }
                    return copy;
                }));
        return Arbitraries.oneOf(random, mutated);
    }

    private static byte[] withField(int index, org.bouncycastle.asn1.ASN1Encodable value) throws Exception {
        ASN1Sequence seq = (ASN1Sequence) ASN1Sequence.fromByteArray(BINDING.toDer());
        ASN1EncodableVector fields = new ASN1EncodableVector();
        for (int i = 0; i < seq.size(); i++) {
            fields.add(i == index ? value : seq.getObjectAt(i));
        }
        return new DERSequence(fields).getEncoded("DER");
    }
}

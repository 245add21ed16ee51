package dev.hypha.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.web3j.crypto.ECKeyPair;

class SignaturePropertiesTest {
    @Property(tries = 50)
    void signedDigestRecoversTheSignerAndIsLowS(@ForAll("privateKeys") BigInteger key, @ForAll @Size(32) byte[] digest) {
        ECKeyPair pair = ECKeyPair.create(key);
        Signature signature = Eip712.signHash(digest, pair);
        assertThat(signature.s()).isLessThanOrEqualTo(Signature.CURVE_ORDER.shiftRight(1));
        assertThat(Eip712.recoverFromHash(digest, signature)).isEqualTo(Address.of(pair));
        assertThat(Signature.fromBytes(signature.toBytes())).isEqualTo(signature);
        assertThat(Signature.fromHex(signature.toHex())).isEqualTo(signature);
    }

    @Property(tries = 50)
    void upperHalfSIsAlwaysRejected(@ForAll("upperHalf") BigInteger s) {
        assertThatThrownBy(() -> new Signature(27, BigInteger.ONE, s))
                .isInstanceOf(HyphaException.class).hasMessageContaining("malleable");
    }

    @Property(tries = 30)
    void anyOtherLengthIsRejectedWithTheLength(@ForAll @Size(max = 130) byte[] packed) {
        if (packed.length == Signature.LENGTH) return;
        assertThatThrownBy(() -> Signature.fromBytes(packed))
                .hasMessage("a signature is 65 bytes (r, s, v), got " + packed.length + " bytes");
    }

    @Provide
    Arbitrary<BigInteger> privateKeys() {
        return Arbitraries.bigIntegers().between(BigInteger.ONE, Signature.CURVE_ORDER.subtract(BigInteger.ONE));
    }

    @Provide
    Arbitrary<BigInteger> upperHalf() {
        return Arbitraries.bigIntegers().between(Signature.CURVE_ORDER.shiftRight(1).add(BigInteger.ONE),
                Signature.CURVE_ORDER.subtract(BigInteger.ONE));
    }
}

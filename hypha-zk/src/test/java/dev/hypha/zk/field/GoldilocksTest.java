package dev.hypha.zk.field;

import static dev.hypha.zk.field.Goldilocks.P;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class GoldilocksTest {
    static final BigInteger MODULUS = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE.shiftLeft(32)).add(BigInteger.ONE);

    /** Canonical elements, with the edges (0, 1, p−1, 2^32 ± 1, …) drawn often: that is where carries go wrong. */
    @Provide
    static Arbitrary<Long> element() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(Goldilocks::fromUnsigned),
                Arbitraries.of(0L, 1L, 2L, P - 1, P - 2, 0xFFFF_FFFFL, 0x1_0000_0000L, 0x1_0000_0001L,
                        0xFFFF_FFFF_0000_0000L, 0x8000_0000_0000_0000L, P >>> 1));
    }

    static BigInteger big(long a) {
        return new BigInteger(Long.toUnsignedString(a));
    }

    @Test
    void modulusIsTheGoldilocksPrime() {
        assertThat(big(P)).isEqualTo(MODULUS);
        assertThat(MODULUS.isProbablePrime(64)).isTrue();
    }

    @Property
    void additionMatchesBigInteger(@ForAll("element") long a, @ForAll("element") long b) {
        assertThat(big(Goldilocks.add(a, b))).isEqualTo(big(a).add(big(b)).mod(MODULUS));
    }

    @Property
    void subtractionMatchesBigInteger(@ForAll("element") long a, @ForAll("element") long b) {
        assertThat(big(Goldilocks.sub(a, b))).isEqualTo(big(a).subtract(big(b)).mod(MODULUS));
    }

    @Property
    void multiplicationMatchesBigInteger(@ForAll("element") long a, @ForAll("element") long b) {
        assertThat(big(Goldilocks.mul(a, b))).isEqualTo(big(a).multiply(big(b)).mod(MODULUS));
    }

    @Property
    void reductionOfAny128BitValueMatchesBigInteger(@ForAll long hi, @ForAll long lo) {
        BigInteger value = big128(hi, lo);
        assertThat(big(Goldilocks.reduce128(hi, lo))).isEqualTo(value.mod(MODULUS));
    }

    static BigInteger big128(long hi, long lo) {
        return new BigInteger(Long.toUnsignedString(hi)).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(lo)));
    }

    @Property
    void fieldAxioms(@ForAll("element") long a, @ForAll("element") long b, @ForAll("element") long c) {
        assertThat(Goldilocks.add(a, b)).isEqualTo(Goldilocks.add(b, a));
        assertThat(Goldilocks.mul(a, b)).isEqualTo(Goldilocks.mul(b, a));
        assertThat(Goldilocks.add(Goldilocks.add(a, b), c)).isEqualTo(Goldilocks.add(a, Goldilocks.add(b, c)));
        assertThat(Goldilocks.mul(Goldilocks.mul(a, b), c)).isEqualTo(Goldilocks.mul(a, Goldilocks.mul(b, c)));
        assertThat(Goldilocks.mul(a, Goldilocks.add(b, c)))
                .isEqualTo(Goldilocks.add(Goldilocks.mul(a, b), Goldilocks.mul(a, c)));
        assertThat(Goldilocks.add(a, Goldilocks.neg(a))).isZero();
        assertThat(Goldilocks.mul(a, 1)).isEqualTo(a);
        assertThat(Goldilocks.add(a, 0)).isEqualTo(a);
    }

    @Property
    void inverseIsInverse(@ForAll("element") long a) {
        if (a == 0) {
            assertThatThrownBy(() -> Goldilocks.inverse(0)).isInstanceOf(ArithmeticException.class);
        } else {
            assertThat(Goldilocks.mul(a, Goldilocks.inverse(a))).isEqualTo(1);
            assertThat(big(Goldilocks.inverse(a))).isEqualTo(big(a).modInverse(MODULUS));
        }
    }

    @Property
    void batchInverseMatchesSingleInverses(@ForAll("element") long a, @ForAll("element") long b,
            @ForAll("element") long c) {
        long[] values = {a == 0 ? 5 : a, b == 0 ? 6 : b, c == 0 ? 7 : c};
        long[] expected = {Goldilocks.inverse(values[0]), Goldilocks.inverse(values[1]), Goldilocks.inverse(values[2])};
        Goldilocks.batchInverse(values);
        assertThat(values).containsExactly(expected);
    }

    @Test
    void batchInverseNamesTheZeroAndLeavesTheArray() {
        long[] values = {3, 0, 4};
        assertThatThrownBy(() -> Goldilocks.batchInverse(values)).hasMessageContaining("element 1");
        assertThat(values).containsExactly(3, 0, 4);
    }

    @Property
    void signedRoundTrip(@ForAll long x) {
        long e = Goldilocks.fromSigned(x);
        assertThat(Goldilocks.isCanonical(e)).isTrue();
        assertThat(big(e)).isEqualTo(BigInteger.valueOf(x).mod(MODULUS));
        if (x > -(1L << 62) && x < (1L << 62)) {
            assertThat(Goldilocks.toSigned(e)).isEqualTo(x);
        }
    }

    /** Plonky2's published constants: 7 generates the group, 1753635133440165772 has order exactly 2^32. */
    @Test
    void plonky2Constants() {
        long g = Goldilocks.POWER_OF_TWO_GENERATOR;
        assertThat(Goldilocks.pow(Goldilocks.MULTIPLICATIVE_GENERATOR, (P - 1) >>> 32)).isEqualTo(g);
        long halfOrder = g;
        for (int i = 0; i < 31; i++) {
            halfOrder = Goldilocks.square(halfOrder);
        }
        assertThat(halfOrder).isEqualTo(P - 1); // g^(2^31) = −1, so the order is 2^32 and not less
        assertThat(Goldilocks.square(halfOrder)).isEqualTo(1);
        // 7 is a generator: 7^((p−1)/q) ≠ 1 for each prime q dividing p − 1 = 2^32 · 3 · 5 · 17 · 257 · 65537
        for (long q : new long[] {2, 3, 5, 17, 257, 65537}) {
            assertThat(Goldilocks.pow(7, Long.divideUnsigned(P - 1, q))).as("7^((p-1)/%d)", q).isNotEqualTo(1);
        }
        assertThat(big(P - 1)).isEqualTo(BigInteger.valueOf(2).pow(32).multiply(BigInteger.valueOf(3L * 5 * 17 * 257 * 65537)));
        assertThat(Goldilocks.rootOfUnity(1)).isEqualTo(P - 1);
        assertThat(Goldilocks.rootOfUnity(0)).isEqualTo(1);
    }

    @Test
    void nttMatchesDirectEvaluation() {
        long[] coeffs = new long[16];
        for (int i = 0; i < 16; i++) {
            coeffs[i] = Goldilocks.fromUnsigned(0x9E37_79B9_7F4A_7C15L * (i + 1));
        }
        long[] evals = coeffs.clone();
        Ntt.forward(evals);
        long w = Goldilocks.rootOfUnity(4);
        for (int i = 0; i < 16; i++) {
            long x = Goldilocks.pow(w, i);
            long acc = 0;
            for (int j = 15; j >= 0; j--) {
                acc = Goldilocks.add(Goldilocks.mul(acc, x), coeffs[j]);
            }
            assertThat(evals[i]).as("evaluation %d", i).isEqualTo(acc);
        }
    }
}

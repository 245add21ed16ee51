package dev.hypha.incentives.fixed;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** {@link Transcendental#exp} against the crate's loop written out literally (checked_div by the fixed-point i). */
class TranscendentalTest {
    /** substrate-fixed transcendental::exp for I32F32, as literally as Java allows. */
    static long literalExp(long x) {
        if (x == 0) return I32F32.ONE;
        if (x == I32F32.ONE) return Transcendental.E;
        boolean negative = x < 0;
        if (negative) x = -x;
        long result = Math.addExact(x, I32F32.ONE);
        long term = x;
        for (int i = 2; i < 32; i++) {
            term = I32F32.checkedMul(term, x);
            term = I32F32.checkedDiv(term, I32F32.fromInt(i));
            result = Math.addExact(result, term);
        }
        return negative ? I32F32.checkedDiv(I32F32.ONE, result) : result;
    }

    @Property(tries = 2000)
    void expEqualsTheCratesLoopBitForBit(@ForAll @LongRange(min = -20L << 32, max = 20L << 32) long x) {
        assertThat(Transcendental.exp(x)).isEqualTo(literalExp(x));
    }
}

package dev.hypha.zk.field;

import static dev.hypha.zk.field.Goldilocks.P;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class Ext2Test {
    @Provide
    static Arbitrary<Ext2> ext() {
        return Combinators.combine(GoldilocksTest.element(), GoldilocksTest.element()).as(Ext2::new);
    }

    @Property
    void fieldAxioms(@ForAll("ext") Ext2 a, @ForAll("ext") Ext2 b, @ForAll("ext") Ext2 c) {
        assertThat(a.add(b)).isEqualTo(b.add(a));
        assertThat(a.mul(b)).isEqualTo(b.mul(a));
        assertThat(a.mul(b).mul(c)).isEqualTo(a.mul(b.mul(c)));
        assertThat(a.add(b).add(c)).isEqualTo(a.add(b.add(c)));
        assertThat(a.mul(b.add(c))).isEqualTo(a.mul(b).add(a.mul(c)));
        assertThat(a.sub(a)).isEqualTo(Ext2.ZERO);
        assertThat(a.add(a.neg())).isEqualTo(Ext2.ZERO);
        assertThat(a.mul(Ext2.ONE)).isEqualTo(a);
    }

    /** The product by the schoolbook formula with X² = 7, against the Karatsuba one in the code. */
    @Property
    void multiplicationIsSchoolbook(@ForAll("ext") Ext2 a, @ForAll("ext") Ext2 b) {
        long c0 = Goldilocks.add(Goldilocks.mul(a.c0(), b.c0()), Goldilocks.mul(7, Goldilocks.mul(a.c1(), b.c1())));
        long c1 = Goldilocks.add(Goldilocks.mul(a.c0(), b.c1()), Goldilocks.mul(a.c1(), b.c0()));
        assertThat(a.mul(b)).isEqualTo(new Ext2(c0, c1));
        assertThat(a.mulBase(b.c0())).isEqualTo(a.mul(Ext2.of(b.c0())));
    }

    @Property
    void inverseIsInverse(@ForAll("ext") Ext2 a) {
        if (a.isZero()) {
            assertThatThrownBy(a::inverse).isInstanceOf(ArithmeticException.class);
        } else {
            assertThat(a.mul(a.inverse())).isEqualTo(Ext2.ONE);
        }
    }

    /** x² − 7 is irreducible iff 7 is a non-residue: 7^((p−1)/2) = −1 (Plonky2's DTH_ROOT = 18446744069414584320). */
    @Test
    void sevenIsANonResidue() {
        assertThat(Goldilocks.pow(Ext2.W, (P - 1) >>> 1)).isEqualTo(P - 1);
        assertThat(Long.toUnsignedString(P - 1)).isEqualTo("18446744069414584320");
    }

    /**
     * Plonky2's EXT_POWER_OF_TWO_GENERATOR for this extension, 15659105665374529263·X, squares to the base field's 2^32-th
     * root of unity, so it has order 2^33 (the extension's multiplicative group has 2-adicity 33).
     */
    @Test
    void plonky2ExtensionRootOfUnity() {
        Ext2 g = Ext2.checked(0, Long.parseUnsignedLong("15659105665374529263"));
        assertThat(g.square()).isEqualTo(Ext2.of(Goldilocks.POWER_OF_TWO_GENERATOR));
        assertThat(g.pow(1L << 32)).isEqualTo(Ext2.of(P - 1));
        assertThat(g.pow(1L << 33)).isEqualTo(Ext2.ONE);
    }

    @Test
    void checkedRejectsNonCanonicalCoefficients() {
        assertThatThrownBy(() -> Ext2.checked(P, 0)).hasMessageContaining("below p");
        assertThatThrownBy(() -> Ext2.checked(0, -1)).hasMessageContaining("below p");
    }
}

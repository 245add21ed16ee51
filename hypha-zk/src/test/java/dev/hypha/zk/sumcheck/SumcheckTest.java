package dev.hypha.zk.sumcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.poly.Eq;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.transcript.Transcript;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SumcheckTest {
    static List<Multilinear> randomFactors(SplittableRandom rng, int n, int d) {
        List<Multilinear> fs = new ArrayList<>();
        for (int j = 0; j < d; j++) {
            long[] v = new long[1 << n];
            for (int i = 0; i < v.length; i++) {
                v[i] = Goldilocks.fromUnsigned(rng.nextLong());
            }
            fs.add(Multilinear.ofBase(v));
        }
        return fs;
    }

    /** Verifies the proof and the subclaim against the factors themselves (oracle access). */
    static void verifyFully(List<Multilinear> fs, Ext2 claim, SumcheckProof proof) throws SumcheckVerifier.Rejected {
        Subclaim sub = SumcheckVerifier.verify(fs.getFirst().numVars(), fs.size(), claim, proof,
                new Transcript("test"));
        Ext2 product = Ext2.ONE;
        for (Multilinear f : fs) {
            product = product.mul(f.evaluate(sub.point()));
        }
        if (!product.equals(sub.expected())) {
            throw new SumcheckVerifier.Rejected("final evaluation check failed");
        }
    }

    @Property(tries = 40)
    void honestProofsVerify(@ForAll @IntRange(min = 0, max = 8) int n, @ForAll @IntRange(min = 1, max = 3) int d,
            @ForAll long seed) throws Exception {
        List<Multilinear> fs = randomFactors(new SplittableRandom(seed), n, d);
        SumcheckProver.Output out = SumcheckProver.prove(fs, new Transcript("test"));
        verifyFully(fs, out.claim(), out.proof());
        for (int j = 0; j < d; j++) {
            assertThat(out.factorEvaluations()[j]).isEqualTo(fs.get(j).evaluate(out.point()));
        }
    }

    /** Extension-valued factors take the extension path from the first round; base ones take the base first round. */
    @Property(tries = 20)
    void extensionFactorsVerify(@ForAll @IntRange(min = 0, max = 8) int n, @ForAll @IntRange(min = 1, max = 3) int d,
            @ForAll long seed) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Multilinear> fs = new ArrayList<>();
        for (int j = 0; j < d; j++) {
            long[] t = new long[2 << n];
            for (int i = 0; i < t.length; i++) {
                t[i] = Goldilocks.fromUnsigned(rng.nextLong());
            }
            fs.add(Multilinear.ofTable(t));
        }
        SumcheckProver.Output out = SumcheckProver.prove(fs, new Transcript("test"));
        verifyFully(fs, out.claim(), out.proof());
    }

    /** The base-field first round gives the same proof as the extension path on the same (embedded) values. */
    @Test
    void baseFirstRoundMatchesTheExtensionPath() {
        List<Multilinear> fs = randomFactors(new SplittableRandom(5), 15, 3);
        SumcheckProver.Output base = SumcheckProver.prove(fs, new Transcript("test"));
        long[][] tables = new long[3][];
        for (int j = 0; j < 3; j++) {
            tables[j] = fs.get(j).table();
        }
        long[] ext = new long[8];
        SumcheckProver.accumulate(tables, 0, 1 << 14, 1 << 14, 3, ext);
        Ext2[] first = base.proof().rounds().getFirst();
        for (int t = 0; t <= 3; t++) {
            assertThat(first[t]).isEqualTo(new Ext2(ext[2 * t], ext[2 * t + 1]));
        }
    }

    @Property(tries = 60)
    void anyChangedMessageIsRejected(@ForAll @IntRange(min = 1, max = 7) int n,
            @ForAll @IntRange(min = 1, max = 3) int d, @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Multilinear> fs = randomFactors(rng, n, d);
        SumcheckProver.Output out = SumcheckProver.prove(fs, new Transcript("test"));
        List<Ext2[]> rounds = new ArrayList<>(out.proof().rounds());
        int round = rng.nextInt(n);
        int t = rng.nextInt(d + 1);
        Ext2 delta = new Ext2(Goldilocks.fromUnsigned(rng.nextLong() | 1), rng.nextBoolean() ? 0 : 1);
        Ext2[] changed = rounds.get(round).clone();
        changed[t] = changed[t].add(delta.isZero() ? Ext2.ONE : delta);
        rounds.set(round, changed);
        assertThatThrownBy(() -> verifyFully(fs, out.claim(), new SumcheckProof(rounds)))
                .isInstanceOf(SumcheckVerifier.Rejected.class);
    }

    @Property(tries = 30)
    void aWrongClaimIsRejected(@ForAll @IntRange(min = 0, max = 6) int n, @ForAll @IntRange(min = 1, max = 3) int d,
            @ForAll long seed) {
        List<Multilinear> fs = randomFactors(new SplittableRandom(seed), n, d);
        SumcheckProver.Output out = SumcheckProver.prove(fs, new Transcript("test"));
        assertThatThrownBy(() -> verifyFully(fs, out.claim().add(Ext2.ONE), out.proof()))
                .isInstanceOf(SumcheckVerifier.Rejected.class);
    }

    /**
     * A cheating prover that proves a false sum with a consistent-looking first message (h(0) + h(1) = false claim,
     * the rest honest for the true polynomial) is caught by the final evaluation check.
     */
    @Test
    void aConsistentLieInTheFirstRoundIsCaughtAtTheEnd() {
        List<Multilinear> fs = randomFactors(new SplittableRandom(7), 5, 2);
        SumcheckProver.Output out = SumcheckProver.prove(fs, new Transcript("test"));
        List<Ext2[]> rounds = new ArrayList<>(out.proof().rounds());
        Ext2[] first = rounds.getFirst().clone();
        first[0] = first[0].add(Ext2.ONE);
        rounds.set(0, first);
        assertThatThrownBy(() -> verifyFully(fs, out.claim().add(Ext2.ONE), new SumcheckProof(rounds)))
                .isInstanceOf(SumcheckVerifier.Rejected.class);
    }

    /** The GKR shape: Σ_x eq(r, x)·a(x)·b(x) = (a·b)~(r), a degree-3 sumcheck over an eq table. */
    @Test
    void eqWeightedProductSumsToTheEvaluation() throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 6;
        List<Multilinear> ab = randomFactors(rng, n, 2);
        Ext2[] r = new Ext2[n];
        for (int i = 0; i < n; i++) {
            r[i] = new Ext2(Goldilocks.fromUnsigned(rng.nextLong()), Goldilocks.fromUnsigned(rng.nextLong()));
        }
        long[] products = new long[1 << n];
        for (int x = 0; x < products.length; x++) {
            products[x] = ab.get(0).at(x).mul(ab.get(1).at(x)).c0();
        }
        List<Multilinear> fs = List.of(Multilinear.ofTable(Eq.table(r)), ab.get(0), ab.get(1));
        SumcheckProver.Output out = SumcheckProver.prove(fs, new Transcript("test"));
        assertThat(out.claim()).isEqualTo(Multilinear.ofBase(products).evaluate(r));
        verifyFully(fs, out.claim(), out.proof());
    }

    /** Large enough to take the parallel path: the same proof as computed sequentially would be (checked by verifying). */
    @Test
    void parallelRoundsVerify() throws Exception {
        List<Multilinear> fs = randomFactors(new SplittableRandom(11), 15, 3);
        SumcheckProver.Output out = SumcheckProver.prove(fs, new Transcript("test"));
        verifyFully(fs, out.claim(), out.proof());
    }

    /** Any byte of an encoded proof changed: the decoder (non-canonical value) or the verifier rejects it. */
    @Property(tries = 100)
    void anyChangedProofByteIsRejected(@ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int position,
            @ForAll @IntRange(min = 1, max = 255) int xor) {
        List<Multilinear> fs = randomFactors(new SplittableRandom(21), 6, 3);
        SumcheckProver.Output out = SumcheckProver.prove(fs, new Transcript("test"));
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(SumcheckProofCodec.size(6, 3));
        SumcheckProofCodec.write(out.proof(), buffer);
        byte[] bytes = buffer.array();
        int at = position % bytes.length;
        bytes[at] ^= (byte) xor;
        assertThatThrownBy(() -> verifyFully(fs, out.claim(),
                SumcheckProofCodec.read(java.nio.ByteBuffer.wrap(bytes), 6, 3)))
                .isInstanceOfAny(SumcheckVerifier.Rejected.class, IllegalArgumentException.class);
    }

    @Test
    void interpolationThroughFourPoints() {
        // h(t) = t³ + 2: values 2, 3, 10, 29; at 5 it is 127
        Ext2[] v = {Ext2.of(2), Ext2.of(3), Ext2.of(10), Ext2.of(29)};
        assertThat(SumcheckVerifier.interpolate(v, Ext2.of(5))).isEqualTo(Ext2.of(127));
    }

    @Test
    void rejectsWrongShapes() {
        List<Multilinear> fs = randomFactors(new SplittableRandom(1), 3, 2);
        SumcheckProver.Output out = SumcheckProver.prove(fs, new Transcript("test"));
        assertThatThrownBy(() -> SumcheckVerifier.verify(4, 2, out.claim(), out.proof(), new Transcript("test")))
                .hasMessageContaining("3 rounds, expected 4");
        assertThatThrownBy(() -> SumcheckVerifier.verify(3, 3, out.claim(), out.proof(), new Transcript("test")))
                .hasMessageContaining("sends 3 values, expected 4");
        assertThatThrownBy(() -> SumcheckProver.prove(randomFactors(new SplittableRandom(1), 3, 4),
                new Transcript("test"))).hasMessageContaining("1 to 3");
    }
}

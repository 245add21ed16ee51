package dev.hypha.zk.gkr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.pcs.CommittedPolynomial;
import dev.hypha.zk.transcript.Transcript;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class DenseLayerTest {
    /** An int8 layer: weights in [−127, 127], input in [−128, 127], bias at int32 scale, y = W·x + b exactly. */
    record Case(DenseLayer layer, long[] weights, long[] input, long[] bias, long[] output) {
        static Case random(int in, int out, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            long[] w = new long[in * out];
            for (int i = 0; i < w.length; i++) {
                w[i] = rng.nextInt(255) - 127;
            }
            long[] x = new long[in];
            for (int i = 0; i < in; i++) {
                x[i] = rng.nextInt(256) - 128;
            }
            long[] b = new long[out];
            for (int o = 0; o < out; o++) {
                b[o] = rng.nextInt(1 << 20) - (1 << 19);
            }
            return new Case(new DenseLayer(in, out), w, x, b, multiply(w, x, b, in, out));
        }
    }

    static long[] multiply(long[] w, long[] x, long[] b, int in, int out) {
        long[] y = new long[out];
        for (int o = 0; o < out; o++) {
            long s = b[o];
            for (int i = 0; i < in; i++) {
                s += w[o * in + i] * x[i];
            }
            y[o] = s;
        }
        return y;
    }

    record Proven(Case c, CommittedPolynomial committed, DenseLayerProof proof) {}

    static Proven prove(Case c) {
        long[] table = c.layer().weightTable(c.weights());
        CommittedPolynomial committed = CommittedPolynomial.commit(table, c.layer().weightParams());
        DenseLayerProof proof = DenseLayerProver.prove(c.layer(), table, committed, c.input(), c.bias(), c.output(),
                new Transcript("dense-test"));
        return new Proven(c, committed, proof);
    }

    static void verify(Proven p, long[] input, long[] bias, long[] output, DenseLayerProof proof)
            throws DenseLayerVerifier.Rejected {
        DenseLayerVerifier.verify(p.c().layer(), p.committed().commitment(), input, bias, output, proof,
                new Transcript("dense-test"));
    }

    /** The first layer of the Fashion-MNIST MLP: 784 int8 pixels → 256 accumulators. */
    @Test
    void theMlpFirstLayerProvesAndVerifies() throws Exception {
        Proven p = prove(Case.random(784, 256, 1));
        verify(p, p.c().input(), p.c().bias(), p.c().output(), p.proof());
    }

    @Property(tries = 15)
    void honestProofsVerify(@ForAll @IntRange(min = 1, max = 40) int in, @ForAll @IntRange(min = 1, max = 40) int out,
            @ForAll long seed) throws Exception {
        Proven p = prove(Case.random(in, out, seed));
        verify(p, p.c().input(), p.c().bias(), p.c().output(), p.proof());
    }

    static final Proven SMALL = prove(Case.random(20, 12, 9));

    /** An output entry changed by any amount: the claim at r no longer matches. */
    @Property(tries = 30)
    void aChangedOutputIsRejected(@ForAll @IntRange(min = 0, max = 11) int position,
            @ForAll @IntRange(min = -1000, max = 1000) int delta) {
        if (delta == 0) {
            return;
        }
        long[] y = SMALL.c().output().clone();
        y[position] += delta;
        assertThatThrownBy(() -> verify(SMALL, SMALL.c().input(), SMALL.c().bias(), y, SMALL.proof()))
                .isInstanceOf(DenseLayerVerifier.Rejected.class);
    }

    @Property(tries = 30)
    void aChangedInputIsRejected(@ForAll @IntRange(min = 0, max = 19) int position,
            @ForAll @IntRange(min = -255, max = 255) int delta) {
        if (delta == 0) {
            return;
        }
        long[] x = SMALL.c().input().clone();
        x[position] += delta;
        assertThatThrownBy(() -> verify(SMALL, x, SMALL.c().bias(), SMALL.c().output(), SMALL.proof()))
                .isInstanceOf(DenseLayerVerifier.Rejected.class);
    }

    @Property(tries = 20)
    void aChangedBiasIsRejected(@ForAll @IntRange(min = 0, max = 11) int position,
            @ForAll @IntRange(min = -1000, max = 1000) int delta) {
        if (delta == 0) {
            return;
        }
        long[] b = SMALL.c().bias().clone();
        b[position] += delta;
        assertThatThrownBy(() -> verify(SMALL, SMALL.c().input(), b, SMALL.c().output(), SMALL.proof()))
                .isInstanceOf(DenseLayerVerifier.Rejected.class);
    }

    /**
     * A prover that ran other weights (one changed, y recomputed honestly for them) but answers against the committed
     * model: the sumcheck goes through for its weights, the opening of the committed ones does not.
     */
    @Property(tries = 20)
    void outputsOfOtherWeightsAreRejected(@ForAll @IntRange(min = 0, max = 239) int position,
            @ForAll @IntRange(min = 1, max = 254) int delta) {
        Case c = SMALL.c();
        long[] other = c.weights().clone();
        other[position] = ((other[position] + 127 + delta) % 255) - 127;
        long[] y = multiply(other, c.input(), c.bias(), c.layer().in(), c.layer().out());
        long[] table = c.layer().weightTable(other);
        DenseLayerProof proof = DenseLayerProver.prove(c.layer(), table, SMALL.committed(), c.input(), c.bias(), y,
                new Transcript("dense-test"));
        assertThatThrownBy(() -> verify(SMALL, c.input(), c.bias(), y, proof))
                .isInstanceOf(DenseLayerVerifier.Rejected.class);
    }

    /** Any byte of the encoded proof changed to any other value: the decoder or the verifier rejects it. */
    @Property(tries = 150)
    void anyChangedProofByteIsRejected(@ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int position,
            @ForAll @IntRange(min = 1, max = 255) int xor) {
        byte[] bytes = DenseLayerProofCodec.encode(SMALL.c().layer(), SMALL.proof());
        int at = position % bytes.length;
        bytes[at] ^= (byte) xor;
        assertThatThrownBy(() -> verify(SMALL, SMALL.c().input(), SMALL.c().bias(), SMALL.c().output(),
                DenseLayerProofCodec.decode(SMALL.c().layer(), bytes)))
                .as("byte %d ^ %d", at, xor)
                .isInstanceOfAny(DenseLayerVerifier.Rejected.class, IllegalArgumentException.class);
    }

    @Test
    void theEncodingRoundTripsAndHasItsStatedSize() throws Exception {
        DenseLayer layer = SMALL.c().layer();
        byte[] bytes = DenseLayerProofCodec.encode(layer, SMALL.proof());
        assertThat((long) bytes.length).isEqualTo(DenseLayerProofCodec.size(layer));
        verify(SMALL, SMALL.c().input(), SMALL.c().bias(), SMALL.c().output(), DenseLayerProofCodec.decode(layer, bytes));
        assertThat(DenseLayerProofCodec.encode(layer, DenseLayerProofCodec.decode(layer, bytes))).isEqualTo(bytes);
        assertThatThrownBy(() -> DenseLayerProofCodec.decode(layer, java.util.Arrays.copyOf(bytes, bytes.length + 1)))
                .hasMessageContaining("bytes, got " + (bytes.length + 1));
    }

    @Test
    void aChangedWeightEvaluationIsRejected() {
        DenseLayerProof p = SMALL.proof();
        DenseLayerProof forged = new DenseLayerProof(p.sumcheck(), p.weightEvaluation().add(Ext2.ONE), p.weightOpening());
        assertThatThrownBy(() -> verify(SMALL, SMALL.c().input(), SMALL.c().bias(), SMALL.c().output(), forged))
                .isInstanceOf(DenseLayerVerifier.Rejected.class).hasMessageContaining("W(r, s)");
    }

    @Test
    void anotherModelsCommitmentIsRejected() {
        Proven other = prove(Case.random(20, 12, 10));
        assertThatThrownBy(() -> DenseLayerVerifier.verify(SMALL.c().layer(), other.committed().commitment(),
                SMALL.c().input(), SMALL.c().bias(), SMALL.c().output(), SMALL.proof(), new Transcript("dense-test")))
                .isInstanceOf(DenseLayerVerifier.Rejected.class);
    }

    @Test
    void shapesAreChecked() {
        assertThat(new DenseLayer(784, 256).inVars()).isEqualTo(10);
        assertThat(new DenseLayer(784, 256).outVars()).isEqualTo(8);
        assertThat(new DenseLayer(1, 1).inVars()).isZero();
        assertThatThrownBy(() -> new DenseLayer(0, 3)).hasMessageContaining("got 0 -> 3");
        assertThatThrownBy(() -> new DenseLayer(2, 2).weightTable(new long[3])).hasMessageContaining("4 weights, got 3");
    }
}

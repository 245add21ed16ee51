package dev.hypha.zk.mlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.hypha.zk.circuit.Rejected;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Completeness and soundness of the whole-MLP proof: honest proofs of random models verify and prove the class the
 * integer inference gives; a changed logit, input byte, model id, model root (another weight) or any proof byte is
 * rejected; and a prover that runs the right matrix products but cheats in a requantization (off by one, skipped
 * ReLU, skipped clamp, remainder out of range) is caught by the zero-check or the range checks.
 */
class MlpProofTest {
    private static final int[] SIDES = {24, 16, 5};

    @Property(tries = 12)
    void honestProofsOfRandomModelsVerify(@ForAll @IntRange(min = 1, max = 20) int in,
            @ForAll @IntRange(min = 1, max = 20) int hidden, @ForAll @IntRange(min = 1, max = 12) int classes,
            @ForAll boolean twoHidden, @ForAll boolean relu, @ForAll long seed) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] sides = twoHidden ? new int[] {in, hidden, 1 + rng.nextInt(9), classes} : new int[] {in, hidden, classes};
        Int8Mlp model = RandomMlps.random(rng, sides, relu);
        byte[] image = RandomMlps.image(rng, in);
        MlpProver.Result r = MlpProver.prove(model, "model-" + seed, image, s -> { });
        MlpTrace trace = MlpTrace.of(model, image);
        assertThat(r.statement().logits()).containsExactly(trace.logits());
        assertThat(r.statement().predictedClass()).isEqualTo(trace.predictedClass());
        assertThat(r.statement().modelRoot()).isEqualTo(MlpTables.modelCommitment(model).root());
        byte[] bytes = new MlpProofFile(r.statement(), r.proof()).encode();
        MlpProofFile back = MlpProofFile.decode(bytes);
        assertThat(back.encode()).isEqualTo(bytes);
        MlpVerifier.verify(back.statement(), back.proof());
    }

    @Test
    void aOneLayerModelProves() throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        Int8Mlp model = RandomMlps.random(rng, new int[] {9, 4}, true);
        MlpProver.Result r = MlpProver.prove(model, "linear", RandomMlps.image(rng, 9), s -> { });
        MlpVerifier.verify(r.statement(), r.proof());
    }

    @Test
    void everyChangedLogitIsRejected() {
        SplittableRandom rng = new SplittableRandom(2);
        Int8Mlp model = RandomMlps.random(rng, SIDES, true);
        byte[] image = RandomMlps.image(rng, SIDES[0]);
        MlpProver.Result r = MlpProver.prove(model, "m", image, s -> { });
        for (int c = 0; c < SIDES[2]; c++) {
            long[] logits = r.statement().logits();
            logits[c] += rng.nextBoolean() ? 1 : -rng.nextLong(1, 1L << 40);
            MlpStatement forged = new MlpStatement("m", r.statement().modelRoot(), r.statement().shape(), image, logits);
            assertThatThrownBy(() -> MlpVerifier.verify(forged, r.proof())).isInstanceOf(Rejected.class);
        }
    }

    @Test
    void aChangedInputByteModelIdOrModelIsRejected() {
        SplittableRandom rng = new SplittableRandom(5);
        Int8Mlp model = RandomMlps.random(rng, SIDES, false);
        byte[] image = RandomMlps.image(rng, SIDES[0]);
        MlpProver.Result r = MlpProver.prove(model, "model-a", image, s -> { });
        MlpStatement st = r.statement();
        for (int i = 0; i < 8; i++) {
            byte[] other = image.clone();
            other[rng.nextInt(other.length)] ^= (byte) (1 + rng.nextInt(255));
            MlpStatement forged = new MlpStatement(st.modelId(), st.modelRoot(), st.shape(), other, st.logits());
            assertThatThrownBy(() -> MlpVerifier.verify(forged, r.proof())).isInstanceOf(Rejected.class);
        }
        MlpStatement otherId = new MlpStatement("model-b", st.modelRoot(), st.shape(), image, st.logits());
        assertThatThrownBy(() -> MlpVerifier.verify(otherId, r.proof())).isInstanceOf(Rejected.class);

        // a prover that ran a model with one weight changed (its logits honest for that model) proves nothing about
        // the committed model: its proof does not verify against the real model's root
        List<Int8Mlp.Layer> layers = new ArrayList<>(model.layers());
        Int8Mlp.Layer first = layers.getFirst();
        byte[] w = first.weights();
        w[rng.nextInt(w.length)] ^= 1;
        layers.set(0, new Int8Mlp.Layer(first.in(), first.out(), w, first.bias(), first.requant()));
        Int8Mlp tampered = new Int8Mlp(layers);
        MlpProver.Result cheat = MlpProver.prove(tampered, "model-a", image, s -> { });
        MlpStatement claimed = new MlpStatement("model-a", st.modelRoot(), st.shape(), image,
                cheat.statement().logits());
        assertThatThrownBy(() -> MlpVerifier.verify(claimed, cheat.proof())).isInstanceOf(Rejected.class);
    }

    @Property(tries = 6)
    void anyChangedProofByteIsRejected(@ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Int8Mlp model = RandomMlps.random(rng, new int[] {12, 8, 3}, rng.nextBoolean());
        MlpProver.Result r = MlpProver.prove(model, "m", RandomMlps.image(rng, 12), s -> { });
        byte[] bytes = new MlpProofFile(r.statement(), r.proof()).encode();
        for (int k = 0; k < 60; k++) {
            byte[] forged = bytes.clone();
            int at = k < 20 ? rng.nextInt(Math.min(200, forged.length)) : rng.nextInt(forged.length);
            forged[at] ^= (byte) (1 + rng.nextInt(255));
            assertRejected(forged, "byte " + at);
        }
    }

    static void assertRejected(byte[] bytes, String what) {
        MlpProofFile f;
        try {
            f = MlpProofFile.decode(bytes);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        try {
            MlpVerifier.verify(f.statement(), f.proof());
        } catch (Rejected e) {
            return;
        }
        fail("a proof with " + what + " changed verified");
    }

    // --- cheating provers: right matrix products, wrong requantization -------------------------------------------

    @Test
    void anActivationOffByOneIsRejected() {
        cheat("zero-check", true, (y, q) -> y > 0 && y < 126, (h, o, rq) -> h.output()[o] += 1);
    }

    @Test
    void anActivationOffByOneWithQuotientAndRemainderAdjustedIsRejected() {
        // y + 1 = q + 1, so rem − 2^k makes C1 hold: only the remainder's range check can catch it
        cheat("range check", true, (y, q) -> y > 0 && y < 126, (h, o, rq) -> {
            h.output()[o] += 1;
            h.quotient()[o] += 1;
            h.remainder()[o] -= 1L << rq.shift();
        });
    }

    @Test
    void aSkippedReluIsRejected() {
        // y = q < 0 with no clamp excess: C1–C3 hold; y − lo = q < 0 fails the 7-bit range check
        cheat("range check", true, (y, q) -> q < -1, (h, o, rq) -> {
            h.output()[o] = h.quotient()[o];
            h.excess()[o] = 0;
        });
    }

    @Test
    void aSkippedClampIsRejected() {
        cheat("range check", false, (y, q) -> q > 128 && q < 100_000, (h, o, rq) -> {
            h.output()[o] = h.quotient()[o];
            h.excess()[o] = 0;
        });
    }

    @Test
    void aClampAtTheWrongEndIsRejected() {
        // q inside the range but y claimed clamped at 127, with e = q − 127 < 0: e's range check catches it
        cheat("range check", false, (y, q) -> q > 0 && q < 120, (h, o, rq) -> {
            h.output()[o] = 127;
            h.excess()[o] = h.quotient()[o] - 127;
        });
    }

    interface Pick {
        boolean test(long y, long q);
    }

    interface Forge {
        void apply(MlpTrace.Hidden h, int o, Int8Mlp.Requant rq);
    }

    /** Forges hidden neuron o of a 2-layer model as told, recomputes the logits from it, proves, expects rejection. */
    private static void cheat(String caughtBy, boolean relu, Pick pick, Forge forge) {
        for (long seed = 0; seed < 200; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            Int8Mlp model = RandomMlps.random(rng, new int[] {24, 32, 5}, relu);
            if (model.layers().get(0).requant().relu() != relu) {
                continue;
            }
            byte[] image = RandomMlps.image(rng, 24);
            MlpShape shape = MlpShape.of(model);
            MlpTrace trace = MlpTrace.of(model, image);
            long[] acc = Arrays.copyOf(trace.accumulators().get(0), 32);
            Int8Mlp.Requant rq = model.layers().get(0).requant();
            MlpTrace.Hidden h = MlpTrace.requantize(rq, acc);
            int o = firstIndex(32, i -> pick.test(h.output()[i], h.quotient()[i]));
            if (o < 0) {
                continue;
            }
            forge.apply(h, o, rq);
            Int8Mlp.Layer last = model.layers().get(1);
            long[] logits = new long[last.out()];
            for (int c = 0; c < last.out(); c++) {
                long sum = last.biasAt(c);
                for (int i = 0; i < last.in(); i++) {
                    sum += last.weight(c, i) * h.output()[i];
                }
                logits[c] = sum;
            }
            long[] witness = MlpTables.witness(shape, List.of(acc), List.of(h));
            MlpProver.Result r = MlpProver.prove(model, "m", image, logits, witness, s -> { });
            assertThatThrownBy(() -> MlpVerifier.verify(r.statement(), r.proof())).isInstanceOf(Rejected.class)
                    .hasMessageContaining("requantization").hasMessageContaining(caughtBy);
            return;
        }
        fail("no model had a neuron to forge");
    }

    private static int firstIndex(int n, IntPredicate p) {
        for (int i = 0; i < n; i++) {
            if (p.test(i)) {
                return i;
            }
        }
        return -1;
    }
}

package dev.hypha.zk.cnn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.zk.circuit.Rejected;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.lookup.FractionSumProof;
import dev.hypha.zk.lookup.LogUpProof;
import dev.hypha.zk.mlp.Int8Mlp;
import dev.hypha.zk.mlp.MlpTrace;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Completeness and soundness of the whole-CNN proof: honest proofs of random CNNs verify and carry the integer
 * inference's logits; a changed logit, input byte, model id or model (one weight) is rejected; a changed message of
 * any step is rejected; and provers that cheat in the max-pool (a non-maximal element, two selectors) or the
 * convolution are caught.
 */
class CnnProofTest {
    @Property(tries = 10)
    void honestProofsOfRandomCnnsVerify(@ForAll long seed) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        Int8Cnn model = RandomCnns.random(rng);
        byte[] image = RandomCnns.image(rng, model.inputSize());
        CnnProver.Result r = CnnProver.prove(model, "cnn-" + seed, image, s -> { });
        CnnTrace trace = CnnTrace.of(model, image);
        assertThat(r.statement().logits()).containsExactly(trace.logits(model.classes()));
        assertThat(r.statement().modelRoot()).isEqualTo(CnnTables.modelCommitment(model).root());
        CnnVerifier.verify(r.statement(), r.proof());
    }

    @Test
    void twoBlocksProveAndVerify() throws Exception {
        SplittableRandom rng = new SplittableRandom(11);
        Int8Cnn model = twoBlocks(rng);
        byte[] image = RandomCnns.image(rng, model.inputSize());
        CnnProver.Result r = CnnProver.prove(model, "cnn", image, s -> { });
        CnnVerifier.verify(r.statement(), r.proof());
    }

    /** 1×10×10 → conv 3×3 pad 1 (4 filters, ReLU) → pool 2 → conv 3×3 pad 1 (3 filters) → pool 2 → 12 → 6 → 4. */
    static Int8Cnn twoBlocks(SplittableRandom rng) {
        return new Int8Cnn(1, 10, 10, List.of(RandomCnns.conv(rng, 1, 4, 3, 1, 2, true), RandomCnns.conv(rng, 4, 3, 3, 1, 2, false)),
                new Int8Mlp(List.of(RandomCnns.dense(rng, 12, 6, RandomCnns.requant(rng, 12, true)),
                        RandomCnns.dense(rng, 6, 4, null))));
    }

    @Test
    void aChangedLogitInputModelIdOrWeightIsRejected() {
        SplittableRandom rng = new SplittableRandom(2);
        Int8Cnn model = twoBlocks(rng);
        byte[] image = RandomCnns.image(rng, model.inputSize());
        CnnProver.Result r = CnnProver.prove(model, "model-a", image, s -> { });
        CnnStatement st = r.statement();
        for (int c = 0; c < model.classes(); c++) {
            long[] logits = st.logits();
            logits[c] += rng.nextBoolean() ? 1 : -rng.nextLong(1, 1L << 40);
            CnnStatement forged = new CnnStatement(st.modelId(), st.modelRoot(), st.shape(), image, logits);
            assertThatThrownBy(() -> CnnVerifier.verify(forged, r.proof())).isInstanceOf(Rejected.class);
        }
        for (int i = 0; i < 6; i++) {
            byte[] other = image.clone();
            other[rng.nextInt(other.length)] ^= (byte) (1 + rng.nextInt(255));
            CnnStatement forged = new CnnStatement(st.modelId(), st.modelRoot(), st.shape(), other, st.logits());
            assertThatThrownBy(() -> CnnVerifier.verify(forged, r.proof())).isInstanceOf(Rejected.class);
        }
        CnnStatement otherId = new CnnStatement("model-b", st.modelRoot(), st.shape(), image, st.logits());
        assertThatThrownBy(() -> CnnVerifier.verify(otherId, r.proof())).isInstanceOf(Rejected.class);
        // another model: one kernel weight changed; its own honest proof verifies only against its own root
        Int8Cnn.Conv c0 = model.convs().get(0);
        byte[] w = c0.weights();
        w[rng.nextInt(w.length)] ^= 1;
        Int8Cnn changed = new Int8Cnn(1, 10, 10, List.of(new Int8Cnn.Conv(c0.in(), c0.out(), c0.kernel(), c0.padding(), c0.pool(),
                w, c0.bias(), c0.requant()), model.convs().get(1)), model.dense());
        assertThat(CnnTables.modelCommitment(changed).root()).isNotEqualTo(st.modelRoot());
        CnnProver.Result cheat = CnnProver.prove(changed, "model-a", image, s -> { });
        CnnStatement claimed = new CnnStatement("model-a", st.modelRoot(), st.shape(), image, cheat.statement().logits());
        assertThatThrownBy(() -> CnnVerifier.verify(claimed, cheat.proof())).isInstanceOf(Rejected.class);
    }

    @Test
    void aChangedMessageOfAnyStepIsRejected() {
        SplittableRandom rng = new SplittableRandom(4);
        Int8Cnn model = twoBlocks(rng);
        byte[] image = RandomCnns.image(rng, model.inputSize());
        CnnProver.Result r = CnnProver.prove(model, "m", image, s -> { });
        CnnProof p = r.proof();
        Ext2 x = Ext2.of(1);
        for (int block = 0; block < 2; block++) {
            for (int field = 0; field < 10; field++) {
                CnnProof forged = withConv(p, block, changeConv(p.convs().get(block), field, x));
                assertThatThrownBy(() -> CnnVerifier.verify(r.statement(), forged)).as("block %d field %d", block, field)
                        .isInstanceOf(Rejected.class);
            }
        }
    }

    /** One conv block (4 filters, pool 2) on 1×8×8, then 64 → 5: small enough to forge its witness by hand. */
    static Int8Cnn oneBlock(SplittableRandom rng) {
        return new Int8Cnn(1, 8, 8, List.of(RandomCnns.conv(rng, 1, 4, 3, 1, 2, false)),
                new Int8Mlp(List.of(RandomCnns.dense(rng, 64, 5, null))));
    }

    /** A window whose four elements are not all equal, so that a non-maximal element exists. */
    private static int unevenWindow(CnnShape.ConvShape s, CnnTrace.Block b) {
        for (int o = 0; o < s.pooled(); o++) {
            long y0 = b.requant().output()[s.windowSource(o, 0)];
            for (int j = 1; j < 4; j++) {
                if (b.requant().output()[s.windowSource(o, j)] != y0) {
                    return o;
                }
            }
        }
        throw new AssertionError("every window is flat");
    }

    /**
     * Proves a forged trace: {@code forge} changes block 0's pooled value, differences and selectors at window o; the
     * dense head is then recomputed honestly from the forged pooled output, so that only the pooling is wrong.
     */
    private static void assertForgedPoolRejected(String what, java.util.function.BiConsumer<CnnTrace.Block, long[]> forge)
            throws Exception {
        assertForgedPoolRejected(what, "", forge);
    }

    /** As above, and the rejection names {@code reason}. */
    private static void assertForgedPoolRejected(String what, String reason,
            java.util.function.BiConsumer<CnnTrace.Block, long[]> forge) throws Exception {
        SplittableRandom rng = new SplittableRandom(9);
        Int8Cnn model = oneBlock(rng);
        CnnShape shape = CnnShape.of(model);
        CnnShape.ConvShape s = shape.convs().get(0);
        byte[] image = RandomCnns.image(rng, model.inputSize());
        CnnTrace honest = CnnTrace.of(model, image);
        CnnTrace.Block b = honest.blocks().get(0);
        int o = unevenWindow(s, b);
        long[] y = new long[4];
        for (int j = 0; j < 4; j++) {
            y[j] = b.requant().output()[s.windowSource(o, j)];
        }
        long[] z = b.pooled().clone();
        long[] d = b.differences().clone();
        long[] sel = b.selectors().clone();
        forge.accept(new CnnTrace.Block(b.accumulators(), b.requant(), z, d, sel), new long[] {o, y[0], y[1], y[2], y[3]});
        Int8Mlp.Layer layer = model.dense().layers().get(0);
        long[] acc = new long[8];
        for (int c = 0; c < layer.out(); c++) {
            acc[c] = layer.biasAt(c);
            for (int i = 0; i < layer.in(); i++) {
                acc[c] += layer.weight(c, i) * z[i];
            }
        }
        CnnTrace forged = new CnnTrace(honest.input(), List.of(new CnnTrace.Block(b.accumulators(), b.requant(), z, d, sel)),
                List.of(acc), List.of());
        CnnProver.Result r = CnnProver.prove(model, "m", image, forged.logits(5), CnnTables.witness(shape, forged), m -> { });
        assertThatThrownBy(() -> CnnVerifier.verify(r.statement(), r.proof())).as(what).isInstanceOf(Rejected.class)
                .hasMessageContaining(reason);
    }

    @Test
    void aPoolThatTakesANonMaximalElementIsRejected() throws Exception {
        int outputs = 1 << 6;
        // every other check holds (z − d_j is y_j, the selected difference is 0): only the LogUp range lookup of the
        // differences sees the negative ones
        assertForgedPoolRejected("the window's minimum", "difference range", (b, w) -> {
            int o = (int) w[0];
            int min = 0;
            for (int j = 1; j < 4; j++) {
                min = w[1 + j] < w[1 + min] ? j : min;
            }
            b.pooled()[o] = w[1 + min];
            for (int j = 0; j < 4; j++) {
                b.differences()[j * outputs + o] = b.pooled()[o] - w[1 + j]; // one is negative: no 8-bit value
                b.selectors()[j * outputs + o] = j == min ? 1 : 0;
            }
        });
        assertForgedPoolRejected("above the maximum, no element selected at zero", (b, w) -> {
            int o = (int) w[0];
            b.pooled()[o] += 1;
            for (int j = 0; j < 4; j++) {
                b.differences()[j * outputs + o] += 1;
            }
        });
    }

    @Test
    void twoSelectorsOrNoneInAWindowAreRejected() throws Exception {
        int outputs = 1 << 6;
        assertForgedPoolRejected("two selectors", (b, w) -> {
            int o = (int) w[0];
            for (int j = 0; j < 4; j++) {
                b.selectors()[j * outputs + o] = b.differences()[j * outputs + o] == 0 ? 1 : 0;
            }
            for (int j = 0; j < 4; j++) {
                if (b.selectors()[j * outputs + o] == 0) {
                    b.selectors()[j * outputs + o] = 1; // a second selector, on a non-zero difference
                    break;
                }
            }
        });
        assertForgedPoolRejected("no selector", (b, w) -> {
            int o = (int) w[0];
            for (int j = 0; j < 4; j++) {
                b.selectors()[j * outputs + o] = 0;
            }
        });
    }

    /** One conv block with ReLU (4 filters, pool 2) on 1×8×8, then 64 → 5: many neurons clamp at 0, some inside. */
    private static Int8Cnn oneReluBlock() {
        SplittableRandom rng = new SplittableRandom(13);
        return new Int8Cnn(1, 8, 8, List.of(RandomCnns.conv(rng, 1, 4, 3, 1, 2, true)),
                new Int8Mlp(List.of(RandomCnns.dense(rng, 64, 5, null))));
    }

    /** The first real neuron of block 0 that {@code which} accepts as (y, q, rem, e). */
    private static int neuron(CnnShape.ConvShape s, MlpTrace.Hidden h, java.util.function.Predicate<long[]> which) {
        for (int c = 0; c < s.out(); c++) {
            for (int p = 0; p < s.positions(); p++) {
                int o = (c << s.pv()) + p;
                if (which.test(new long[] {h.output()[o], h.quotient()[o], h.remainder()[o], h.excess()[o]})) {
                    return o;
                }
            }
        }
        throw new AssertionError("no such neuron");
    }

    /**
     * Proves a trace whose block-0 requantization of neuron o is (y, q, rem, e) = {@code forged}, with the pooling and the
     * dense head recomputed honestly from it, and asserts that the verifier rejects it naming {@code reason}.
     */
    private static void assertForgedRequantRejected(Int8Cnn model, byte[] image, int o, long[] forged, String reason)
            throws Exception {
        CnnShape shape = CnnShape.of(model);
        CnnShape.ConvShape s = shape.convs().get(0);
        CnnTrace honest = CnnTrace.of(model, image);
        CnnTrace.Block b = honest.blocks().get(0);
        MlpTrace.Hidden h = new MlpTrace.Hidden(b.requant().output().clone(), b.requant().quotient().clone(),
                b.requant().remainder().clone(), b.requant().excess().clone());
        h.output()[o] = forged[0];
        h.quotient()[o] = forged[1];
        h.remainder()[o] = forged[2];
        h.excess()[o] = forged[3];
        // the forgery satisfies C1–C3: only the range checks can see it
        Int8Mlp.Requant rq = s.requant();
        assertThat(b.accumulators()[o] * rq.multiplier() + rq.rounding() - forged[2] - (forged[1] << rq.shift())).isZero();
        CnnTrace.Block block = CnnTrace.pool(s, b.accumulators(), h);
        Int8Mlp.Layer layer = model.dense().layers().get(0);
        long[] acc = new long[8];
        for (int c = 0; c < layer.out(); c++) {
            acc[c] = layer.biasAt(c);
            for (int i = 0; i < layer.in(); i++) {
                acc[c] += layer.weight(c, i) * block.pooled()[i];
            }
        }
        CnnTrace forgedTrace = new CnnTrace(honest.input(), List.of(block), List.of(acc), List.of());
        CnnProver.Result r = CnnProver.prove(model, "m", image, forgedTrace.logits(5),
                CnnTables.witness(shape, forgedTrace), m -> { });
        assertThatThrownBy(() -> CnnVerifier.verify(r.statement(), r.proof())).isInstanceOf(Rejected.class)
                .hasMessageContaining("conv block 0 requantization").hasMessageContaining(reason);
    }

    /**
     * A remainder of at least the divisor 2^k (the quotient one less, the clamp excess one more, so C1–C3 hold and y is
     * unchanged): when k is not a multiple of 8 it still fits rem's bytes, and the top byte's shifted copy leaves
     * [0, 256), caught by the lookup; otherwise it needs a byte more than rem has, caught by the recomposition. A
     * negative remainder (the quotient one more) is a field element near p: its bytes cannot recompose to it.
     */
    @Test
    void aRemainderOutOfRangeIsRejected() throws Exception {
        Int8Cnn model = oneReluBlock();
        byte[] image = RandomCnns.image(new SplittableRandom(3), model.inputSize());
        CnnShape.ConvShape s = CnnShape.of(model).convs().get(0);
        int k = s.requant().shift();
        long divisor = 1L << k;
        MlpTrace.Hidden h = CnnTrace.of(model, image).blocks().get(0).requant();
        assertThat(k % 8).as("rem's top byte has a shifted copy, so the lookup is what catches rem ≥ 2^k").isNotZero();
        String tooBig = "byte range";
        int low = neuron(s, h, v -> v[0] == 0); // clamped at the ReLU: q ≤ 0, e = −q
        assertForgedRequantRejected(model, image, low, new long[] {0, h.quotient()[low] - 1, h.remainder()[low] + divisor,
                h.excess()[low] + 1}, tooBig);
        int below = neuron(s, h, v -> v[0] == 0 && v[3] >= 1);
        assertForgedRequantRejected(model, image, below, new long[] {0, h.quotient()[below] + 1,
                h.remainder()[below] - divisor, h.excess()[below] - 1}, "byte recomposition");
    }

    /**
     * Rounding down instead of to nearest: where the two differ (rem < 2^(k−1)) the forged y = q is one less, with rem
     * raised by the divisor so that C1 holds; the pooling and the dense head follow the forged y honestly.
     */
    @Test
    void aWrongRoundingIsRejected() throws Exception {
        Int8Cnn model = oneReluBlock();
        byte[] image = RandomCnns.image(new SplittableRandom(3), model.inputSize());
        CnnShape.ConvShape s = CnnShape.of(model).convs().get(0);
        int k = s.requant().shift();
        MlpTrace.Hidden h = CnnTrace.of(model, image).blocks().get(0).requant();
        int o = neuron(s, h, v -> v[0] >= 2 && v[0] < 127 && v[2] < 1L << (k - 1));
        assertForgedRequantRejected(model, image, o, new long[] {h.output()[o] - 1, h.quotient()[o] - 1,
                h.remainder()[o] + (1L << k), 0}, "byte range");
    }

    /**
     * The byte block tampered (one byte of a neuron's y − lo moved by one, still a byte, the multiplicities recounted so
     * the lookup holds): the bytes no longer recompose to the value the zero-check used.
     */
    @Test
    void aTamperedByteRecombinationIsRejected() throws Exception {
        Int8Cnn model = oneReluBlock();
        byte[] image = RandomCnns.image(new SplittableRandom(3), model.inputSize());
        CnnShape shape = CnnShape.of(model);
        CnnTrace trace = CnnTrace.of(model, image);
        long[] witness = CnnTables.witness(shape, trace);
        var layout = shape.witnessLayout();
        long[] bytes = dev.hypha.zk.mlp.MlpProver.block(witness, layout, shape.convBlock(0, CnnShape.BYTES));
        int at = (5 << dev.hypha.zk.mlp.RequantByteArgument.BYTE_VARS)
                + dev.hypha.zk.mlp.RequantByteArgument.slots(shape.convs().get(0).requant())[1][0];
        bytes[at] = (bytes[at] + 1) % 256;
        layout.place(witness, shape.convBlock(0, CnnShape.BYTES), bytes);
        layout.place(witness, shape.convBlock(0, CnnShape.BYTE_COUNTS), dev.hypha.zk.mlp.RequantByteArgument.counts(bytes));
        CnnProver.Result r = CnnProver.prove(model, "m", image, trace.logits(5), witness, m -> { });
        assertThatThrownBy(() -> CnnVerifier.verify(r.statement(), r.proof())).isInstanceOf(Rejected.class)
                .hasMessageContaining("conv block 0 requantization").hasMessageContaining("byte recomposition");
    }

    /** The Fashion-MNIST CNN's shape (examples/fashion-mnist-cnn.toml) with random weights proves and verifies. */
    @Test
    void theFashionMnistShapeProves() throws Exception {
        SplittableRandom rng = new SplittableRandom(28);
        Int8Cnn model = new Int8Cnn(1, 28, 28, List.of(RandomCnns.conv(rng, 1, 16, 3, 1, 2, true),
                RandomCnns.conv(rng, 16, 32, 3, 1, 2, true)), new Int8Mlp(List.of(
                RandomCnns.dense(rng, 1568, 128, RandomCnns.requant(rng, 1568, true)), RandomCnns.dense(rng, 128, 10, null))));
        byte[] image = RandomCnns.image(rng, 784);
        long start = System.nanoTime();
        CnnProver.Result r = CnnProver.prove(model, "fashion-mnist-cnn", image, m -> { });
        long proved = System.nanoTime();
        CnnVerifier.verify(r.statement(), r.proof());
        long verified = System.nanoTime();
        System.out.printf("Fashion-MNIST-shaped CNN: prove %d ms, verify %d ms (first run, JIT cold)%n",
                (proved - start) / 1_000_000, (verified - proved) / 1_000_000);
        assertThat(r.statement().logits()).containsExactly(CnnTrace.of(model, image).logits(10));
    }

    /** The proof and model files round-trip, and any changed proof byte is rejected by the decoder or the verifier. */
    @Test
    void filesRoundTripAndAnyChangedProofByteIsRejected() throws Exception {
        SplittableRandom rng = new SplittableRandom(21);
        Int8Cnn model = twoBlocks(rng);
        byte[] image = RandomCnns.image(rng, model.inputSize());
        CnnProver.Result r = CnnProver.prove(model, "m", image, s -> { });
        byte[] bytes = new CnnProofFile(r.statement(), r.proof()).encode();
        assertThat(CnnProofFile.isCnn(bytes)).isTrue();
        CnnProofFile back = CnnProofFile.decode(bytes);
        assertThat(back.encode()).isEqualTo(bytes);
        CnnVerifier.verify(back.statement(), back.proof());
        byte[] modelBytes = new Int8CnnFile(model, "src", "cal").encode();
        assertThat(Int8CnnFile.decode(modelBytes).encode()).isEqualTo(modelBytes);
        assertThat(CnnTables.modelCommitment(Int8CnnFile.decode(modelBytes).model()).root()).isEqualTo(r.statement().modelRoot());
        assertThatThrownBy(() -> Int8CnnFile.decode(java.util.Arrays.copyOf(modelBytes, modelBytes.length + 1)))
                .hasMessageContaining("bytes follow the last layer");
        assertThatThrownBy(() -> CnnProofFile.decode(java.util.Arrays.copyOf(bytes, bytes.length - 1)))
                .hasMessageContaining("proof body");
        byte[] version4 = bytes.clone();
        version4[CnnProofFile.MAGIC.length + 1] = 4; // a file from before the requantization bytes (big-endian u16)
        assertThatThrownBy(() -> CnnProofFile.decode(version4)).hasMessageContaining("version 4 is not supported");
        for (int i = 0; i < 64; i++) {
            byte[] changed = bytes.clone();
            int at = rng.nextInt(changed.length);
            changed[at] ^= (byte) (1 + rng.nextInt(255));
            try {
                CnnProofFile f = CnnProofFile.decode(changed);
                assertThatThrownBy(() -> CnnVerifier.verify(f.statement(), f.proof())).as("byte %d", at)
                        .isInstanceOf(Rejected.class);
            } catch (IllegalArgumentException expected) {
                // rejected by the decoder, naming what is wrong
            }
        }
    }

    /** A shape whose wiring the verifier would have to sum over more than 2^24 (position, patch) pairs is refused. */
    @Test
    void theVerifiersWiringWorkIsBounded() {
        Int8Mlp.Requant rq = new Int8Mlp.Requant(1 << 14, 20, true);
        List<CnnShape.ConvShape> convs = List.of(new CnnShape.ConvShape(1, 4, 1, 0, 1, rq, 256, 256),
                new CnnShape.ConvShape(4, 1, 15, 7, 1, rq, 256, 256));
        assertThatThrownBy(() -> new CnnShape(1, 256, 256, convs, List.of(new dev.hypha.zk.mlp.MlpShape.LayerShape(16, 2, null))))
                .hasMessageContaining("conv block 1 has 65536 positions of 900 inputs; at most 2^24 pairs are proved");
    }

    private static CnnProof withConv(CnnProof p, int block, CnnProof.Conv conv) {
        List<CnnProof.Conv> convs = new java.util.ArrayList<>(p.convs());
        convs.set(block, conv);
        return new CnnProof(p.witnessRoot(), p.dense(), p.denseRequants(), convs, p.model(), p.witness());
    }

    /** The conv block's message {@code field} (0–3: acc, bias, kernel, patch; 4–9: pool values) plus x. */
    private static CnnProof.Conv changeConv(CnnProof.Conv c, int field, Ext2 x) {
        CnnProof.Pool q = c.pool();
        CnnProof.Pool pool = switch (field) {
            case 4 -> new CnnProof.Pool(q.pooled().add(x), q.differences(), q.gather(), q.gathered(), q.selectorBits(),
                    q.selectorBit(), q.selectorSums(), q.selected(), q.selectedS(), q.selectedD(), q.differenceLookup());
            case 5 -> {
                Ext2[] d = q.differences();
                d[d.length - 1] = d[d.length - 1].add(x);
                yield new CnnProof.Pool(q.pooled(), d, q.gather(), q.gathered(), q.selectorBits(), q.selectorBit(),
                        q.selectorSums(), q.selected(), q.selectedS(), q.selectedD(), q.differenceLookup());
            }
            case 6 -> new CnnProof.Pool(q.pooled(), q.differences(), q.gather(), q.gathered().add(x), q.selectorBits(),
                    q.selectorBit(), q.selectorSums(), q.selected(), q.selectedS(), q.selectedD(), q.differenceLookup());
            case 7 -> {
                Ext2[] s = q.selectorSums();
                s[0] = s[0].add(x);
                s[s.length - 1] = s[s.length - 1].sub(x); // still sums to one: caught by the opening
                yield new CnnProof.Pool(q.pooled(), q.differences(), q.gather(), q.gathered(), q.selectorBits(),
                        q.selectorBit(), s, q.selected(), q.selectedS(), q.selectedD(), q.differenceLookup());
            }
            case 8 -> new CnnProof.Pool(q.pooled(), q.differences(), q.gather(), q.gathered(), q.selectorBits(),
                    q.selectorBit(), q.selectorSums(), q.selected(), q.selectedS().add(x), q.selectedD(),
                    q.differenceLookup());
            case 9 -> {
                // the differences' fraction sum rescaled (its ratio, and so the roots' agreement, unchanged)
                FractionSumProof col = q.differenceLookup().column();
                Ext2 scale = x.add(Ext2.ONE);
                LogUpProof lookup = new LogUpProof(new FractionSumProof(col.rootP().mul(scale), col.rootQ().mul(scale),
                        col.layers()), q.differenceLookup().table());
                yield new CnnProof.Pool(q.pooled(), q.differences(), q.gather(), q.gathered(), q.selectorBits(),
                        q.selectorBit(), q.selectorSums(), q.selected(), q.selectedS(), q.selectedD(), lookup);
            }
            default -> q;
        };
        return new CnnProof.Conv(field == 0 ? c.accumulator().add(x) : c.accumulator(), field == 1 ? c.bias().add(x) : c.bias(),
                c.conv(), field == 2 ? c.kernel().add(x) : c.kernel(), field == 3 ? c.patch().add(x) : c.patch(), c.wiring(),
                c.input(), c.requant(), pool);
    }
}

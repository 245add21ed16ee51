package dev.hypha.zk.cnn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.zk.circuit.Rejected;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.mlp.Int8Mlp;
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
                    q.selectorBit(), q.selectorSums(), q.selected(), q.selectedS(), q.selectedD(), q.difference(),
                    q.differenceBits(), q.bitCheck(), q.bit());
            case 5 -> {
                Ext2[] d = q.differences();
                d[d.length - 1] = d[d.length - 1].add(x);
                yield new CnnProof.Pool(q.pooled(), d, q.gather(), q.gathered(), q.selectorBits(), q.selectorBit(),
                        q.selectorSums(), q.selected(), q.selectedS(), q.selectedD(), q.difference(), q.differenceBits(),
                        q.bitCheck(), q.bit());
            }
            case 6 -> new CnnProof.Pool(q.pooled(), q.differences(), q.gather(), q.gathered().add(x), q.selectorBits(),
                    q.selectorBit(), q.selectorSums(), q.selected(), q.selectedS(), q.selectedD(), q.difference(),
                    q.differenceBits(), q.bitCheck(), q.bit());
            case 7 -> {
                Ext2[] s = q.selectorSums();
                s[0] = s[0].add(x);
                s[s.length - 1] = s[s.length - 1].sub(x); // still sums to one: caught by the opening
                yield new CnnProof.Pool(q.pooled(), q.differences(), q.gather(), q.gathered(), q.selectorBits(),
                        q.selectorBit(), s, q.selected(), q.selectedS(), q.selectedD(), q.difference(), q.differenceBits(),
                        q.bitCheck(), q.bit());
            }
            case 8 -> new CnnProof.Pool(q.pooled(), q.differences(), q.gather(), q.gathered(), q.selectorBits(),
                    q.selectorBit(), q.selectorSums(), q.selected(), q.selectedS().add(x), q.selectedD(), q.difference(),
                    q.differenceBits(), q.bitCheck(), q.bit());
            case 9 -> {
                Ext2[] b = q.differenceBits();
                b[3] = b[3].add(x);
                yield new CnnProof.Pool(q.pooled(), q.differences(), q.gather(), q.gathered(), q.selectorBits(),
                        q.selectorBit(), q.selectorSums(), q.selected(), q.selectedS(), q.selectedD(),
                        q.difference().add(x.mulBase(8)), b, q.bitCheck(), q.bit());
            }
            default -> q;
        };
        return new CnnProof.Conv(field == 0 ? c.accumulator().add(x) : c.accumulator(), field == 1 ? c.bias().add(x) : c.bias(),
                c.conv(), field == 2 ? c.kernel().add(x) : c.kernel(), field == 3 ? c.patch().add(x) : c.patch(), c.wiring(),
                c.input(), c.requant(), pool);
    }
}

package dev.hypha.zk.pcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.transcript.Transcript;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class LigeroTest {
    static long[] randomValues(SplittableRandom rng, int n) {
        long[] v = new long[1 << n];
        for (int i = 0; i < v.length; i++) {
            v[i] = Goldilocks.fromUnsigned(rng.nextLong());
        }
        return v;
    }

    static Ext2[] randomPoint(SplittableRandom rng, int n) {
        Ext2[] r = new Ext2[n];
        for (int i = 0; i < n; i++) {
            r[i] = new Ext2(Goldilocks.fromUnsigned(rng.nextLong()), Goldilocks.fromUnsigned(rng.nextLong()));
        }
        return r;
    }

    static Transcript transcript() {
        return new Transcript("ligero-test");
    }

    /** Rejected by the decoder or the verifier: either way the proof does not pass. */
    static boolean accepts(Commitment c, Ext2[] point, Ext2 value, byte[] proofBytes) {
        try {
            EvaluationProof proof = ProofCodec.decode(proofBytes, c.params());
            LigeroVerifier.verify(c, point, value, proof, transcript());
            return true;
        } catch (IllegalArgumentException | LigeroVerifier.Rejected e) {
            return false;
        }
    }

    @Test
    void queryCountsForHundredBits() {
        // (1 − δ)^t ≤ 2^−100 with δ = (1 − ρ)/2: ρ = 1/2 → (3/4)^t, 1/4 → (5/8)^t, 1/8 → (9/16)^t
        assertThat(LigeroParams.queriesFor(1, 100)).isEqualTo(241);
        assertThat(LigeroParams.queriesFor(2, 100)).isEqualTo(148);
        assertThat(LigeroParams.queriesFor(3, 100)).isEqualTo(121);
        assertThat(Math.pow(5.0 / 8, 148)).isLessThanOrEqualTo(Math.pow(2, -100));
        assertThat(Math.pow(5.0 / 8, 147)).isGreaterThan(Math.pow(2, -100));
    }

    @Property(tries = 25)
    void honestOpeningsVerify(@ForAll @IntRange(min = 0, max = 10) int n, @ForAll @IntRange(min = 1, max = 3) int rate,
            @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long[] values = randomValues(rng, n);
        LigeroParams params = LigeroParams.forVariables(n, rate);
        CommittedPolynomial committed = CommittedPolynomial.commit(values, params);
        Ext2[] point = randomPoint(rng, n);
        LigeroProver.Opening opening = LigeroProver.open(committed, point, transcript());
        assertThat(opening.value()).isEqualTo(Multilinear.ofBase(values).evaluate(point));
        byte[] bytes = ProofCodec.encode(opening.proof(), params);
        assertThat(bytes).hasSize((int) params.proofBytes());
        assertThat(accepts(committed.commitment(), point, opening.value(), bytes)).isTrue();
    }

    @Test
    void everyRowSplitWorks() {
        SplittableRandom rng = new SplittableRandom(5);
        long[] values = randomValues(rng, 6);
        Ext2[] point = randomPoint(rng, 6);
        for (int rowVars = 0; rowVars <= 6; rowVars++) {
            LigeroParams params = new LigeroParams(6, rowVars, 2, 148);
            CommittedPolynomial committed = CommittedPolynomial.commit(values, params);
            LigeroProver.Opening opening = LigeroProver.open(committed, point, transcript());
            assertThat(accepts(committed.commitment(), point, opening.value(),
                    ProofCodec.encode(opening.proof(), params))).as("rowVars %d", rowVars).isTrue();
        }
    }

    /**
     * A table whose tail is zero padding commits only the rows that hold its used values (the split MLP proofs use):
     * honest openings verify and give the padded polynomial's value; a wrong value or a changed opened entry is
     * rejected; a non-zero value in an uncommitted row is refused at commitment.
     */
    @Property(tries = 25)
    void aPaddedTableCommitsOnlyItsUsedRows(@ForAll @IntRange(min = 1, max = 10) int n, @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long used = 1 + rng.nextLong(1L << n);
        long[] values = randomValues(rng, n);
        java.util.Arrays.fill(values, (int) used, values.length, 0L);
        LigeroParams params = LigeroParams.forTable(n, used, 2);
        assertThat((long) params.committedRows() * params.columns()).isGreaterThanOrEqualTo(used);
        assertThat((long) (params.committedRows() - 1) * params.columns()).isLessThan(used);
        CommittedPolynomial committed = CommittedPolynomial.commit(values, params);
        Ext2[] point = randomPoint(rng, n);
        LigeroProver.Opening opening = LigeroProver.open(committed, point, transcript());
        assertThat(opening.value()).isEqualTo(Multilinear.ofBase(values).evaluate(point));
        byte[] bytes = ProofCodec.encode(opening.proof(), params);
        assertThat(bytes).hasSize((int) params.proofBytes());
        assertThat(accepts(committed.commitment(), point, opening.value(), bytes)).isTrue();
        assertThat(accepts(committed.commitment(), point, opening.value().add(Ext2.ONE), bytes)).isFalse();
        byte[] changed = bytes.clone();
        int at = 32 * params.columns() + rng.nextInt(params.committedRows()) * 8 + 7; // an entry of the first column
        changed[at] ^= 1;
        assertThat(accepts(committed.commitment(), point, opening.value(), changed)).isFalse();
        long lastUncommitted = (long) params.committedRows() * params.columns();
        if (lastUncommitted < values.length) {
            values[(int) lastUncommitted] = 1;
            assertThatThrownBy(() -> CommittedPolynomial.commit(values, params))
                    .hasMessageContaining("uncommitted row");
        }
    }

    @Test
    void theMlpTablesSplitForEvmGas() {
        // 784 -> 256 -> 10: the model table uses 2^18 + 2^12 + 2^8 + 2^4 of 2^19 entries, the witness (bits packed one
        // 64-bit word per neuron) 2^14 + 2^11 of 2^15
        LigeroParams model = LigeroParams.forTable(19, (1 << 18) + (1 << 12) + (1 << 8) + (1 << 4), 2);
        assertThat(model.columns()).isEqualTo(1024);
        assertThat(model.committedRows()).isEqualTo(261);
        LigeroParams witness = LigeroParams.forTable(15, (1 << 14) + (1 << 11), 2);
        assertThat(witness.columns()).isEqualTo(256);
        assertThat(witness.committedRows()).isEqualTo(72);
        // 16 bits of proof of work before the queries: (5/8)^124 ≤ 2^−84
        assertThat(model.grindingBits()).isEqualTo(LigeroParams.GRINDING_BITS).isEqualTo(16);
        assertThat(model.queries()).isEqualTo(LigeroParams.queriesFor(2, 84)).isEqualTo(124);
    }

    @Property(tries = 20)
    void aWrongValueIsRejected(@ForAll @IntRange(min = 1, max = 9) int n, @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        LigeroParams params = LigeroParams.forVariables(n, 2);
        CommittedPolynomial committed = CommittedPolynomial.commit(randomValues(rng, n), params);
        Ext2[] point = randomPoint(rng, n);
        LigeroProver.Opening opening = LigeroProver.open(committed, point, transcript());
        byte[] bytes = ProofCodec.encode(opening.proof(), params);
        Ext2 wrong = opening.value().add(new Ext2(rng.nextInt(1000) + 1, 0));
        assertThat(accepts(committed.commitment(), point, wrong, bytes)).isFalse();
        // the same proof for another point, or against another polynomial's commitment
        Ext2[] other = randomPoint(rng, n);
        assertThat(accepts(committed.commitment(), other, opening.value(), bytes)).isFalse();
        CommittedPolynomial another = CommittedPolynomial.commit(randomValues(rng, n), params);
        assertThat(accepts(another.commitment(), point, opening.value(), bytes)).isFalse();
    }

    /**
     * A malicious prover claims a wrong value and sends an evaluation row adjusted so that its inner product with the
     * column eq gives that value, then answers every query honestly from its commitment: the adjusted row's encoding
     * differs from the true one in at least n − k + 1 places, and the column checks catch it.
     */
    @Property(tries = 20)
    void anAdjustedEvaluationRowIsCaughtByTheColumns(@ForAll @IntRange(min = 2, max = 9) int n, @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        LigeroParams params = LigeroParams.forVariables(n, 2);
        long[] values = randomValues(rng, n);
        CommittedPolynomial committed = CommittedPolynomial.commit(values, params);
        Ext2[] point = randomPoint(rng, n);
        Ext2 truth = Multilinear.ofBase(values).evaluate(point);
        Ext2 lie = truth.add(Ext2.ONE);

        Ext2[] columnWeights = LigeroOpening.columnWeights(point, params.rowVars());
        Ext2[] evaluationRow = LigeroOpening.combineRows(LigeroOpening.rowWeights(point, params),
                committed.rows(), params.columns());
        int j = rng.nextInt(params.columns());
        evaluationRow[j] = evaluationRow[j].add(columnWeights[j].inverse()); // inner product grows by exactly one
        assertThat(LigeroProver.innerProduct(evaluationRow, columnWeights)).isEqualTo(lie);

        Transcript t = transcript();
        LigeroOpening.absorbStatement(t, committed.commitment(), point, lie);
        Ext2[] gamma = t.challengeExts("pcs.gamma", params.rows());
        Ext2[] combined = LigeroOpening.combineRows(gamma, committed.rows(), params.columns());
        t.absorbExt("pcs.combined", combined);
        t.absorbExt("pcs.evaluation", evaluationRow);
        long nonce = Grinding.find(t.state(), params.grindingBits());
        t.absorbFields("pcs.pow", nonce);
        int[] queries = t.challengeIndices("pcs.queries", params.queries(), params.codewordLength());
        long[][] columns = new long[queries.length][];
        byte[][][] paths = new byte[queries.length][][];
        for (int q = 0; q < queries.length; q++) {
            columns[q] = committed.column(queries[q]);
            paths[q] = java.util.Arrays.copyOf(committed.tree().path(queries[q]), params.pathLength());
        }
        EvaluationProof forged = new EvaluationProof(combined, evaluationRow, nonce,
                committed.tree().cap(params.capLevel()), columns, paths);
        assertThatThrownBy(() -> LigeroVerifier.verify(committed.commitment(), point, lie, forged, transcript()))
                .isInstanceOf(LigeroVerifier.Rejected.class)
                .hasMessageContaining("disagrees with the evaluation row");
    }

    /** Any byte of the proof changed to any other value: the decoder or the verifier rejects it. */
    @Property(tries = 200)
    void anyChangedProofByteIsRejected(@ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int position,
            @ForAll @IntRange(min = 1, max = 255) int xor) {
        Fixture f = FIXTURE;
        byte[] tampered = f.proof.clone();
        int at = position % tampered.length;
        tampered[at] ^= (byte) xor;
        assertThat(accepts(f.commitment, f.point, f.value, tampered)).as("byte %d ^ %d", at, xor).isFalse();
    }

    /** Bytes in each section of the proof (rows, columns, paths), so every part is known to be bound. */
    @Test
    void aChangeInEverySectionIsRejected() {
        Fixture f = FIXTURE;
        LigeroParams p = f.commitment.params();
        int rowsEnd = p.columns() * 32;
        int firstQueryColumn = rowsEnd;
        int firstQueryPath = rowsEnd + p.rows() * 8;
        int[] positions = {0, 7, 15, p.columns() * 16, rowsEnd - 1, firstQueryColumn + 7, firstQueryPath,
                firstQueryPath + 31, f.proof.length - 1};
        for (int at : positions) {
            byte[] tampered = f.proof.clone();
            tampered[at] ^= 1;
            assertThat(accepts(f.commitment, f.point, f.value, tampered)).as("byte %d", at).isFalse();
        }
        assertThat(accepts(f.commitment, f.point, f.value, f.proof)).isTrue();
    }

    @Test
    void aWrongLengthOrNonCanonicalElementIsNamed() {
        Fixture f = FIXTURE;
        LigeroParams p = f.commitment.params();
        assertThatThrownBy(() -> ProofCodec.decode(java.util.Arrays.copyOf(f.proof, f.proof.length - 1), p))
                .hasMessageContaining("bytes, got " + (f.proof.length - 1));
        byte[] tampered = f.proof.clone();
        java.util.Arrays.fill(tampered, 16, 24, (byte) 0xFF);
        assertThatThrownBy(() -> ProofCodec.decode(tampered, p)).hasMessageContaining("byte 16 is not below p");
    }

    @Test
    void rejectsValuesThatAreNotFieldElements() {
        LigeroParams params = LigeroParams.forVariables(2, 2);
        assertThatThrownBy(() -> CommittedPolynomial.commit(new long[] {0, 1, Goldilocks.P, 3}, params))
                .hasMessageContaining("value 2");
        assertThatThrownBy(() -> CommittedPolynomial.commit(new long[3], params)).hasMessageContaining("got 3");
    }

    record Fixture(Commitment commitment, Ext2[] point, Ext2 value, byte[] proof) {}

    static final Fixture FIXTURE = fixture();

    static Fixture fixture() {
        SplittableRandom rng = new SplittableRandom(42);
        int n = 8;
        LigeroParams params = LigeroParams.forVariables(n, 2);
        CommittedPolynomial committed = CommittedPolynomial.commit(randomValues(rng, n), params);
        Ext2[] point = randomPoint(rng, n);
        LigeroProver.Opening opening = LigeroProver.open(committed, point, transcript());
        return new Fixture(committed.commitment(), point, opening.value(), ProofCodec.encode(opening.proof(), params));
    }
}

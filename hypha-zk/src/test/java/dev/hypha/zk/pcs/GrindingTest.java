package dev.hypha.zk.pcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.crypto.Hashes;
import dev.hypha.zk.field.Ext2;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The proof of work before an opening's queries (docs/ZK.md, "Grinding"). */
class GrindingTest {
    private static byte[] state(int seed) {
        return Hashes.keccak256(new byte[] {(byte) seed});
    }

    @Test
    void theNonceFoundIsTheLeastValidOne() {
        for (int seed = 0; seed < 4; seed++) {
            byte[] state = state(seed);
            long nonce = Grinding.find(state, 10);
            assertThat(Grinding.valid(state, nonce, 10)).isTrue();
            for (long m = 0; m < nonce; m++) {
                assertThat(Grinding.valid(state, m, 10)).as("nonce " + m).isFalse();
            }
        }
        assertThat(Grinding.find(state(0), 0)).isZero();
        assertThat(Grinding.valid(state(0), 0, 0)).isTrue();
        assertThat(Grinding.valid(state(0), 12345, 0)).as("another nonce without grinding: a second encoding").isFalse();
    }

    @Test
    void leadingZeroBitsCountsFromTheFirstByte() {
        assertThat(Grinding.leadingZeroBits(new byte[] {0, 0, 0x10, 1})).isEqualTo(19);
        assertThat(Grinding.leadingZeroBits(new byte[] {(byte) 0x80})).isZero();
        assertThat(Grinding.leadingZeroBits(new byte[4])).isEqualTo(32);
    }

    @Test
    void anOpeningWhoseNonceLacksTheWorkIsRejected() throws Exception {
        SplittableRandom rng = new SplittableRandom(5);
        LigeroParams params = LigeroParams.forTable(8, 200, 2);
        assertThat(params.grindingBits()).isEqualTo(LigeroParams.GRINDING_BITS);
        CommittedPolynomial committed = CommittedPolynomial.commit(padded(LigeroTest.randomValues(rng, 8), 200), params);
        Ext2[] point = LigeroTest.randomPoint(rng, 8);
        LigeroProver.Opening opening = LigeroProver.open(committed, point, LigeroTest.transcript());
        LigeroVerifier.verify(committed.commitment(), point, opening.value(), opening.proof(), LigeroTest.transcript());
        EvaluationProof p = opening.proof();
        EvaluationProof lazy = new EvaluationProof(p.combinedRow(), p.evaluationRow(), p.nonce() + 1, p.cap(), p.columns(),
                p.paths());
        assertThatThrownBy(() -> LigeroVerifier.verify(committed.commitment(), point, opening.value(), lazy,
                LigeroTest.transcript())).isInstanceOf(LigeroVerifier.Rejected.class)
                .hasMessageContaining("proof-of-work nonce");
    }

    private static long[] padded(long[] values, int used) {
        long[] out = values.clone();
        java.util.Arrays.fill(out, used, out.length, 0);
        return out;
    }
}

package dev.hypha.zk.lookup;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.zk.circuit.BlockLayout;
import dev.hypha.zk.circuit.ClaimBatch;
import dev.hypha.zk.circuit.Rejected;
import dev.hypha.zk.pcs.CommittedPolynomial;
import dev.hypha.zk.pcs.Commitment;
import dev.hypha.zk.pcs.LigeroParams;
import dev.hypha.zk.transcript.Transcript;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A range lookup as a circuit runs it: the column and its multiplicities are two blocks of one committed witness table
 * (a real Ligero commitment), α is drawn after the root is absorbed, and the lookup's two claims are discharged by the
 * table's one batched opening. A column with a value outside [0, 2^8), proved with the multiplicities that make the
 * fraction sums agree for the committed bytes, cannot be opened; nor can a lookup about a column other than the
 * committed one.
 */
class CommittedRangeLookupTest {
    private static final int COLUMN = 0, MULTIPLICITIES = 1;
    private static final int N = 10, BITS = 8;
    private static final BlockLayout LAYOUT = new BlockLayout(N, BITS);

    private record Proof(Commitment commitment, LogUpProof lookup, ClaimBatch.Proof opening) {}

    private static long[] table(long[] column, long[] m) {
        long[] table = new long[(int) LAYOUT.size()];
        LAYOUT.place(table, COLUMN, column);
        LAYOUT.place(table, MULTIPLICITIES, m);
        return table;
    }

    /** Commits {@code committed}, but runs the lookup on {@code looked} (the honest prover passes the same twice). */
    private static Proof prove(long[] committed, long[] looked, long[] m) {
        long[] table = table(committed, m);
        CommittedPolynomial c = CommittedPolynomial.commit(table, LigeroParams.forTable(LAYOUT.numVars(), LAYOUT.used(), 2));
        Transcript t = new Transcript("test.committed-logup");
        t.absorbDigest("witness-root", c.commitment().root());
        RangeLookup.Output out = RangeLookup.prove(looked, BITS, m, t);
        ClaimBatch claims = new ClaimBatch(LAYOUT);
        claims.add(COLUMN, out.claims().columnPoint(), out.claims().columnValue());
        claims.add(MULTIPLICITIES, out.claims().multiplicityPoint(), out.claims().multiplicityValue());
        return new Proof(c.commitment(), out.proof(), claims.prove(table, c, t));
    }

    private static void verify(Proof p) throws Rejected {
        Transcript t = new Transcript("test.committed-logup");
        t.absorbDigest("witness-root", p.commitment().root());
        RangeLookup.Claims c = RangeLookup.verify(N, BITS, p.lookup(), t, "lookup");
        ClaimBatch claims = new ClaimBatch(LAYOUT);
        claims.add(COLUMN, c.columnPoint(), c.columnValue());
        claims.add(MULTIPLICITIES, c.multiplicityPoint(), c.multiplicityValue());
        claims.verify(p.commitment(), p.opening(), t, "witness");
    }

    private static long[] bytes(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long[] column = new long[1 << N];
        for (int i = 0; i < column.length; i++) {
            column[i] = rng.nextInt(1 << BITS);
        }
        return column;
    }

    @Test
    void anHonestCommittedLookupVerifies() throws Exception {
        long[] column = bytes(1);
        verify(prove(column, column, RangeLookup.multiplicities(column, BITS)));
    }

    @Test
    void aCommittedValueOutsideTheTableCannotBeOpened() {
        long[] committed = bytes(2);
        committed[100] = 1000;
        // the cheater looks up the column with 1000 replaced by 232 (1000 mod 256), which passes the fraction sums...
        long[] looked = committed.clone();
        looked[100] = 1000 % 256;
        Proof p = prove(committed, looked, RangeLookup.multiplicities(looked, BITS));
        // ...but the claim on the column is then not the committed column's value
        assertThatThrownBy(() -> verify(p)).isInstanceOf(Rejected.class).hasMessageContaining("witness");
    }

    @Test
    void committedMultiplicitiesOtherThanTheLookedUpOnesCannotBeOpened() {
        long[] column = bytes(3);
        long[] m = RangeLookup.multiplicities(column, BITS);
        long[] table = table(column, m);
        long[] wrong = m.clone();
        wrong[7]++;
        wrong[8]--;
        // committed: the wrong multiplicities; looked up: the right ones
        long[] committedTable = table(column, wrong);
        CommittedPolynomial c = CommittedPolynomial.commit(committedTable,
                LigeroParams.forTable(LAYOUT.numVars(), LAYOUT.used(), 2));
        Transcript t = new Transcript("test.committed-logup");
        t.absorbDigest("witness-root", c.commitment().root());
        RangeLookup.Output out = RangeLookup.prove(column, BITS, m, t);
        ClaimBatch claims = new ClaimBatch(LAYOUT);
        claims.add(COLUMN, out.claims().columnPoint(), out.claims().columnValue());
        claims.add(MULTIPLICITIES, out.claims().multiplicityPoint(), out.claims().multiplicityValue());
        Proof p = new Proof(c.commitment(), out.proof(), claims.prove(table, c, t));
        assertThatThrownBy(() -> verify(p)).isInstanceOf(Rejected.class).hasMessageContaining("witness");
    }
}

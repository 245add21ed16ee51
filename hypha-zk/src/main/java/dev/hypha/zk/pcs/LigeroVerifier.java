package dev.hypha.zk.pcs;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.transcript.Transcript;
import java.util.Arrays;

/**
 * Checks an {@link EvaluationProof}: the evaluation row's inner product with the column eq weights is the claimed
 * value, and at every queried column (Merkle-authenticated) the encodings of both sent rows agree with the same
 * combinations of the column's entries. docs/ZK.md gives the soundness bound.
 */
public final class LigeroVerifier {
    private LigeroVerifier() {}

    /** Thrown when an opening is rejected; the message names the failed check. */
    public static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;

        public Rejected(String message) {
            super(message);
        }
    }

    /**
     * Verifies that the polynomial committed to by {@code commitment} takes {@code value} at {@code point}.
     *
     * @throws Rejected naming the first failed check
     */
    public static void verify(Commitment commitment, Ext2[] point, Ext2 value, EvaluationProof proof,
            Transcript transcript) throws Rejected {
        LigeroParams p = commitment.params();
        if (point.length != p.numVars()) {
            throw new Rejected("the point has " + point.length + " coordinates, the polynomial " + p.numVars()
                    + " variables");
        }
        checkShape(proof, p);
        Ext2 claimed = LigeroProver.innerProduct(proof.evaluationRow(), LigeroOpening.columnWeights(point, p.rowVars()));
        if (!claimed.equals(value)) {
            throw new Rejected("the evaluation row does not give the claimed value");
        }
        LigeroOpening.absorbStatement(transcript, commitment, point, value);
        Ext2[] gamma = transcript.challengeExts("pcs.gamma", p.committedRows());
        transcript.absorbExt("pcs.combined", proof.combinedRow());
        transcript.absorbExt("pcs.evaluation", proof.evaluationRow());
        if (!Grinding.valid(transcript.state(), proof.nonce(), p.grindingBits())) {
            throw new Rejected("the proof-of-work nonce does not have " + p.grindingBits() + " leading zero bits");
        }
        transcript.absorbFields("pcs.pow", proof.nonce());
        int[] queries = transcript.challengeIndices("pcs.queries", p.queries(), p.codewordLength());

        Ext2[] encodedCombined = encode(proof.combinedRow(), p.codewordLength());
        Ext2[] encodedEvaluation = encode(proof.evaluationRow(), p.codewordLength());
        Ext2[] rowWeights = LigeroOpening.rowWeights(point, p);
        if (!Arrays.equals(MerkleTree.rootOfCap(proof.cap()), commitment.root())) {
            throw new Rejected("the Merkle cap does not hash to the commitment's root");
        }
        for (int q = 0; q < queries.length; q++) {
            int j = queries[q];
            long[] column = proof.columns()[q];
            byte[] leaf = MerkleTree.hashLeaf(CommittedPolynomial.columnBytes(column));
            if (!MerkleTree.verifyToCap(proof.cap(), j, leaf, proof.paths()[q])) {
                throw new Rejected("query " + q + ": column " + j + " is not in the commitment");
            }
            if (!LigeroOpening.combineColumn(gamma, column).equals(encodedCombined[j])) {
                throw new Rejected("query " + q + ": column " + j + " disagrees with the combined row (proximity test)");
            }
            if (!LigeroOpening.combineColumn(rowWeights, column).equals(encodedEvaluation[j])) {
                throw new Rejected("query " + q + ": column " + j + " disagrees with the evaluation row");
            }
        }
    }

    private static void checkShape(EvaluationProof proof, LigeroParams p) throws Rejected {
        if (proof.combinedRow().length != p.columns() || proof.evaluationRow().length != p.columns()) {
            throw new Rejected("the rows must have " + p.columns() + " entries");
        }
        if (proof.columns().length != p.queries() || proof.paths().length != p.queries()) {
            throw new Rejected("the proof must open " + p.queries() + " columns");
        }
        for (Ext2[] row : new Ext2[][] {proof.combinedRow(), proof.evaluationRow()}) {
            for (Ext2 v : row) {
                if (!Goldilocks.isCanonical(v.c0()) || !Goldilocks.isCanonical(v.c1())) {
                    throw new Rejected("a row entry is not a canonical field element");
                }
            }
        }
        if (proof.cap().length != 1 << p.capLevel()) {
            throw new Rejected("the Merkle cap must have " + (1 << p.capLevel()) + " nodes");
        }
        for (byte[] node : proof.cap()) {
            if (node.length != 32) {
                throw new Rejected("a Merkle cap node is not 32 bytes");
            }
        }
        for (int q = 0; q < p.queries(); q++) {
            if (proof.columns()[q].length != p.committedRows() || proof.paths()[q].length != p.pathLength()) {
                throw new Rejected("query " + q + " must open " + p.committedRows() + " entries with a path of "
                        + p.pathLength());
            }
            for (byte[] node : proof.paths()[q]) {
                if (node.length != 32) {
                    throw new Rejected("query " + q + ": a Merkle path node is not 32 bytes");
                }
            }
        }
    }

    /** The Reed–Solomon codeword of an extension-valued message: the base-field encoding of each coordinate. */
    static Ext2[] encode(Ext2[] message, int n) {
        long[] c0 = new long[message.length];
        long[] c1 = new long[message.length];
        for (int i = 0; i < message.length; i++) {
            c0[i] = message[i].c0();
            c1[i] = message[i].c1();
        }
        long[] e0 = CommittedPolynomial.encode(c0, n);
        long[] e1 = CommittedPolynomial.encode(c1, n);
        Ext2[] out = new Ext2[n];
        for (int j = 0; j < n; j++) {
            out[j] = new Ext2(e0[j], e1[j]);
        }
        return out;
    }
}

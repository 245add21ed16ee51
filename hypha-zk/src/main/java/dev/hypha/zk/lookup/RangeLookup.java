package dev.hypha.zk.lookup;

import dev.hypha.zk.circuit.Rejected;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.poly.ExtTable;
import dev.hypha.zk.transcript.Transcript;

/**
 * LogUp (Haböck 2022, "Multivariate lookups based on logarithmic derivatives") for a range: every entry of a column w
 * of 2^n base-field values lies in the table T = [0, 2^bits). The prover commits w and the multiplicities m (m_y =
 * how often y occurs in w) before the challenge α is drawn; then
 *
 * <pre>
 *   Σ_x 1/(α − w(x))  =  Σ_y m(y)/(α − y)
 * </pre>
 *
 * is proved by two {@link FractionSum} trees, whose roots the verifier cross-multiplies. By Haböck's lemma 5 the
 * identity holds as rational functions iff every w(x) is in T (the field's characteristic exceeds 2^n, and m may be any
 * field elements); α from the quadratic extension makes a false identity pass with probability at most (2^n +
 * 2^bits)/2^128. What is left is one claim on w and one on m at random points, which the caller checks against its
 * commitment (a {@link dev.hypha.zk.circuit.ClaimBatch}); the table's own value T(r) = Σ_i r_i·2^(bits−1−i) the verifier
 * computes in O(bits). A value shifted into range first (y − lo for an int8 y) is looked up the same way.
 */
public final class RangeLookup {
    /** Table sizes accepted: the prover builds a 2^bits multiplicity column. */
    public static final int MAX_TABLE_BITS = 20;
    /** Column sizes accepted, far below p, so lemma 5's condition char(F) > 2^n holds. */
    public static final int MAX_COLUMN_VARS = 30;

    private RangeLookup() {}

    /** The two claims left to the caller: w at {@code columnPoint} and m at {@code multiplicityPoint}. */
    public record Claims(Ext2[] columnPoint, Ext2 columnValue, Ext2[] multiplicityPoint, Ext2 multiplicityValue) {
        public Claims {
            columnPoint = columnPoint.clone();
            multiplicityPoint = multiplicityPoint.clone();
        }

        @Override
        public Ext2[] columnPoint() {
            return columnPoint.clone();
        }

        @Override
        public Ext2[] multiplicityPoint() {
            return multiplicityPoint.clone();
        }
    }

    public record Output(LogUpProof proof, Claims claims) {}

    /**
     * m_y = the number of x with w(x) = y.
     *
     * @throws IllegalArgumentException naming the first entry that is not in [0, 2^bits)
     */
    public static long[] multiplicities(long[] column, int bits) {
        checkBits(bits);
        long[] m = new long[1 << bits];
        for (int x = 0; x < column.length; x++) {
            if (Long.compareUnsigned(column[x], 1L << bits) >= 0) {
                throw new IllegalArgumentException("entry " + x + " of the looked-up column is "
                        + Long.toUnsignedString(column[x]) + ", outside [0, 2^" + bits + ")");
            }
            m[(int) column[x]]++;
        }
        return m;
    }

    /**
     * Proves that {@code column} (2^n canonical base-field values) lies in [0, 2^bits) with the given multiplicities
     * (from {@link #multiplicities}; a test may pass others to play a cheating prover). Both must already be committed
     * and the commitment absorbed into {@code t}.
     */
    public static Output prove(long[] column, int bits, long[] multiplicities, Transcript t) {
        int n = columnVars(column.length);
        checkBits(bits);
        if (multiplicities.length != 1 << bits) {
            throw new IllegalArgumentException("a table of 2^" + bits + " entries needs as many multiplicities, got "
                    + multiplicities.length);
        }
        absorbShape(t, n, bits);
        Ext2 alpha = t.challengeExt("logup.alpha");
        long[] ones = new long[2 << n];
        long[] columnDen = new long[2 << n];
        for (int x = 0; x < column.length; x++) {
            ExtTable.set(ones, x, Ext2.ONE);
            ExtTable.set(columnDen, x, alpha.sub(Ext2.of(column[x])));
        }
        FractionSum.Output left = FractionSum.prove(ones, columnDen, t);
        long[] tableDen = new long[2 << bits];
        for (int y = 0; y < 1 << bits; y++) {
            ExtTable.set(tableDen, y, alpha.sub(Ext2.of(y)));
        }
        FractionSum.Output right = FractionSum.prove(ExtTable.fromBase(multiplicities), tableDen, t);
        Claims claims = new Claims(left.leaves().point(), alpha.sub(left.leaves().q()), right.leaves().point(),
                right.leaves().p());
        return new Output(new LogUpProof(left.proof(), right.proof()), claims);
    }

    /**
     * Replays {@link #prove} for a column of 2^n entries and a table of 2^bits; returns the claims on the column and the
     * multiplicities that the caller must check against the commitment.
     *
     * @throws Rejected naming the failed check
     */
    public static Claims verify(int n, int bits, LogUpProof proof, Transcript t, String what) throws Rejected {
        if (n < 0 || n > MAX_COLUMN_VARS || bits < 1 || bits > MAX_TABLE_BITS) {
            throw new Rejected(what + ": a lookup of 2^" + n + " values into 2^" + bits + " is outside the limits");
        }
        absorbShape(t, n, bits);
        Ext2 alpha = t.challengeExt("logup.alpha");
        FractionSumProof l = proof.column(), r = proof.table();
        for (Ext2 v : new Ext2[] {l.rootP(), l.rootQ(), r.rootP(), r.rootQ()}) {
            if (!Goldilocks.isCanonical(v.c0()) || !Goldilocks.isCanonical(v.c1())) {
                throw new Rejected(what + ": a fraction sum's root is not a canonical field element");
            }
        }
        if (l.rootQ().isZero() || r.rootQ().isZero()) {
            throw new Rejected(what + ": a fraction sum has a zero denominator");
        }
        if (!l.rootP().mul(r.rootQ()).equals(r.rootP().mul(l.rootQ()))) {
            throw new Rejected(what + ": the column's fraction sum differs from the table's (a value is not in [0, 2^"
                    + bits + ") or a multiplicity is wrong)");
        }
        FractionSum.Leaves left = FractionSum.verify(n, l, t, what + " column");
        if (!left.p().equals(Ext2.ONE)) {
            throw new Rejected(what + ": the column's numerators are not all 1");
        }
        FractionSum.Leaves right = FractionSum.verify(bits, r, t, what + " table");
        if (!right.q().equals(alpha.sub(tableAt(right.point())))) {
            throw new Rejected(what + ": the table's denominators are not α − y for y in [0, 2^" + bits + ")");
        }
        return new Claims(left.point(), alpha.sub(left.q()), right.point(), right.p());
    }

    /** T̃(r) for T(y) = y: the multilinear extension of the index, Σ_i r_i·2^(bits−1−i) (variable 0 most significant). */
    static Ext2 tableAt(Ext2[] point) {
        Ext2 sum = Ext2.ZERO;
        for (Ext2 ri : point) {
            sum = sum.add(sum).add(ri);
        }
        return sum;
    }

    private static void absorbShape(Transcript t, int n, int bits) {
        t.absorbFields("logup.shape", n, bits);
    }

    private static int columnVars(int length) {
        if (length < 1 || Integer.bitCount(length) != 1 || length > 1 << MAX_COLUMN_VARS) {
            throw new IllegalArgumentException("a looked-up column needs 2^n entries, n ≤ " + MAX_COLUMN_VARS + ", got "
                    + length);
        }
        return Integer.numberOfTrailingZeros(length);
    }

    private static void checkBits(int bits) {
        if (bits < 1 || bits > MAX_TABLE_BITS) {
            throw new IllegalArgumentException("a range table needs 1 to " + MAX_TABLE_BITS + " bits, got " + bits);
        }
    }
}

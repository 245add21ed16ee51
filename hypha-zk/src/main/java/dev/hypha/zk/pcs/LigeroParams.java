package dev.hypha.zk.pcs;

import java.math.BigInteger;

/**
 * The shape of a Ligero commitment to an n-variable multilinear polynomial: its 2^n values are laid out as a matrix of
 * 2^rowVars rows by 2^(n − rowVars) columns (variable 0 = most significant = the row index's top bit), each row
 * Reed–Solomon encoded at rate 2^−logInvRate, and {@code queries} columns opened.
 *
 * <p>The query count is the least t with (1 − δ)^t ≤ 2^−securityBits for δ = (1 − ρ)/2, the unique-decoding radius of the
 * code; docs/ZK.md shows why each query catches a cheating prover with probability at least δ.
 *
 * <p>{@code committedRows} ≤ 2^rowVars: only the first committedRows rows are encoded and committed; the rows after them
 * are zero by definition (a table whose tail is padding), so both sides know them and no column carries them. Nothing
 * changes in the argument: it is Ligero on the committedRows × columns matrix, and the polynomial's value at r is
 * Σ_{i < committedRows} eq(r_rows, i)·⟨row_i, eq(r_cols)⟩ because the other rows contribute zero.
 */
public record LigeroParams(int numVars, int rowVars, int logInvRate, int queries, int committedRows, int grindingBits) {
    /** The security level every commitment is built for (statistical, per docs/ZK.md). */
    public static final int SECURITY_BITS = 100;
    /**
     * Proof-of-work bits of the tables {@link #forTable} shapes for the chain ({@link Grinding}): their queries carry
     * SECURITY_BITS − GRINDING_BITS bits, the nonce the rest. 16 bits cost the prover about 2^16 Keccak hashes per
     * opening (tens of ms) and save 24 of 148 queries at rate 1/4.
     */
    public static final int GRINDING_BITS = 16;
    /** Largest supported polynomial: 2^28 values (2 GiB of encoded matrix at rate 1/4 already). */
    public static final int MAX_VARS = 28;

    public LigeroParams {
        if (numVars < 0 || numVars > MAX_VARS) {
            throw new IllegalArgumentException("a committed polynomial has 0 to " + MAX_VARS + " variables, got " + numVars);
        }
        if (rowVars < 0 || rowVars > numVars) {
            throw new IllegalArgumentException("row variables must be 0 to " + numVars + ", got " + rowVars);
        }
        if (logInvRate < 1 || logInvRate > 4) {
            throw new IllegalArgumentException("code rate must be 1/2 to 1/16 (logInvRate 1..4), got " + logInvRate);
        }
        if (queries < 1) {
            throw new IllegalArgumentException("at least one column query, got " + queries);
        }
        if (committedRows < 1 || committedRows > 1 << rowVars) {
            throw new IllegalArgumentException("committed rows must be 1 to " + (1 << rowVars) + ", got " + committedRows);
        }
        if (grindingBits < 0 || grindingBits > 32) {
            throw new IllegalArgumentException("proof-of-work bits must be 0 to 32, got " + grindingBits);
        }
    }

    /** No proof of work. */
    public LigeroParams(int numVars, int rowVars, int logInvRate, int queries, int committedRows) {
        this(numVars, rowVars, logInvRate, queries, committedRows, 0);
    }

    /** Every row committed. */
    public LigeroParams(int numVars, int rowVars, int logInvRate, int queries) {
        this(numVars, rowVars, logInvRate, queries, 1 << rowVars);
    }

    /**
     * The parameters for a table of 2^numVars values of which only the first {@code usedValues} can be non-zero (the
     * rest is padding), at rate 2^−logInvRate with {@link #SECURITY_BITS}-bit soundness, with the row/column split that
     * makes verification cheapest on an EVM chain ({@link #evmCost}) and the all-zero tail rows left uncommitted.
     * This is the split every MLP proof uses, so one proof file verifies both in Java and in the contract.
     */
    public static LigeroParams forTable(int numVars, long usedValues, int logInvRate) {
        return forTable(numVars, usedValues, logInvRate, LigeroParams::evmCost);
    }

    /**
     * As {@link #forTable(int, long, int)}, with the split that minimises {@code cost}: {@link #proofBytes} for a proof
     * no contract verifies (the CNN's witness), where the EVM model's choice can cost far more bytes for a sliver of gas.
     */
    public static LigeroParams forTable(int numVars, long usedValues, int logInvRate,
            java.util.function.ToLongFunction<LigeroParams> cost) {
        if (usedValues < 1 || usedValues > 1L << numVars) {
            throw new IllegalArgumentException("a " + numVars + "-variable table uses 1 to " + (1L << numVars)
                    + " values, got " + usedValues);
        }
        int t = queriesFor(logInvRate, SECURITY_BITS - GRINDING_BITS);
        LigeroParams best = null;
        for (int a = 0; a <= numVars; a++) {
            long columns = 1L << (numVars - a);
            int used = Math.toIntExact((usedValues + columns - 1) / columns);
            LigeroParams candidate = new LigeroParams(numVars, a, logInvRate, t, used, GRINDING_BITS);
            if (best == null || cost.applyAsLong(candidate) < cost.applyAsLong(best)) {
                best = candidate;
            }
        }
        return best;
    }

    /**
     * A gas model of the Solidity verifier (contracts/src/zk/MlpProofVerifier.sol), measured there: per message column
     * 32 bytes of calldata (512 gas) and its share of the verifier's NTT over the codeword (about 120 gas per butterfly,
     * log2(n)/2 butterflies per codeword entry, 2^logInvRate entries per column); per query, per opened entry 8 bytes of
     * calldata and a multiply-add (about 150 gas), per Merkle level 32 bytes and a hash (about 600 gas). Only the
     * comparison between splits matters; docs/ZK.md and bench/README.md give the measured totals.
     */
    public long evmCost() {
        long perColumn = 512 + (60L << logInvRate) * merkleDepth();
        return columns() * perColumn + (long) queries * (committedRows * 150L + merkleDepth() * 600L);
    }

    /**
     * The parameters for {@code numVars} variables at rate 2^−logInvRate with {@link #SECURITY_BITS}-bit soundness, and
     * the row/column split that makes the proof smallest (the combined rows cost 32 bytes per column, every query
     * m·8 bytes of column plus its Merkle path).
     */
    public static LigeroParams forVariables(int numVars, int logInvRate) {
        int t = queriesFor(logInvRate, SECURITY_BITS);
        int best = 0;
        long bestSize = Long.MAX_VALUE;
        for (int a = 0; a <= numVars; a++) {
            long size = new LigeroParams(numVars, a, logInvRate, t).proofBytes();
            if (size < bestSize) {
                bestSize = size;
                best = a;
            }
        }
        return new LigeroParams(numVars, best, logInvRate, t);
    }

    /**
     * The least t with ((1 + ρ)/2)^t ≤ 2^−bits, ρ = 2^−logInvRate, computed exactly:
     * ((2^L + 1) / 2^(L+1))^t ≤ 2^−bits ⟺ (2^L + 1)^t · 2^bits ≤ 2^((L+1)t).
     */
    public static int queriesFor(int logInvRate, int bits) {
        BigInteger numerator = BigInteger.ONE.shiftLeft(logInvRate).add(BigInteger.ONE);
        for (int t = 1; ; t++) {
            BigInteger lhs = numerator.pow(t).shiftLeft(bits);
            BigInteger rhs = BigInteger.ONE.shiftLeft((logInvRate + 1) * t);
            if (lhs.compareTo(rhs) <= 0) {
                return t;
            }
        }
    }

    public int rows() {
        return 1 << rowVars;
    }

    /** Message length of each row (the columns before encoding). */
    public int columns() {
        return 1 << (numVars - rowVars);
    }

    /** Codeword length: the number of committed columns, the Merkle tree's leaves. */
    public int codewordLength() {
        return columns() << logInvRate;
    }

    /**
     * The Merkle cap sent with each opening: the nodes ⌈log2 queries⌉ levels below the root (or the leaves of a smaller
     * tree). With t random queries every one of those 2^cap nodes is about as likely to be on some path as not, so
     * sending them once (32·2^cap bytes) instead of cap siblings per query (32·t·cap bytes) is about the best single
     * cut: 124 queries, cap 7, 4 KB instead of 27.8 KB per opening.
     */
    public int capLevel() {
        return Math.min(merkleDepth(), 32 - Integer.numberOfLeadingZeros(queries - 1));
    }

    /** The siblings each query's path carries: from the leaf up to just below the cap. */
    public int pathLength() {
        return merkleDepth() - capLevel();
    }

    public int merkleDepth() {
        return Integer.numberOfTrailingZeros(codewordLength());
    }

    /** The exact size of an encoded {@link EvaluationProof}. */
    public long proofBytes() {
        return 2L * columns() * 16 + 8 + 32L * (1L << capLevel()) + (long) queries * (committedRows * 8L + pathLength() * 32L);
    }
}

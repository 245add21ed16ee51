package dev.hypha.zk.mlp;

import dev.hypha.zk.circuit.BlockLayout;
import dev.hypha.zk.circuit.ClaimBatch;
import dev.hypha.zk.circuit.Rejected;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.lookup.LogUpProof;
import dev.hypha.zk.lookup.RangeLookup;
import dev.hypha.zk.poly.Eq;
import dev.hypha.zk.poly.ExtTable;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.sumcheck.SumcheckProof;
import dev.hypha.zk.sumcheck.SumcheckProver;
import dev.hypha.zk.sumcheck.Subclaim;
import dev.hypha.zk.transcript.Transcript;
import java.util.List;

/**
 * The requantization argument with range checks by bytes and a LogUp lookup (docs/ZK.md, "Range checks by bytes"):
 * {@link RequantArgument}'s constraint zero-check, then per neuron 16 byte slots holding rem, y − lo and e (each in its
 * own whole bytes, least significant first) and, for a value whose width w is not a multiple of 8, its top byte again
 * times 2^(8 − w mod 8) in a spare slot. One recomposition sumcheck ties the bytes to the values and the shifted copies
 * to their top bytes; one {@link RangeLookup} puts every byte slot of the layer in [0, 256) with the layer's 256
 * committed multiplicities. The CNN uses it (proof version 5); the MLP keeps the bit form until its Solidity verifier
 * replays fraction sums.
 */
public final class RequantByteArgument {
    /** Byte slots per neuron: at most 8 value bytes + 1 + 3 shifted copies = 12 are used. */
    public static final int BYTE_VARS = 4;
    /** Every byte slot is looked up in [0, 2^8). */
    public static final int TABLE_BITS = 8;

    private RequantByteArgument() {}

    /**
     * One requantization: the zero-check and its five values, the range values (rem, y, e at τ), the recomposition
     * sumcheck over the byte slots and the byte-block value it leaves, and the byte block's LogUp lookup.
     */
    public record Proof(SumcheckProof zerocheck, Ext2[] values, Ext2[] rangeValues, SumcheckProof recomposition,
            Ext2 recomposedByte, LogUpProof lookup) {
        public Proof {
            values = values.clone();
            rangeValues = rangeValues.clone();
        }

        @Override
        public Ext2[] values() {
            return values.clone();
        }

        @Override
        public Ext2[] rangeValues() {
            return rangeValues.clone();
        }
    }

    /**
     * Where value s (0 rem, 1 y − lo, 2 e) sits in a neuron's 16 slots: {first slot, bytes, width, slot of the shifted top
     * byte or −1}. Values take ⌈k/8⌉ + 1 + ⌈(56 − k)/8⌉ ≤ 9 slots, the copies follow: at most 12.
     */
    public static int[][] slots(Int8Mlp.Requant rq) {
        int[] widths = {rq.shift(), rq.outputBits(), rq.excessBits()};
        int[][] out = new int[3][];
        int next = 0;
        for (int s = 0; s < 3; s++) {
            int bytes = (widths[s] + 7) / 8;
            out[s] = new int[] {next, bytes, widths[s], -1};
            next += bytes;
        }
        for (int s = 0; s < 3; s++) {
            if (widths[s] % 8 != 0) {
                out[s][3] = next++;
            }
        }
        return out;
    }

    /**
     * The byte block (16 slots per neuron, index o·16 + slot) of a value block: rem, y − lo and e cut into bytes, and
     * each top byte's shifted copy. A value out of its range (only a cheating prover's) keeps its low bytes and its top
     * byte's copy is not masked, so either the recomposition or the lookup fails.
     */
    public static long[] byteBlock(Int8Mlp.Requant rq, int vars, long[] valueBlock) {
        int n = 1 << vars;
        int[][] slots = slots(rq);
        long[] bytes = new long[n << BYTE_VARS];
        for (int o = 0; o < n; o++) {
            long[] v = {valueBlock[MlpShape.REM * n + o],
                    Goldilocks.sub(valueBlock[MlpShape.OUT * n + o], Goldilocks.fromSigned(rq.lo())),
                    valueBlock[MlpShape.EXCESS * n + o]};
            int base = o << BYTE_VARS;
            for (int s = 0; s < 3; s++) {
                long top = 0;
                for (int i = 0; i < slots[s][1]; i++) {
                    top = (v[s] >>> (8 * i)) & 0xff;
                    bytes[base + slots[s][0] + i] = top;
                }
                if (slots[s][3] >= 0) {
                    bytes[base + slots[s][3]] = top << (8 - slots[s][2] % 8);
                }
            }
        }
        return bytes;
    }

    /**
     * How often each byte value occurs in {@code bytes}, each entry counted at its low 8 bits: an honest block's are all
     * bytes; a cheating block's out-of-range entry is then counted where it is not, and the lookup fails.
     */
    public static long[] counts(long[] bytes) {
        long[] counts = new long[1 << TABLE_BITS];
        for (long b : bytes) {
            counts[(int) (b & 0xff)]++;
        }
        return counts;
    }

    /**
     * Q(j) for the 16 slots: β_s·2^(8i) on byte i of value s; on a shifted copy β_(3+s), and −2^(8 − w mod 8)·β_(3+s)
     * more on the top byte it copies; so Σ_j Q(j)·B(o, j) = Σ_s β_s·value_s + Σ_s β_(3+s)·(copy_s − 2^(8−w′)·top_s).
     */
    static long[] recompositionWeights(Int8Mlp.Requant rq, Ext2[] beta) {
        int[][] slots = slots(rq);
        Ext2[] q = new Ext2[1 << BYTE_VARS];
        java.util.Arrays.fill(q, Ext2.ZERO);
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < slots[s][1]; i++) {
                q[slots[s][0] + i] = beta[s].mulBase(1L << (8 * i));
            }
            if (slots[s][3] >= 0) {
                int top = slots[s][0] + slots[s][1] - 1;
                q[top] = q[top].sub(beta[3 + s].mulBase(1L << (8 - slots[s][2] % 8)));
                q[slots[s][3]] = beta[3 + s];
            }
        }
        long[] table = new long[2 << BYTE_VARS];
        for (int j = 0; j < q.length; j++) {
            ExtTable.set(table, j, q[j]);
        }
        return table;
    }

    static Ext2 recompositionWeightsAt(Int8Mlp.Requant rq, Ext2[] beta, Ext2[] point) {
        long[] q = recompositionWeights(rq, beta);
        long[] eq = Eq.table(point);
        Ext2 sum = Ext2.ZERO;
        for (int i = 0; i < 1 << BYTE_VARS; i++) {
            sum = sum.add(ExtTable.get(q, i).mul(ExtTable.get(eq, i)));
        }
        return sum;
    }

    /** Proves the requantization of {@code valueBlock} with its bytes in {@code byteBlock} and counts in {@code countBlock}. */
    public static Proof prove(Int8Mlp.Requant rq, int vars, long[] witness, BlockLayout layout, int valueBlock,
            int byteBlock, int countBlock, ClaimBatch claims, Transcript t) {
        RequantArgument.Constrained c = RequantArgument.proveConstraints(rq, vars, witness, layout, valueBlock, claims, t);
        Ext2[] beta = t.challengeExts("requant.byte-beta", 6);
        long[] bytes = MlpProver.block(witness, layout, byteBlock);
        // T(j) = Σ_o eq(τ, o)·B[o][j]: the byte block with the neuron variables fixed to τ
        int slotCount = 1 << BYTE_VARS;
        long[] fixed = new long[2 * slotCount];
        long[] eqTau = c.eqTau();
        for (int o = 0; o < 1 << vars; o++) {
            Ext2 weight = ExtTable.get(eqTau, o);
            int base = o << BYTE_VARS;
            for (int j = 0; j < slotCount; j++) {
                if (bytes[base + j] != 0) {
                    ExtTable.set(fixed, j, ExtTable.get(fixed, j).add(weight.mulBase(bytes[base + j])));
                }
            }
        }
        SumcheckProver.Output rc = SumcheckProver.prove(List.of(
                Multilinear.ofTable(recompositionWeights(rq, beta)), Multilinear.ofTable(fixed)), t);
        Ext2 recomposed = rc.factorEvaluations()[1];
        t.absorbExt("requant.recomposed-byte", recomposed);
        claims.add(byteBlock, Constraints.concat(c.tau(), rc.point()), recomposed);

        RangeLookup.Output lookup = RangeLookup.prove(bytes, TABLE_BITS, MlpProver.block(witness, layout, countBlock), t);
        claims.add(byteBlock, lookup.claims().columnPoint(), lookup.claims().columnValue());
        claims.add(countBlock, lookup.claims().multiplicityPoint(), lookup.claims().multiplicityValue());
        return new Proof(c.zerocheck(), c.values(), c.rangeValues(), rc.proof(), recomposed, lookup.proof());
    }

    /** Replays {@link #prove}, adding the same claims; {@code where} names the layer in a rejection. */
    public static void verify(Int8Mlp.Requant rq, int vars, Proof p, int valueBlock, int byteBlock, int countBlock,
            ClaimBatch claims, Transcript t, String where) throws Rejected {
        Ext2[] tau = RequantArgument.verifyConstraints(rq, vars, p.zerocheck(), p.values(), p.rangeValues(), valueBlock,
                claims, t, where);
        Ext2[] v = p.rangeValues();
        Ext2[] beta = t.challengeExts("requant.byte-beta", 6);
        Ext2 claim = beta[0].mul(v[0]).add(beta[1].mul(v[1].sub(Ext2.of(Goldilocks.fromSigned(rq.lo())))))
                .add(beta[2].mul(v[2]));
        Subclaim rc = RequantArgument.sumcheck(BYTE_VARS, 2, claim, p.recomposition(), t, where + " byte recomposition");
        if (!recompositionWeightsAt(rq, beta, rc.point()).mul(p.recomposedByte()).equals(rc.expected())) {
            throw new Rejected(where + " byte recomposition: the bytes do not recompose to the range-checked values");
        }
        t.absorbExt("requant.recomposed-byte", p.recomposedByte());
        claims.add(byteBlock, Constraints.concat(tau, rc.point()), p.recomposedByte());

        RangeLookup.Claims lookup = RangeLookup.verify(vars + BYTE_VARS, TABLE_BITS, p.lookup(), t,
                where + " byte range (a byte of rem, y − lo or e, or a top byte's shifted copy, outside [0, 256)?)");
        claims.add(byteBlock, lookup.columnPoint(), lookup.columnValue());
        claims.add(countBlock, lookup.multiplicityPoint(), lookup.multiplicityValue());
    }
}

package dev.hypha.zk.mlp;

import dev.hypha.zk.circuit.BlockLayout;
import dev.hypha.zk.circuit.ClaimBatch;
import dev.hypha.zk.circuit.Rejected;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.poly.Eq;
import dev.hypha.zk.poly.ExtTable;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.sumcheck.ExpressionSumcheck;
import dev.hypha.zk.sumcheck.Subclaim;
import dev.hypha.zk.sumcheck.SumcheckProof;
import dev.hypha.zk.sumcheck.SumcheckProver;
import dev.hypha.zk.sumcheck.SumcheckVerifier;
import dev.hypha.zk.transcript.Transcript;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The requantization argument of one layer of n = 2^vars neurons (docs/ZK.md, "Whole MLP", steps 2 and 3): the
 * zero-check of {@link Constraints#requant} over a value block (8 slots × 2^vars: acc, y, rem, q, e) and the range
 * checks over its bit block (one packed 64-bit word per neuron), leaving every claim on the two blocks in a
 * {@link ClaimBatch}. The MLP's hidden layers use it (proof format 3); the CNN (proof version 5) shares the constraint
 * part ({@link #proveConstraints}) and range-checks by bytes and a lookup instead ({@link RequantByteArgument}). The MLP
 * keeps the bits until its Solidity verifier replays fraction sums (docs/ZK.md, "Range checks by bytes").
 */
public final class RequantArgument {
    private RequantArgument() {}

    /**
     * What the constraint part leaves for a range part: τ and eq(τ, ·) (the range part fixes the neuron variables there),
     * the zero-check and its five values, and rem, y, e at τ (already claimed and absorbed).
     */
    record Constrained(Ext2[] tau, long[] eqTau, SumcheckProof zerocheck, Ext2[] values, Ext2[] rangeValues) {}

    /**
     * The constraint part shared by both range parts (bits here, bytes in {@link RequantByteArgument}): the zero-check
     * of {@link Constraints#requant} over the value block, then rem, y, e at τ claimed and absorbed.
     */
    static Constrained proveConstraints(Int8Mlp.Requant rq, int vars, long[] witness, BlockLayout layout, int valueBlock,
            ClaimBatch claims, Transcript t) {
        Ext2[] tau = t.challengeExts("mlp.tau", vars);
        Ext2[] gamma = t.challengeExts("mlp.gamma", 3);
        long[] eqTau = Eq.table(tau);
        long[] valueEntries = MlpProver.block(witness, layout, valueBlock);
        int n = 1 << vars;
        List<Multilinear> tables = new ArrayList<>();
        tables.add(Multilinear.ofTable(eqTau));
        for (int slot = MlpShape.ACC; slot <= MlpShape.EXCESS; slot++) {
            tables.add(Multilinear.ofBase(Arrays.copyOfRange(valueEntries, slot * n, (slot + 1) * n)));
        }
        ExpressionSumcheck.Output zc = ExpressionSumcheck.prove(Constraints.requant(rq, gamma), tables, t);
        Ext2[] values = Arrays.copyOfRange(zc.evaluations(), 1, 6);
        t.absorbExt("mlp.requant-values", values);
        for (int slot = MlpShape.ACC; slot <= MlpShape.EXCESS; slot++) {
            claims.add(valueBlock, Constraints.concat(Constraints.slot(slot, MlpShape.VALUE_SLOT_VARS), zc.point()),
                    values[slot]);
        }

        int[] ranged = {MlpShape.REM, MlpShape.OUT, MlpShape.EXCESS};
        Ext2[] rangeValues = new Ext2[3];
        for (int i = 0; i < 3; i++) {
            rangeValues[i] = tables.get(1 + ranged[i]).evaluate(tau);
            claims.add(valueBlock, Constraints.concat(Constraints.slot(ranged[i], MlpShape.VALUE_SLOT_VARS), tau),
                    rangeValues[i]);
        }
        t.absorbExt("mlp.range-values", rangeValues);
        return new Constrained(tau, eqTau, zc.proof(), values, rangeValues);
    }

    /** Proves the requantization of the neurons in {@code valueBlock} with bits in {@code bitBlock} of {@code witness}. */
    public static MlpProof.Requant prove(Int8Mlp.Requant rq, int vars, long[] witness, BlockLayout layout, int valueBlock,
            int bitBlock, ClaimBatch claims, Transcript t) {
        Constrained c = proveConstraints(rq, vars, witness, layout, valueBlock, claims, t);
        Ext2[] tau = c.tau();
        long[] eqTau = c.eqTau();
        int n = 1 << vars;
        Ext2[] beta = t.challengeExts("mlp.beta", 3);
        long[] bits = MlpProver.block(witness, layout, bitBlock);
        // T(j) = Σ_o eq(τ, o)·B[o][j]: the bit block with the neuron variables fixed to τ
        int bitCount = 1 << MlpShape.BIT_VARS;
        long[] fixed = new long[2 * bitCount];
        for (int o = 0; o < n; o++) {
            Ext2 weight = ExtTable.get(eqTau, o);
            int base = o << MlpShape.BIT_VARS;
            for (int j = 0; j < bitCount; j++) {
                if (bits[base + j] != 0) {
                    ExtTable.set(fixed, j, ExtTable.get(fixed, j).add(weight.mulBase(bits[base + j])));
                }
            }
        }
        SumcheckProver.Output rc = SumcheckProver.prove(List.of(
                Multilinear.ofTable(Constraints.recompositionWeights(rq, beta)), Multilinear.ofTable(fixed)), t);
        Ext2 recomposedBit = rc.factorEvaluations()[1];
        t.absorbExt("mlp.recomposed-bit", recomposedBit);
        claims.add(bitBlock, Constraints.concat(tau, rc.point()), recomposedBit);

        Ext2[] tauBits = t.challengeExts("mlp.tau-bits", layout.blockVars(bitBlock));
        ExpressionSumcheck.Output bc = ExpressionSumcheck.prove(Constraints.BOOLEAN,
                List.of(Multilinear.ofTable(Eq.table(tauBits)), Multilinear.ofBase(bits)), t);
        Ext2 booleanBit = bc.evaluations()[1];
        t.absorbExt("mlp.boolean-bit", booleanBit);
        claims.add(bitBlock, bc.point(), booleanBit);
        return new MlpProof.Requant(c.zerocheck(), c.values(), c.rangeValues(), rc.proof(), recomposedBit, bc.proof(),
                booleanBit);
    }

    /** Replays {@link #proveConstraints}; returns τ. */
    static Ext2[] verifyConstraints(Int8Mlp.Requant rq, int vars, SumcheckProof zerocheck, Ext2[] values,
            Ext2[] rangeValues, int valueBlock, ClaimBatch claims, Transcript t, String where) throws Rejected {
        if (values.length != 5 || rangeValues.length != 3) {
            throw new Rejected(where + ": the proof's messages do not fit the layer");
        }
        Ext2[] tau = t.challengeExts("mlp.tau", vars);
        Ext2[] gamma = t.challengeExts("mlp.gamma", 3);
        Subclaim zc = sumcheck(vars, 4, Ext2.ZERO, zerocheck, t, where + " zero-check");
        Ext2[] args = new Ext2[6];
        args[0] = Eq.evaluate(tau, zc.point());
        System.arraycopy(values, 0, args, 1, 5);
        if (!Constraints.requant(rq, gamma).evaluate(args).equals(zc.expected())) {
            throw new Rejected(where + ": the constraints do not hold at the zero-check's point");
        }
        t.absorbExt("mlp.requant-values", values);
        for (int slot = MlpShape.ACC; slot <= MlpShape.EXCESS; slot++) {
            claims.add(valueBlock, Constraints.concat(Constraints.slot(slot, MlpShape.VALUE_SLOT_VARS), zc.point()),
                    values[slot]);
        }

        int[] ranged = {MlpShape.REM, MlpShape.OUT, MlpShape.EXCESS};
        for (int i = 0; i < 3; i++) {
            claims.add(valueBlock, Constraints.concat(Constraints.slot(ranged[i], MlpShape.VALUE_SLOT_VARS), tau),
                    rangeValues[i]);
        }
        t.absorbExt("mlp.range-values", rangeValues);
        return tau;
    }

    /** Replays {@link #prove}, adding the same claims; {@code where} names the layer in a rejection. */
    public static void verify(Int8Mlp.Requant rq, int vars, MlpProof.Requant p, BlockLayout layout, int valueBlock,
            int bitBlock, ClaimBatch claims, Transcript t, String where) throws Rejected {
        Ext2[] tau = verifyConstraints(rq, vars, p.zerocheck(), p.values(), p.rangeValues(), valueBlock, claims, t, where);
        Ext2[] rangeValues = p.rangeValues();
        Ext2[] beta = t.challengeExts("mlp.beta", 3);
        Ext2 claim = beta[0].mul(rangeValues[0])
                .add(beta[1].mul(rangeValues[1].sub(Ext2.of(Goldilocks.fromSigned(rq.lo())))))
                .add(beta[2].mul(rangeValues[2]));
        Subclaim rc = sumcheck(MlpShape.BIT_VARS, 2, claim, p.recomposition(), t, where + " range check");
        if (!Constraints.recompositionWeightsAt(rq, beta, rc.point()).mul(p.recomposedBit()).equals(rc.expected())) {
            throw new Rejected(where + ": the bits do not recompose to the range-checked values");
        }
        t.absorbExt("mlp.recomposed-bit", p.recomposedBit());
        claims.add(bitBlock, Constraints.concat(tau, rc.point()), p.recomposedBit());

        Ext2[] tauBits = t.challengeExts("mlp.tau-bits", layout.blockVars(bitBlock));
        Subclaim bc = sumcheck(layout.blockVars(bitBlock), 3, Ext2.ZERO, p.booleanity(), t, where + " bit check");
        Ext2 b = p.booleanBit();
        if (!Eq.evaluate(tauBits, bc.point()).mul(b).mul(b.sub(Ext2.ONE)).equals(bc.expected())) {
            throw new Rejected(where + ": a committed bit is not 0 or 1");
        }
        t.absorbExt("mlp.boolean-bit", b);
        claims.add(bitBlock, bc.point(), b);
    }

    /** A sumcheck verification whose failure is a {@link Rejected} naming {@code what}. */
    public static Subclaim sumcheck(int vars, int degree, Ext2 claim, SumcheckProof proof, Transcript t, String what)
            throws Rejected {
        try {
            return SumcheckVerifier.verify(vars, degree, claim, proof, t);
        } catch (SumcheckVerifier.Rejected e) {
            throw new Rejected(what + ": " + e.getMessage(), e);
        }
    }
}

package dev.hypha.incentives.yuma;

import static dev.hypha.incentives.fixed.I32F32.ZERO;

import dev.hypha.incentives.fixed.I32F32;
import dev.hypha.incentives.fixed.I64F64;
import dev.hypha.incentives.fixed.I96F32;
import dev.hypha.incentives.fixed.Transcendental;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * subtensor's sparse epoch ({@code epoch_mechanism} in pallets/subtensor/src/epoch/run_epoch.rs, snapshot 14bc6f9),
 * step for step in the same fixed-point types: stake and permits, active stake, the weight masks (permit, self
 * weight except the owner's, weights older than the target's registration, commit-reveal), the stake-weighted
 * κ-quantile consensus and clipping, validator trust, incentive, bonds (Yuma3 with or without liquid alpha, or the
 * classic EMA), dividends and the emission split. No floating point anywhere.
 */
public final class YumaEpoch {
    private YumaEpoch() {}

    public static EpochResult run(EpochState state) {
        return run(state, EpochTrace.NONE);
    }

    public static EpochResult run(EpochState state, EpochTrace trace) {
        Hyperparameters hp = state.hyperparameters();
        int n = state.n();
        long currentBlock = state.currentBlock();

        // == Active & updated ==
        long cutoff = hp.activityCutoffBlocks();
        boolean[] inactive = new boolean[n];
        boolean[] active = new boolean[n];
        for (int i = 0; i < n; i++) {
            inactive[i] = Long.compareUnsigned(saturatingAddU64(state.lastUpdate()[i], cutoff), currentBlock) < 0;
            active[i] = !inactive[i];
        }

        // == Stake == (I64F64, filtered by the threshold except for the owner, normalised, narrowed to I32F32)
        BigInteger[] filtered = new BigInteger[n];
        BigInteger total = I64F64.ZERO;
        for (int i = 0; i < n; i++) {
            BigInteger s = I64F64.fromU64(state.stake()[i]);
            if (i != state.ownerUid() && Long.compareUnsigned(I64F64.toU64(s), hp.stakeThreshold()) < 0) s = I64F64.ZERO;
            filtered[i] = s;
            total = total.add(s); // EpochState bounds total stake to 2^63-1, so this sum never wraps
        }
        long[] stake = new long[n];
        for (int i = 0; i < n; i++) {
            stake[i] = I64F64.toI32F32(total.signum() == 0 ? filtered[i] : I64F64.safeDiv(filtered[i], total));
        }

        // == Validator permits ==
        boolean[] permits = state.validatorPermit().clone();
        if (state.ownerUid() >= 0) permits[state.ownerUid()] = true;
        trace.record("Inactive", inactive);
        trace.record("Normalised Stake", stake);
        trace.record("validator_permits", permits);
        boolean[] forbids = new boolean[n];
        for (int i = 0; i < n; i++) forbids[i] = !permits[i];
        boolean[] newPermits = YumaMath.isTopkNonzero(stake, hp.maxAllowedValidators());
        if (state.ownerUid() >= 0) newPermits[state.ownerUid()] = true;

        trace.record("new_validator_permits", newPermits);

        // == Active stake ==
        long[] activeStake = YumaMath.maskVector(inactive, stake);
        activeStake = YumaMath.maskVector(forbids, activeStake);
        activeStake = YumaMath.normalize(activeStake);

        trace.record("Active Stake", activeStake);

        // == Weights ==
        SparseMatrix weights = state.weights().toFixed();
        weights = YumaMath.maskRowsSparse(forbids, weights);
        weights = state.ownerUid() >= 0
                ? YumaMath.maskDiagSparseExceptIndex(weights, state.ownerUid())
                : YumaMath.maskDiagSparse(weights);
        weights = YumaMath.vecMaskSparseMatrix(weights, state.lastUpdate(), state.blockAtRegistration(),
                (updated, registered) -> Long.compareUnsigned(updated, registered) <= 0);
        if (hp.commitRevealWeightsEnabled()) {
            weights = YumaMath.vecMaskSparseMatrix(weights, state.commitBlock(), state.blockAtRegistration(),
                    (commit, registered) -> Long.compareUnsigned(commit, registered) < 0);
        }
        weights = YumaMath.rowNormalizeSparse(weights);
        trace.record("Weights (mask+norm)", weights);

        // == Consensus, validator trust, incentive ==
        long kappa = I32F32.u16ProportionToFixed(hp.kappa());
        long[] consensus = YumaMath.weightedMedianColSparse(activeStake, weights, n, kappa);
        SparseMatrix clipped = YumaMath.colClipSparse(weights, consensus);
        long[] validatorTrust = YumaMath.rowSumSparse(clipped);
        long[] ranks = YumaMath.matmulSparse(clipped, activeStake, n);
        trace.record("Ranks", ranks);
        long[] incentive = YumaMath.normalize(ranks);
        trace.record("Consensus", consensus);
        trace.record("Validator Trust", validatorTrust);
        trace.record("Incentive (=Rank)", incentive);

        // == Bonds and dividends ==
        long bondsPenalty = I32F32.u16ProportionToFixed(hp.bondsPenalty());
        SparseMatrix weightsForBonds = YumaMath.interpolateSparse(weights, clipped, n, bondsPenalty);
        long lms = state.lastMechanismStepBlock();
        long lastTempo = lms == 0 ? saturatingSubU64(currentBlock, hp.tempo()) : saturatingAddU64(lms, 1);
        YumaMath.U64Mask registeredSinceLastTempo = (last, registered) -> Long.compareUnsigned(last, registered) <= 0;

        long[] dividends;
        SparseMatrix emaBonds;
        if (hp.yuma3Enabled()) {
            SparseMatrix bonds = proportions(state.bonds().toFixed());
            bonds = YumaMath.scalarVecMaskSparseMatrix(bonds, lastTempo, state.blockAtRegistration(),
                    registeredSinceLastTempo);
            emaBonds = yuma3Bonds(hp, weightsForBonds, bonds, consensus);
            SparseMatrix emaBondsNorm = YumaMath.colNormalizeSparse(emaBonds, n);
            SparseMatrix bondsTimesIncentive = YumaMath.matVecMulSparse(emaBondsNorm, incentive);
            // not one of subtensor's log names: SubnetEpochs checks the row sums column by column (hypha-chain YumaPost)
            trace.record("Bonds (norm) x Incentive", bondsTimesIncentive);
            long[] totalBondsPerValidator = YumaMath.rowSumSparse(bondsTimesIncentive);
            dividends = YumaMath.normalize(YumaMath.vecMul(totalBondsPerValidator, activeStake));
        } else {
            SparseMatrix bonds = state.bonds().toFixed();
            bonds = YumaMath.scalarVecMaskSparseMatrix(bonds, lastTempo, state.blockAtRegistration(),
                    registeredSinceLastTempo);
            bonds = YumaMath.colNormalizeSparse(bonds, n);
            SparseMatrix bondsDelta = YumaMath.rowHadamardSparse(weightsForBonds, activeStake);
            bondsDelta = YumaMath.colNormalizeSparse(bondsDelta, n);
            trace.record("ΔB (norm)", bondsDelta);
            emaBonds = YumaMath.matEmaSparse(bondsDelta, bonds, fixedAlpha(hp));
            emaBonds = YumaMath.colNormalizeSparse(emaBonds, n);
            dividends = YumaMath.normalize(YumaMath.matmulTransposeSparse(emaBonds, incentive));
            emaBonds = YumaMath.colMaxUpscaleSparse(emaBonds, n);
        }

        trace.record("Dividends", dividends);

        // == Emission ==
        long[] combined = new long[n];
        for (int i = 0; i < n; i++) combined[i] = I32F32.saturatingAdd(incentive[i], dividends[i]);
        long emissionSum = YumaMath.sum(combined);
        long[] serverShare = YumaMath.normalizeUsingSum(incentive, emissionSum);
        long[] validatorShare = YumaMath.normalizeUsingSum(dividends, emissionSum);
        long[] combinedShare = YumaMath.normalize(combined);
        if (emissionSum == ZERO) { // no weights, outdated weights or only self-weights: paid by stake
            long[] byStake = YumaMath.isZero(activeStake) ? stake : activeStake;
            validatorShare = byStake.clone();
            combinedShare = byStake.clone();
        }
        trace.record("Normalized Server Emission", serverShare);
        trace.record("Normalized Validator Emission", validatorShare);
        trace.record("Normalized Combined Emission", combinedShare);
        long[] serverEmission = new long[n];
        long[] validatorEmission = new long[n];
        long[] combinedEmission = new long[n];
        for (int i = 0; i < n; i++) {
            serverEmission[i] = I96F32.shareOf(serverShare[i], state.emission());
            validatorEmission[i] = I96F32.shareOf(validatorShare[i], state.emission());
            combinedEmission[i] = I96F32.shareOf(combinedShare[i], state.emission());
        }

        // == Output == (bonds kept only for UIDs holding a new permit)
        U16Rows stored = U16Rows.fromProportions(emaBonds);
        int[][] bondCols = new int[n][];
        int[][] bondVals = new int[n][];
        for (int i = 0; i < n; i++) {
            boolean keep = newPermits[i] && i < stored.rows();
            bondCols[i] = keep ? stored.cols()[i] : new int[0];
            bondVals[i] = keep ? stored.values()[i] : new int[0];
        }
        return new EpochResult(active, toU16(stake), toU16(consensus), toU16(validatorTrust), toU16(incentive),
                toU16(dividends), serverEmission, validatorEmission, combinedEmission, newPermits,
                new U16Rows(bondCols, bondVals));
    }

    /** {@code compute_bonds_sparse}: liquid alpha when on and some consensus is non-zero, else one fixed alpha. */
    static SparseMatrix yuma3Bonds(Hyperparameters hp, SparseMatrix weights, SparseMatrix bonds, long[] consensus) {
        boolean anyConsensus = Arrays.stream(consensus).anyMatch(c -> c != ZERO);
        if (hp.liquidAlphaEnabled() && consensus.length > 0 && anyConsensus) {
            return YumaMath.matEmaAlphaSparse(weights, bonds, liquidAlphas(hp, weights, bonds, consensus));
        }
        return YumaMath.matEmaSparse(weights, bonds, fixedAlpha(hp));
    }

    /**
     * {@code compute_liquid_alpha_values_sparse}: one alpha per (validator, miner). Rows whose new weights are empty
     * are left empty: {@code mat_ema_alpha_sparse} reads alphas only at a row's new entries, so their values could
     * never reach the result.
     */
    static long[][] liquidAlphas(Hyperparameters hp, SparseMatrix weights, SparseMatrix bonds, long[] consensus) {
        long steepness = I32F32.fromInt(hp.alphaSigmoidSteepness());
        long low = I32F32.u16ProportionToFixed(hp.alphaLow());
        long high = I32F32.u16ProportionToFixed(hp.alphaHigh());
        int columns = consensus.length;
        long[][] alphas = new long[weights.rows()][];
        for (int i = 0; i < weights.rows(); i++) {
            if (weights.cols(i).length == 0) {
                alphas[i] = new long[0];
                continue;
            }
            long[] w = YumaMath.peekMergeDense(weights.cols(i), weights.vals(i), columns);
            long[] b = i < bonds.rows() ? YumaMath.peekMergeDense(bonds.cols(i), bonds.vals(i), columns) : new long[columns];
            long[] row = new long[columns];
            for (int j = 0; j < columns; j++) row[j] = alphaSigmoid(consensus[j], w[j], b[j], low, high, steepness);
            alphas[i] = row;
        }
        return alphas;
    }

    /** {@code alpha_sigmoid}: faster bond movement the further a weight is from consensus (buying) or its bond (selling). */
    public static long alphaSigmoid(long consensus, long weight, long bond, long low, long high, long steepness) {
        long one = I32F32.ONE;
        long diffBuy = YumaMath.clamp(I32F32.saturatingSub(weight, consensus), ZERO, one);
        long diffSell = YumaMath.clamp(I32F32.saturatingSub(bond, weight), ZERO, one);
        long combinedDiff = weight >= bond ? diffBuy : diffSell;
        long exponent = I32F32.saturatingMul(I32F32.saturatingDiv(steepness, I32F32.fromInt(-100)),
                I32F32.saturatingSub(combinedDiff, one / 2));
        long sigmoid = I32F32.saturatingDiv(one, I32F32.saturatingAdd(one, Transcendental.expSafe(exponent)));
        long alpha = I32F32.saturatingAdd(low, I32F32.saturatingMul(sigmoid, I32F32.saturatingSub(high, low)));
        return YumaMath.clamp(alpha, low, high);
    }

    /** {@code compute_disabled_liquid_alpha}: 1 − I32F32(I64F64(BondsMovingAverage) / 1e6). */
    static long fixedAlpha(Hyperparameters hp) {
        BigInteger movingAverage = I64F64.safeDiv(I64F64.fromU64(hp.bondsMovingAverage()), I64F64.fromInt(1_000_000));
        return I32F32.saturatingSub(I32F32.ONE, I64F64.toI32F32(movingAverage));
    }

    /** {@code get_bonds_sparse_fixed_proportion}: stored u16 / 65535. */
    private static SparseMatrix proportions(SparseMatrix m) {
        SparseMatrix.Builder b = new SparseMatrix.Builder(m.rows());
        for (int i = 0; i < m.rows(); i++) {
            long[] v = m.vals(i).clone();
            for (int k = 0; k < v.length; k++) v[k] = I32F32.toU16Proportion(v[k]);
            b.setRow(i, m.cols(i), v);
        }
        return b.build();
    }

    private static int[] toU16(long[] proportions) {
        int[] out = new int[proportions.length];
        for (int i = 0; i < out.length; i++) out[i] = I32F32.proportionToU16(proportions[i]);
        return out;
    }

    private static long saturatingAddU64(long a, long b) {
        long r = a + b;
        return Long.compareUnsigned(r, a) < 0 ? -1L : r;
    }

    private static long saturatingSubU64(long a, long b) {
        return Long.compareUnsigned(a, b) < 0 ? 0 : a - b;
    }
}

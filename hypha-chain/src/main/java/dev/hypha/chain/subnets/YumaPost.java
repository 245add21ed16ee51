package dev.hypha.chain.subnets;

import dev.hypha.incentives.fixed.I32F32;
import dev.hypha.incentives.yuma.EpochResult;
import dev.hypha.incentives.yuma.EpochState;
import dev.hypha.incentives.yuma.Hyperparameters;
import dev.hypha.incentives.yuma.U16Rows;
import dev.hypha.incentives.yuma.YumaEpoch;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.web3j.abi.FunctionEncoder;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * Runs hypha-incentives' Yuma epoch on a closed epoch's frozen inputs (Yuma3, liquid alpha off, no owner UID, stake
 * threshold 0: what SubnetEpochs can recompute) and builds the post SubnetEpochs takes: one leaf per UID with the
 * fixed-point consensus, rank, incentive and dividends, the prefix sums a challenge steps through, the emissions and
 * the hash of the new bonds column. {@link #bonds()} is what the next epoch reads as previous bonds.
 */
public final class YumaPost {
    /** Emission and stake unit of the epoch: 1e9 wei (subtensor's u64 smallest unit). */
    public static final BigInteger UNIT = BigInteger.TEN.pow(9);

    private final List<SubnetLeaf> leaves;
    private final EpochResult result;

    private YumaPost(List<SubnetLeaf> leaves, EpochResult result) {
        this.leaves = List.copyOf(leaves);
        this.result = result;
    }

    /**
     * @param previousBonds the previous accepted epoch's {@link #bonds()} (fewer rows than UIDs when UIDs were added),
     *     or null for the first epoch
     */
    public static YumaPost compute(SubnetParams params, long block, long lastStepBlock, BigInteger pool,
            List<UidInput> inputs, List<WeightRow> rows, U16Rows previousBonds) {
        int n = inputs.size();
        if (rows.size() != n) throw new IllegalArgumentException("weights: " + rows.size() + " rows for " + n + " UIDs");
        EpochState state = new EpochState(hyperparameters(params), block, lastStepBlock,
                pool.divide(UNIT).longValueExact(), -1,
                inputs.stream().mapToLong(UidInput::stake).toArray(), permits(inputs),
                inputs.stream().mapToLong(UidInput::lastUpdate).toArray(),
                inputs.stream().mapToLong(UidInput::registeredAt).toArray(),
                inputs.stream().mapToLong(UidInput::commitBlock).toArray(),
                weights(inputs, rows), padded(previousBonds, n));
        Map<String, Object> trace = new HashMap<>();
        EpochResult result = YumaEpoch.run(state, trace::put);
        long[] rank = (long[]) trace.get("Ranks");
        long[] consensus = (long[]) trace.get("Consensus");
        long[] incentive = (long[]) trace.get("Incentive (=Rank)");
        long[] dividends = (long[]) trace.get("Dividends");
        List<SubnetLeaf> leaves = new ArrayList<>();
        long rankPrefix = 0;
        long combinedPrefix = 0;
        for (int j = 0; j < n; j++) {
            rankPrefix += rank[j]; // wrapping, as the epoch's sum
            combinedPrefix += I32F32.saturatingAdd(incentive[j], dividends[j]);
            leaves.add(new SubnetLeaf(j, inputs.get(j).account(), consensus[j], rank[j], rankPrefix, incentive[j],
                    dividends[j], combinedPrefix, result.serverEmission()[j], result.validatorEmission()[j],
                    bondsColumnHash(result.bonds(), j)));
        }
        return new YumaPost(leaves, result);
    }

    /** SubnetRegistry's hyper-parameters as hypha-incentives reads them. */
    static Hyperparameters hyperparameters(SubnetParams p) {
        Hyperparameters d = Hyperparameters.subtensorDefaults();
        long factor = (p.activityCutoff() * 1000 + p.tempo() - 1) / p.tempo(); // ceil: cutoff = factor·tempo/1000
        Hyperparameters h = new Hyperparameters(p.kappa(), p.bondsPenalty(), p.bondsMovingAverage(), false, d.alphaLow(),
                d.alphaHigh(), d.alphaSigmoidSteepness(), true, p.maxValidators(), 0, true, (int) p.tempo(), factor);
        if (h.activityCutoffBlocks() != p.activityCutoff()) {
            throw new IllegalArgumentException("activity cutoff " + p.activityCutoff() + " blocks is not a whole "
                    + "number of thousandths of tempo " + p.tempo() + " (subtensor stores it as a factor of tempo)");
        }
        return h;
    }

    private static boolean[] permits(List<UidInput> inputs) {
        boolean[] out = new boolean[inputs.size()];
        for (int i = 0; i < out.length; i++) out[i] = inputs.get(i).permit();
        return out;
    }

    private static U16Rows weights(List<UidInput> inputs, List<WeightRow> rows) {
        int[][] cols = new int[rows.size()][];
        int[][] vals = new int[rows.size()][];
        for (int i = 0; i < cols.length; i++) {
            WeightRow row = inputs.get(i).hasWeights() ? rows.get(i) : WeightRow.EMPTY;
            cols[i] = row.uids().clone();
            vals[i] = row.values().clone();
        }
        return new U16Rows(cols, vals);
    }

    private static U16Rows padded(U16Rows bonds, int n) {
        int[][] cols = new int[n][0];
        int[][] vals = new int[n][0];
        for (int i = 0; bonds != null && i < Math.min(n, bonds.rows()); i++) {
            cols[i] = bonds.cols()[i];
            vals[i] = bonds.values()[i];
        }
        return new U16Rows(cols, vals);
    }

    /** Every validator's u16 bond on UID {@code j} (0 where none), one entry per UID. */
    public static int[] bondsColumn(U16Rows bonds, int j) {
        int[] column = new int[bonds.rows()];
        for (int i = 0; i < bonds.rows(); i++) {
            int[] c = bonds.cols()[i];
            for (int k = 0; k < c.length; k++) {
                if (c[k] == j) column[i] = bonds.values()[i][k];
            }
        }
        return column;
    }

    static byte[] bondsColumnHash(U16Rows bonds, int j) {
        String encoded = FunctionEncoder.encodeConstructor(List.of(WeightRow.u16Array(bondsColumn(bonds, j))));
        return Hash.sha3(Numeric.hexStringToByteArray(encoded));
    }

    public List<SubnetLeaf> leaves() {
        return leaves;
    }

    /** The new bonds (what the next epoch reads as previous bonds). */
    public U16Rows bonds() {
        return result.bonds();
    }

    public EpochResult result() {
        return result;
    }

    public byte[] root() {
        return new EpochTree(leaves).root();
    }
}

package dev.hypha.incentives.yuma;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.incentives.fixed.I32F32;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * Properties of the epoch over random subnets (random stakes, weights, bonds, registration blocks and
 * hyper-parameters, both bond models, liquid alpha on and off): emission is never created and at most a bounded
 * number of units is lost to rounding; relabelling UIDs relabels the result and changes nothing else; a colluding
 * minority holding less than kappa of the stake cannot lift any miner's consensus above the honest validators'
 * weight, nor its rank above what honest voting gives.
 */
class YumaPropertiesTest {
    private static final int M = 65535;

    /** A random subnet: validators (UIDs 0..v-1, distinct non-zero stakes, permits) then miners. */
    static EpochState randomSubnet(SplittableRandom rng) {
        int n = 2 + rng.nextInt(15);
        int v = 1 + rng.nextInt(n - 1);
        long block = 1_000;
        long[] stake = new long[n];
        boolean[] permit = new boolean[n];
        long[] lastUpdate = new long[n];
        long[] registered = new long[n];
        long[] commit = new long[n];
        java.util.Set<Long> used = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            if (i < v) {
                long s;
                do s = 1 + rng.nextLong(1_000_000_000_000L); while (!used.add(s));
                stake[i] = s;
                permit[i] = true;
            }
            lastUpdate[i] = block - rng.nextInt(20);
            registered[i] = rng.nextInt(990);
            commit[i] = EpochState.NO_COMMIT;
        }
        U16Rows weights = randomRows(rng, n, v, true);
        U16Rows bonds = randomRows(rng, n, v, false);
        Hyperparameters hp = new Hyperparameters(1 + rng.nextInt(M), rng.nextInt(M + 1), rng.nextInt(1_000_001),
                rng.nextBoolean(), 1638 + rng.nextInt(20_000), 30_000 + rng.nextInt(35_536), 1 + rng.nextInt(2000),
                rng.nextBoolean(), 1 + rng.nextInt(n + 2), 0, false, 10 + rng.nextInt(360), 13_889);
        int owner = rng.nextInt(4) == 0 ? rng.nextInt(n) : -1;
        return new EpochState(hp, block, rng.nextBoolean() ? 0 : block - 1 - rng.nextInt(100),
                1 + rng.nextLong(1_000_000_000_000_000L), owner, stake, permit, lastUpdate, registered, commit, weights,
                bonds);
    }

    /** Rows for UIDs below {@code v}, ascending columns (as set_weights stores a sorted submission). */
    private static U16Rows randomRows(SplittableRandom rng, int n, int v, boolean allowSelf) {
        int[][] cols = new int[n][];
        int[][] vals = new int[n][];
        for (int i = 0; i < n; i++) {
            List<Integer> c = new ArrayList<>();
            if (i < v) {
                for (int j = 0; j < n; j++) if ((allowSelf || j != i) && rng.nextInt(3) > 0) c.add(j);
            }
            cols[i] = c.stream().mapToInt(Integer::intValue).toArray();
            vals[i] = new int[cols[i].length];
            for (int k = 0; k < vals[i].length; k++) vals[i][k] = rng.nextInt(M + 1);
        }
        return new U16Rows(cols, vals);
    }

    @Property(tries = 300)
    void emissionIsNeverCreatedAndRoundingLosesAtMostABoundedAmount(@ForAll @LongRange long seed) {
        EpochState s = randomSubnet(new SplittableRandom(seed));
        EpochResult r = YumaEpoch.run(s);
        BigInteger paid = BigInteger.ZERO;
        BigInteger combined = BigInteger.ZERO;
        for (int i = 0; i < r.n(); i++) {
            paid = paid.add(u64(r.serverEmission()[i])).add(u64(r.validatorEmission()[i]));
            combined = combined.add(u64(r.emission()[i]));
        }
        BigInteger e = u64(s.emission());
        // each of 2n shares is truncated to 2^-32 (at most E/2^32 units each) and then floored (under one unit each)
        BigInteger n2 = BigInteger.valueOf(2L * r.n());
        BigInteger bound = n2.add(n2.multiply(e).shiftRight(32)).add(n2);
        assertThat(paid).isLessThanOrEqualTo(e);
        assertThat(e.subtract(paid)).isLessThanOrEqualTo(bound);
        assertThat(combined).isLessThanOrEqualTo(e);
        assertThat(e.subtract(combined)).isLessThanOrEqualTo(bound);
    }

    @Property(tries = 300)
    void relabellingUidsRelabelsTheResult(@ForAll @LongRange long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        EpochState s = randomSubnet(rng);
        int n = s.n();
        int[] perm = shuffled(n, rng);
        EpochResult a = YumaEpoch.run(s);
        EpochResult b = YumaEpoch.run(permute(s, perm));
        for (int i = 0; i < n; i++) {
            int p = perm[i];
            String at = "uid " + i + " -> " + p + " of " + n;
            assertThat(b.active()[p]).as(at).isEqualTo(a.active()[i]);
            assertThat(b.stakeWeight()[p]).as(at).isEqualTo(a.stakeWeight()[i]);
            assertThat(b.consensus()[p]).as(at).isEqualTo(a.consensus()[i]);
            assertThat(b.validatorTrust()[p]).as(at).isEqualTo(a.validatorTrust()[i]);
            assertThat(b.incentive()[p]).as(at).isEqualTo(a.incentive()[i]);
            assertThat(b.dividends()[p]).as(at).isEqualTo(a.dividends()[i]);
            assertThat(b.serverEmission()[p]).as(at).isEqualTo(a.serverEmission()[i]);
            assertThat(b.validatorEmission()[p]).as(at).isEqualTo(a.validatorEmission()[i]);
            assertThat(b.emission()[p]).as(at).isEqualTo(a.emission()[i]);
            assertThat(b.validatorPermit()[p]).as(at).isEqualTo(a.validatorPermit()[i]);
            assertThat(rowMap(b.bonds(), p)).as(at).isEqualTo(relabel(rowMap(a.bonds(), i), perm));
        }
    }

    /**
     * Validators holding under kappa of the stake submit any weights they like; the rest submit one honest row.
     * Then no miner's consensus exceeds the honest weight, and no miner's rank (stake-weighted clipped weight, what
     * incentive normalises) exceeds it either: inflating weights buys nothing. (Lowering weights on competitors can
     * still shift the normalised incentive; subtensor's clipping is one-sided, see #1868.)
     */
    @Property(tries = 300)
    void aMinorityBelowKappaCannotLiftConsensusOrRankAboveTheHonestWeight(@ForAll @LongRange long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int validators = 3 + rng.nextInt(8);
        int miners = 2 + rng.nextInt(8);
        int n = validators + miners;
        int colluders = 1 + rng.nextInt(validators - 1);
        long[] stake = new long[n];
        long honestStake = 0;
        for (int i = colluders; i < validators; i++) honestStake += stake[i] = 1 + rng.nextLong(1_000_000_000L);
        // colluders hold at most 45% of all stake: strictly under kappa = 0.5
        long colluderBudget = honestStake * 45 / 55;
        for (int i = 0; i < colluders; i++) stake[i] = Math.max(0, colluderBudget / colluders - rng.nextLong(1 + colluderBudget / (4L * colluders)));
        int[] honestRow = new int[miners];
        for (int j = 0; j < miners; j++) honestRow[j] = rng.nextInt(M + 1);
        honestRow[rng.nextInt(miners)] = M;
        int[][] cols = new int[n][];
        int[][] vals = new int[n][];
        for (int i = 0; i < n; i++) {
            if (i < validators) {
                cols[i] = java.util.stream.IntStream.range(validators, n).toArray();
                vals[i] = new int[miners];
                for (int j = 0; j < miners; j++) vals[i][j] = i < colluders ? rng.nextInt(M + 1) : honestRow[j];
            } else {
                cols[i] = new int[0];
                vals[i] = new int[0];
            }
        }
        boolean[] permit = new boolean[n];
        long[] lastUpdate = new long[n];
        long[] commit = new long[n];
        for (int i = 0; i < n; i++) {
            permit[i] = i < validators;
            lastUpdate[i] = 100;
            commit[i] = EpochState.NO_COMMIT;
        }
        Hyperparameters hp = new Hyperparameters(32_767, 65_535, 900_000, false, 45_875, 58_982, 1000, rng.nextBoolean(),
                validators, 0, false, 360, 13_889);
        EpochState s = new EpochState(hp, 100, 0, 1_000_000_000L, -1, stake, permit, lastUpdate, new long[n], commit,
                new U16Rows(cols, vals), U16Rows.empty(n));
        Map<String, Object> trace = new HashMap<>();
        YumaEpoch.run(s, trace::put);
        SparseMatrix normalized = (SparseMatrix) trace.get("Weights (mask+norm)");
        long[] honest = densify(normalized, validators - 1, n); // the last validator is honest
        long[] consensus = (long[]) trace.get("Consensus");
        long[] ranks = (long[]) trace.get("Ranks");
        for (int j = validators; j < n; j++) {
            assertThat(consensus[j]).as("consensus of miner %d", j).isLessThanOrEqualTo(honest[j]);
            assertThat(ranks[j]).as("rank of miner %d", j).isLessThanOrEqualTo(honest[j]);
        }
    }

    private static long[] densify(SparseMatrix m, int row, int n) {
        long[] d = new long[n];
        for (int k = 0; k < m.cols(row).length; k++) d[m.cols(row)[k]] = m.vals(row)[k];
        return d;
    }

    static EpochState permute(EpochState s, int[] perm) {
        int n = s.n();
        long[] stake = new long[n];
        boolean[] permit = new boolean[n];
        long[] lastUpdate = new long[n];
        long[] registered = new long[n];
        long[] commit = new long[n];
        for (int i = 0; i < n; i++) {
            stake[perm[i]] = s.stake()[i];
            permit[perm[i]] = s.validatorPermit()[i];
            lastUpdate[perm[i]] = s.lastUpdate()[i];
            registered[perm[i]] = s.blockAtRegistration()[i];
            commit[perm[i]] = s.commitBlock()[i];
        }
        return new EpochState(s.hyperparameters(), s.currentBlock(), s.lastMechanismStepBlock(), s.emission(),
                s.ownerUid() < 0 ? -1 : perm[s.ownerUid()], stake, permit, lastUpdate, registered, commit,
                permuteRows(s.weights(), perm), permuteRows(s.bonds(), perm));
    }

    /** Rows moved and columns relabelled, then sorted by column again (the order set_weights callers use). */
    private static U16Rows permuteRows(U16Rows rows, int[] perm) {
        int n = rows.rows();
        int[][] cols = new int[n][];
        int[][] vals = new int[n][];
        for (int i = 0; i < n; i++) {
            TreeMap<Integer, Integer> sorted = new TreeMap<>();
            for (int k = 0; k < rows.cols()[i].length; k++) sorted.put(perm[rows.cols()[i][k]], rows.values()[i][k]);
            cols[perm[i]] = sorted.keySet().stream().mapToInt(Integer::intValue).toArray();
            vals[perm[i]] = sorted.values().stream().mapToInt(Integer::intValue).toArray();
        }
        return new U16Rows(cols, vals);
    }

    private static TreeMap<Integer, Integer> rowMap(U16Rows rows, int i) {
        TreeMap<Integer, Integer> m = new TreeMap<>();
        for (int k = 0; k < rows.cols()[i].length; k++) m.put(rows.cols()[i][k], rows.values()[i][k]);
        return m;
    }

    private static TreeMap<Integer, Integer> relabel(TreeMap<Integer, Integer> row, int[] perm) {
        TreeMap<Integer, Integer> m = new TreeMap<>();
        row.forEach((c, v) -> m.put(perm[c], v));
        return m;
    }

    private static int[] shuffled(int n, SplittableRandom rng) {
        int[] p = java.util.stream.IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static BigInteger u64(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }
}

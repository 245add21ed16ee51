// Epoch time of Hypha's Yuma consensus (hypha-incentives, subtensor's sparse epoch in exact fixed point) at the sizes
// subtensor runs on-chain (256 UIDs, 64 validators: the largest subnet DefaultMaxAllowedUids allows) and at the
// issue's 4,096 UIDs x 64 validators, for each bond model. Run it through bench/yuma-epoch.sh. See bench/README.md.

import dev.hypha.incentives.yuma.EpochResult;
import dev.hypha.incentives.yuma.EpochState;
import dev.hypha.incentives.yuma.Hyperparameters;
import dev.hypha.incentives.yuma.U16Rows;
import dev.hypha.incentives.yuma.YumaEpoch;
import java.util.Arrays;
import java.util.SplittableRandom;

public class YumaEpochBench {
    /** Charged by subtensor for each block's on_initialize, epochs included (pallets/subtensor/src/macros/hooks.rs). */
    static final double SUBTENSOR_ON_INITIALIZE_MS = 110_634_229_000L / 1e9;

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int[][] sizes = {{256, 64}, {4096, 64}};
        System.out.printf("%-22s %6s %5s %9s %10s %10s %8s%n", "model", "uids", "vals", "weights", "median ms", "min ms",
                "x 0.11s");
        for (int[] size : sizes) {
            for (String model : new String[] {"yuma3+liquid-alpha", "yuma3", "classic"}) {
                EpochState state = subnet(size[0], size[1], model, 42);
                // one epoch first so bonds exist, as on a running subnet; then warm up the JIT
                EpochResult first = YumaEpoch.run(state);
                state = withBonds(state, first);
                for (int i = 0; i < 3; i++) YumaEpoch.run(state);
                long[] ns = new long[repeats];
                for (int r = 0; r < repeats; r++) {
                    long t0 = System.nanoTime();
                    YumaEpoch.run(state);
                    ns[r] = System.nanoTime() - t0;
                }
                Arrays.sort(ns);
                double median = ns[repeats / 2] / 1e6;
                long nnz = Arrays.stream(state.weights().cols()).mapToLong(c -> c.length).sum();
                System.out.printf("%-22s %6d %5d %9d %10.1f %10.1f %8.2f%n", model, size[0], size[1], nnz, median,
                        ns[0] / 1e6, median / SUBTENSOR_ON_INITIALIZE_MS);
            }
        }
    }

    /** v validators with stake weighting every miner (dense rows: the heaviest case), miners with no stake. */
    static EpochState subnet(int n, int v, String model, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long[] stake = new long[n];
        boolean[] permit = new boolean[n];
        long[] lastUpdate = new long[n];
        long[] registered = new long[n];
        long[] commit = new long[n];
        Arrays.fill(commit, -1L);
        int[][] wc = new int[n][];
        int[][] wv = new int[n][];
        int[] miners = java.util.stream.IntStream.range(v, n).toArray();
        for (int i = 0; i < n; i++) {
            lastUpdate[i] = 10_000 - rng.nextInt(300);
            registered[i] = rng.nextInt(5_000);
            if (i < v) {
                stake[i] = 1_000_000_000L + rng.nextLong(1_000_000_000_000L);
                permit[i] = true;
                wc[i] = miners;
                wv[i] = new int[miners.length];
                for (int k = 0; k < miners.length; k++) wv[i][k] = rng.nextInt(65536);
            } else {
                wc[i] = new int[0];
                wv[i] = new int[0];
            }
        }
        boolean yuma3 = !model.equals("classic");
        boolean liquid = model.equals("yuma3+liquid-alpha");
        Hyperparameters hp = new Hyperparameters(32_767, 65_535, 900_000, liquid, 45_875, 58_982, 1000, yuma3, v, 0,
                false, 360, 13_889);
        return new EpochState(hp, 10_000, 9_640, 1_000_000_000L, -1, stake, permit, lastUpdate, registered, commit,
                new U16Rows(wc, wv), U16Rows.empty(n));
    }

    static EpochState withBonds(EpochState s, EpochResult r) {
        return new EpochState(s.hyperparameters(), s.currentBlock(), s.lastMechanismStepBlock(), s.emission(),
                s.ownerUid(), s.stake(), r.validatorPermit(), s.lastUpdate(), s.blockAtRegistration(), s.commitBlock(),
                s.weights(), r.bonds());
    }
}

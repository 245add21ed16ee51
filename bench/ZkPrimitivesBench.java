// Prove/verify times of hypha-zk's primitives: Goldilocks multiplication, sumcheck over 2^n, Ligero commitment of 2^n
// values. Run it through bench/zk-primitives.sh. See bench/README.md for the figures and the peers they compare with.

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.pcs.CommittedPolynomial;
import dev.hypha.zk.pcs.EvaluationProof;
import dev.hypha.zk.pcs.LigeroParams;
import dev.hypha.zk.pcs.LigeroProver;
import dev.hypha.zk.pcs.LigeroVerifier;
import dev.hypha.zk.pcs.ProofCodec;
import dev.hypha.zk.poly.Multilinear;
import dev.hypha.zk.sumcheck.SumcheckProver;
import dev.hypha.zk.sumcheck.SumcheckVerifier;
import dev.hypha.zk.transcript.Transcript;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

public class ZkPrimitivesBench {
    interface Step {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        SplittableRandom rng = new SplittableRandom(1);
        System.out.printf("threads: %d (common fork-join pool parallelism %d)%n", Runtime.getRuntime().availableProcessors(),
                java.util.concurrent.ForkJoinPool.commonPool().getParallelism());

        long[] xs = random(rng, 1 << 20);
        double mulNs = median(repeats, () -> {
            long acc = 1;
            for (long x : xs) {
                acc = Goldilocks.mul(acc, x);
            }
            if (acc == 42) System.out.print("");
        }) * 1e6 / xs.length;
        System.out.printf("%-44s %8.2f ns%n", "Goldilocks mul (dependent chain)", mulNs);

        for (int d = 2; d <= 3; d++) {
            List<Multilinear> fs = new ArrayList<>();
            for (int j = 0; j < d; j++) fs.add(Multilinear.ofBase(random(rng, 1 << n)));
            SumcheckProver.Output[] out = new SumcheckProver.Output[1];
            double prove = median(repeats, () -> out[0] = SumcheckProver.prove(fs, new Transcript("bench")));
            int degree = d;
            double verify = median(repeats, () -> SumcheckVerifier.verify(n, degree, out[0].claim(), out[0].proof(),
                    new Transcript("bench")));
            System.out.printf("%-44s %8.1f ms prove %8.3f ms verify %6d B%n",
                    "sumcheck 2^" + n + ", product of " + d, prove, verify, n * (d + 1) * 16);
        }

        for (int rate = 1; rate <= 3; rate++) {
            long[] values = random(rng, 1 << n);
            LigeroParams params = LigeroParams.forVariables(n, rate);
            Ext2[] point = new Ext2[n];
            for (int i = 0; i < n; i++) point[i] = new Ext2(Goldilocks.fromUnsigned(rng.nextLong()), 0);
            CommittedPolynomial[] c = new CommittedPolynomial[1];
            double commit = median(repeats, () -> c[0] = CommittedPolynomial.commit(values, params));
            LigeroProver.Opening[] o = new LigeroProver.Opening[1];
            double open = median(repeats, () -> o[0] = LigeroProver.open(c[0], point, new Transcript("bench")));
            byte[] bytes = ProofCodec.encode(o[0].proof(), params);
            double verify = median(repeats, () -> {
                EvaluationProof p = ProofCodec.decode(bytes, params);
                LigeroVerifier.verify(c[0].commitment(), point, o[0].value(), p, new Transcript("bench"));
            });
            System.out.printf("%-44s %8.1f ms commit %8.1f ms open %8.1f ms verify %8d B (%d x %d, %d queries)%n",
                    "ligero 2^" + n + ", rate 1/" + (1 << rate), commit, open, verify, bytes.length, params.rows(),
                    params.codewordLength(), params.queries());
        }
    }

    static long[] random(SplittableRandom rng, int size) {
        long[] v = new long[size];
        for (int i = 0; i < size; i++) v[i] = Goldilocks.fromUnsigned(rng.nextLong());
        return v;
    }

    /** Two warm-up runs, then the median of {@code repeats} timed runs, in milliseconds. */
    static double median(int repeats, Step step) throws Exception {
        for (int i = 0; i < 2; i++) step.run();
        double[] ms = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            step.run();
            ms[r] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[repeats / 2];
    }
}

// Prove/verify times of hypha-zk's primitives: Goldilocks multiplication, sumcheck over 2^n, Ligero commitment of 2^n
// values. Run it through bench/zk-primitives.sh. See bench/README.md for the figures and the peers they compare with.

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.gkr.DenseLayer;
import dev.hypha.zk.gkr.DenseLayerProof;
import dev.hypha.zk.gkr.DenseLayerProver;
import dev.hypha.zk.gkr.DenseLayerVerifier;
import dev.hypha.zk.lookup.LogUpProof;
import dev.hypha.zk.lookup.RangeLookup;
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
        long[] ys = random(rng, 1 << 20);
        long[] zs = new long[1 << 20];
        for (int warm = 0; warm < 20; warm++) {
            for (int i = 0; i < xs.length; i++) zs[i] = Goldilocks.mul(xs[i], ys[i]);
        }
        double mulNs = median(repeats, () -> {
            for (int i = 0; i < xs.length; i++) zs[i] = Goldilocks.mul(xs[i], ys[i]);
        }) * 1e6 / xs.length;
        System.out.printf("%-44s %8.2f ns%n", "Goldilocks mul (independent, throughput)", mulNs);

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

        denseLayer(rng, repeats);
        for (int bits : new int[] {8, 16}) {
            rangeLookup(rng, repeats, 18, bits);
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

    /** The Fashion-MNIST MLP's first layer, 784 int8 inputs -> 256 accumulators, with random int8 weights. */
    static void denseLayer(SplittableRandom rng, int repeats) throws Exception {
        DenseLayer layer = new DenseLayer(784, 256);
        long[] w = new long[784 * 256];
        for (int i = 0; i < w.length; i++) w[i] = rng.nextInt(255) - 127;
        long[] x = new long[784];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextInt(128);
        long[] b = new long[256];
        long[] y = new long[256];
        for (int o = 0; o < 256; o++) {
            long s = b[o];
            for (int i = 0; i < 784; i++) s += w[o * 784 + i] * x[i];
            y[o] = s;
        }
        long[] table = layer.weightTable(w);
        CommittedPolynomial[] c = new CommittedPolynomial[1];
        double commit = median(repeats, () -> c[0] = CommittedPolynomial.commit(table, layer.weightParams()));
        DenseLayerProof[] proof = new DenseLayerProof[1];
        double prove = median(repeats, () -> proof[0] = DenseLayerProver.prove(layer, table, c[0], x, b, y,
                new Transcript("bench")));
        double verify = median(repeats, () -> DenseLayerVerifier.verify(layer, c[0].commitment(), x, b, y, proof[0],
                new Transcript("bench")));
        long size = layer.inVars() * 3L * 16 + 16 + layer.weightParams().proofBytes();
        System.out.printf("%-44s %8.1f ms commit %8.1f ms prove  %8.1f ms verify %8d B (weights committed once per model)%n",
                "dense layer 784 -> 256 (int8)", commit, prove, verify, size);
    }

    /**
     * A LogUp range lookup (docs/ZK.md "LogUp lookups") of 2^n values into [0, 2^bits): the fraction sums' GKR, prove
     * and verify, without the commitment (the column and multiplicities join the witness table's one commitment). The
     * size is the proof's messages: per tree 2 roots and, per layer k, 4·k sumcheck values and 4 children.
     */
    static void rangeLookup(SplittableRandom rng, int repeats, int n, int bits) throws Exception {
        long[] column = new long[1 << n];
        for (int i = 0; i < column.length; i++) column[i] = rng.nextInt(1 << bits);
        long[] m = RangeLookup.multiplicities(column, bits);
        LogUpProof[] proof = new LogUpProof[1];
        double prove = median(repeats, () -> proof[0] = RangeLookup.prove(column, bits, m, new Transcript("bench")).proof());
        double verify = median(repeats, () -> RangeLookup.verify(n, bits, proof[0], new Transcript("bench"), "bench"));
        long size = 16L * (treeValues(n) + treeValues(bits));
        System.out.printf("%-44s %8.1f ms prove  %8.3f ms verify %8d B (commits 2^%d + 2^%d entries; bits: 2^%d)%n",
                "logup 2^" + n + " values in [0, 2^" + bits + ")", prove, verify, size, n, bits,
                n + Integer.numberOfTrailingZeros(Integer.highestOneBit(bits)));
    }

    /** Extension values in one fraction-sum tree's proof over 2^n leaves. */
    static long treeValues(int n) {
        long values = 2;
        for (int k = 0; k < n; k++) values += 4L * k + 4;
        return values;
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

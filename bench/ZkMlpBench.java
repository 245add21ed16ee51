// Whole-MLP proof of hypha-zk (issue 14): prove and verify times, proof size and the prover's overhead over plain int8
// inference, for an int8 MLP of the Fashion-MNIST example's shape (784 -> 256 -> relu -> 10) by default. Run it through
// bench/zk-mlp.sh. See bench/README.md for the figures and the peers they compare with.

import dev.hypha.zk.mlp.Int8Mlp;
import dev.hypha.zk.mlp.MlpProofFile;
import dev.hypha.zk.mlp.MlpProver;
import dev.hypha.zk.mlp.MlpTables;
import dev.hypha.zk.mlp.MlpTrace;
import dev.hypha.zk.mlp.MlpVerifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

public class ZkMlpBench {
    public static void main(String[] args) throws Exception {
        int hidden = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        SplittableRandom rng = new SplittableRandom(1);
        Int8Mlp model = model(rng, new int[] {784, hidden, 10});
        System.out.printf("threads: %d; model 784 -> %d -> 10, %,d weights%n", Runtime.getRuntime().availableProcessors(),
                hidden, 784 * hidden + hidden * 10);
        byte[][] images = new byte[repeats + 2][784];
        for (byte[] image : images) {
            rng.nextBytes(image);
        }
        double[] prove = new double[repeats];
        double[] verify = new double[repeats];
        double[] infer = new double[repeats];
        double[] commitModel = new double[repeats];
        int size = 0;
        for (int i = 0; i < images.length; i++) {
            byte[] image = images[i];
            long t0 = System.nanoTime();
            for (int k = 0; k < 100; k++) {
                MlpTrace.of(model, image);
            }
            long t1 = System.nanoTime();
            MlpProver.Result r = MlpProver.prove(model, "bench", image, s -> { });
            long t2 = System.nanoTime();
            byte[] bytes = new MlpProofFile(r.statement(), r.proof()).encode();
            long t3 = System.nanoTime();
            MlpProofFile back = MlpProofFile.decode(bytes);
            MlpVerifier.verify(back.statement(), back.proof());
            long t4 = System.nanoTime();
            MlpTables.modelCommitment(model);
            long t5 = System.nanoTime();
            if (i >= 2) { // two warm-ups
                infer[i - 2] = (t1 - t0) / 100 / 1e6;
                prove[i - 2] = (t2 - t1) / 1e6;
                verify[i - 2] = (t4 - t3) / 1e6;
                commitModel[i - 2] = (t5 - t4) / 1e6;
                size = bytes.length;
            }
        }
        double p = median(prove);
        double inf = median(infer);
        System.out.printf("int8 inference (plain)      %8.3f ms%n", inf);
        System.out.printf("prove (incl. committing)    %8.1f ms   overhead %.0fx plain inference%n", p, p / inf);
        System.out.printf("  of which model commitment %8.1f ms   (once per model; a prover may keep it)%n", median(commitModel));
        System.out.printf("verify (decode + verify)    %8.1f ms%n", median(verify));
        System.out.printf("proof size                  %,8d bytes%n", size);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** A random int8 MLP whose requantization keeps hidden activations spread over 0..127 (as a trained one does). */
    static Int8Mlp model(SplittableRandom rng, int[] sides) {
        List<Int8Mlp.Layer> layers = new ArrayList<>();
        for (int l = 0; l + 1 < sides.length; l++) {
            int in = sides[l];
            int out = sides[l + 1];
            byte[] w = new byte[in * out];
            for (int i = 0; i < w.length; i++) {
                w[i] = (byte) (rng.nextInt(255) - 127);
            }
            long[] b = new long[out];
            for (int o = 0; o < out; o++) {
                b[o] = rng.nextLong(-20_000, 20_000);
            }
            boolean last = l + 2 == sides.length;
            double real = 100.0 / (127.0 * 64 * Math.sqrt(in) / 3);
            int shift = 0;
            while (real < 1 << 14) {
                real *= 2;
                shift++;
            }
            layers.add(new Int8Mlp.Layer(in, out, w, b, last ? null : new Int8Mlp.Requant((int) Math.round(real), shift, true)));
        }
        return new Int8Mlp(layers);
    }
}

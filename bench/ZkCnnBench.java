// Whole-CNN proof of hypha-zk (issue 14): prove and verify times, proof size and the prover's overhead over plain int8
// inference, for an int8 CNN of examples/fashion-mnist-cnn.toml's shape (1x28x28 -> conv 3x3 16 + relu + maxpool 2 ->
// conv 3x3 32 + relu + maxpool 2 -> 1568 -> 128 -> 10, 206,922 parameters) with random weights. Run it through
// bench/zk-cnn.sh. See bench/README.md for the figures and the peers they compare with.

import dev.hypha.zk.cnn.CnnProofFile;
import dev.hypha.zk.cnn.CnnProver;
import dev.hypha.zk.cnn.CnnTables;
import dev.hypha.zk.cnn.CnnTrace;
import dev.hypha.zk.cnn.CnnVerifier;
import dev.hypha.zk.cnn.Int8Cnn;
import dev.hypha.zk.mlp.Int8Mlp;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

public class ZkCnnBench {
    public static void main(String[] args) throws Exception {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        SplittableRandom rng = new SplittableRandom(1);
        Int8Cnn model = new Int8Cnn(1, 28, 28, List.of(conv(rng, 1, 16), conv(rng, 16, 32)), new Int8Mlp(List.of(
                dense(rng, 1568, 128, requant(1568, 40)), dense(rng, 128, 10, null))));
        long params = 16 * 9 + 16 + 32 * 144 + 32 + 1568 * 128 + 128 + 128 * 10 + 10;
        System.out.printf("threads: %d; Fashion-MNIST CNN shape, %,d parameters%n", Runtime.getRuntime().availableProcessors(),
                params);
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
            for (int k = 0; k < 20; k++) {
                CnnTrace.of(model, image);
            }
            long t1 = System.nanoTime();
            CnnProver.Result r = CnnProver.prove(model, "bench", image, s -> { });
            long t2 = System.nanoTime();
            byte[] bytes = new CnnProofFile(r.statement(), r.proof()).encode();
            long t3 = System.nanoTime();
            CnnProofFile back = CnnProofFile.decode(bytes);
            CnnVerifier.verify(back.statement(), back.proof());
            long t4 = System.nanoTime();
            CnnTables.modelCommitment(model);
            long t5 = System.nanoTime();
            if (i >= 2) { // two warm-ups
                infer[i - 2] = (t1 - t0) / 20 / 1e6;
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
        dev.hypha.zk.circuit.BlockLayout witness = dev.hypha.zk.cnn.CnnShape.of(model).witnessLayout();
        System.out.printf("witness table               %,8d entries used of 2^%d%n", witness.used(), witness.numVars());
        // what an on-chain verifier would take as calldata for the two Ligero openings (docs/ZK.md "CNN")
        dev.hypha.zk.cnn.CnnShape shape = dev.hypha.zk.cnn.CnnShape.of(model);
        System.out.printf("openings: witness %,d bytes, model %,d bytes%n", shape.witnessParams().proofBytes(),
                shape.modelParams().proofBytes());
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static Int8Cnn.Conv conv(SplittableRandom rng, int in, int out) {
        byte[] w = new byte[out * in * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (rng.nextInt(255) - 127);
        }
        long[] b = new long[out];
        for (int o = 0; o < out; o++) {
            b[o] = rng.nextLong(-2_000, 2_000);
        }
        return new Int8Cnn.Conv(in, out, 3, 1, 2, w, b, requant(in * 9, 127));
    }

    static Int8Mlp.Layer dense(SplittableRandom rng, int in, int out, Int8Mlp.Requant rq) {
        byte[] w = new byte[in * out];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (rng.nextInt(255) - 127);
        }
        long[] b = new long[out];
        for (int o = 0; o < out; o++) {
            b[o] = rng.nextLong(-20_000, 20_000);
        }
        return new Int8Mlp.Layer(in, out, w, b, rq);
    }

    /** A ReLU requantization that maps accumulators of fan-in inputs of typical size {@code input} to about ±100. */
    static Int8Mlp.Requant requant(int fanIn, int input) {
        double real = 100.0 / (input * 64.0 * Math.sqrt(fanIn) / 3);
        int shift = 0;
        while (real < 1 << 14) {
            real *= 2;
            shift++;
        }
        return new Int8Mlp.Requant((int) Math.round(real), shift, true);
    }
}

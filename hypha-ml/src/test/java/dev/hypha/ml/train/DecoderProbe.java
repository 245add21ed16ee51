package dev.hypha.ml.train;

import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.tensor.VectorConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * A tiny transformer's training run in its own JVM for {@link DecoderDeterminismTest}: {@code THREADS}. Prints the
 * SIMD width, then after every step the SHA-256 of all weights, and the loss bits.
 */
public final class DecoderProbe {
    /** Head length 10 and width 40: every dot product has a vector part and a tail. */
    static final DecoderConfig CONFIG = new DecoderConfig(Architecture.LLAMA, 40, 72, 2, 4, 2, 10, 37, 64, 1e-5f, 10000f);
    static final int LENGTH = 12;
    static final int SEQUENCES = 3;
    static final int STEPS = 5;

    public static void main(String[] args) throws Exception {
        System.out.println("vectorBits=" + VectorConfig.BITS);
        try (Parallel parallel = new Parallel(Integer.parseInt(args[0]))) {
            Decoder decoder = Decoder.initialize(CONFIG, 42);
            DecoderTraining training = new DecoderTraining(decoder, new FloatMatMul(parallel), LENGTH, 0.1f, 1.0f);
            for (int step = 0; step < STEPS; step++) {
                float loss = training.step(batch(step), 3e-3f, step);
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                for (Tensor t : decoder.parameters()) {
                    ByteBuffer b = ByteBuffer.allocate(t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(t.data());
                    sha.update(b.array());
                }
                System.out.println("step " + step + " loss " + Integer.toHexString(Float.floatToRawIntBits(loss)) + " "
                        + HexFormat.of().formatHex(sha.digest()));
            }
        }
    }

    /** Step {@code step}'s windows: seeded tokens with a repeating pattern to learn. */
    static int[] batch(long step) {
        SplittableRandom r = Seeds.stream(7, Seeds.SHUFFLE, step);
        int[] w = new int[SEQUENCES * (LENGTH + 1)];
        for (int i = 0; i < w.length; i++) {
            w[i] = i % 3 == 0 ? r.nextInt(CONFIG.vocabSize()) : (w[i - 1] * 5 + 1) % CONFIG.vocabSize();
        }
        return w;
    }
}

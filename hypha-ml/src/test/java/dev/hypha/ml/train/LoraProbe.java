package dev.hypha.ml.train;

import dev.hypha.ml.llm.LoraTarget;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.tensor.VectorConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.HexFormat;

/**
 * A LoRA run over {@link DecoderProbe}'s frozen decoder (head length 10, width 40: dot products with tails) in its own
 * JVM for {@link LoraDeterminismTest}: {@code THREADS}. Prints the SIMD width, then per step the loss bits and the
 * SHA-256 of the adapter.
 */
public final class LoraProbe {
    public static void main(String[] args) throws Exception {
        System.out.println("vectorBits=" + VectorConfig.BITS);
        try (Parallel parallel = new Parallel(Integer.parseInt(args[0]))) {
            Decoder base = LoraTestModels.frozen(DecoderProbe.CONFIG, 42);
            LoraWeights adapter = LoraWeights.initialize(DecoderProbe.CONFIG, new LoraSettings(3, 6f, EnumSet.allOf(LoraTarget.class)), 5);
            LoraTraining training = new LoraTraining(base, adapter, new FloatMatMul(parallel), DecoderProbe.LENGTH, 0f, 1.0f);
            for (int step = 0; step < DecoderProbe.STEPS; step++) {
                float loss = training.step(DecoderProbe.batch(step), 1e-2f, step);
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                for (Tensor t : adapter.parameters()) {
                    ByteBuffer b = ByteBuffer.allocate(t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(t.data());
                    sha.update(b.array());
                }
                System.out.println("step " + step + " loss " + Integer.toHexString(Float.floatToRawIntBits(loss)) + " "
                        + HexFormat.of().formatHex(sha.digest()));
            }
        }
    }
}

package dev.hypha.ml.llm;

import dev.hypha.ml.gguf.GgufFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Run in a separate JVM by {@link CrossWidthDeterminismTest}: loads a GGUF model in deterministic mode with the given
 * thread count, processes a fixed prompt, generates greedily, and prints a SHA-256 of every logit bit and token.
 */
public final class DeterminismProbe {
    private DeterminismProbe() {}

    public static void main(String[] args) throws Exception {
        System.out.println("vectorBits=" + dev.hypha.ml.tensor.VectorConfig.BITS);
        System.out.println(fingerprint(Path.of(args[0]), Integer.parseInt(args[1])));
    }

    static String fingerprint(Path model, int threads) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (GgufFile file = GgufFile.open(model);
             Model m = Model.load(file, new Model.Options(threads, true, 5))) {
            Session s = m.newSession(64);
            float[] logits = s.process(new int[] {1, 7, 30, 2, 19, 44, 3, 8, 61, 5, 12});
            for (int step = 0; step < 8; step++) {
                ByteBuffer buf = ByteBuffer.allocate(logits.length * 4);
                buf.asFloatBuffer().put(logits);
                sha.update(buf.array());
                int next = dev.hypha.ml.sampling.Sampler.argmax(logits);
                sha.update((byte) next);
                logits = s.process(new int[] {next});
            }
            float[] emb = new Embedder(m).embed(new int[] {4, 9, 16});
            ByteBuffer buf = ByteBuffer.allocate(emb.length * 4);
            buf.asFloatBuffer().put(emb);
            sha.update(buf.array());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}

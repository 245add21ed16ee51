package dev.hypha.ml.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.Session;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.testmodel.TestVocabularies;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A decoder trained a few steps by the training engine and written by {@link DecoderGguf} loads in the inference
 * engine ({@code llm.Model}) and gives, token after token, exactly the logits the training forward pass computes:
 * the same dot products, softmax, RMSNorm, RoPE and SiLU in the same order, so the bits agree.
 */
class DecoderInferenceAgreementTest {
    @TempDir
    Path dir;

    @Test
    void trainedDecoderGivesTheInferenceEnginesLogitsBitForBit() {
        // dims multiples of 32 only where llama.cpp wants them; head length 16 and 4 query heads over 2 KV heads
        DecoderConfig c = new DecoderConfig(Architecture.LLAMA, 64, 96, 2, 4, 2, 16, 400, 128, 1e-5f, 10000f);
        Decoder decoder = Decoder.initialize(c, 3);
        int length = 20;
        try (Parallel parallel = new Parallel(2)) {
            FloatMatMul gemm = new FloatMatMul(parallel);
            DecoderTraining training = new DecoderTraining(decoder, gemm, length, 0.1f, 1.0f);
            SplittableRandom r = new SplittableRandom(11);
            for (int step = 0; step < 3; step++) {
                int[] windows = new int[4 * (length + 1)];
                Arrays.setAll(windows, i -> r.nextInt(c.vocabSize()));
                training.step(windows, 1e-2f, step);
            }
            int[] prompt = new int[length];
            Arrays.setAll(prompt, i -> r.nextInt(c.vocabSize()));
            float[] trained = decoder.forward(Forward.evaluation(gemm), prompt, decoder.rope(length), length).data();

            Path file = dir.resolve("tiny.gguf");
            DecoderGguf.write(decoder, "hypha-tiny-test", TestVocabularies.sentencePiece(c.vocabSize()), file);
            try (GgufFile gguf = GgufFile.open(file)) {
                Model model = Model.load(gguf, new Model.Options(2, true, 8));
                assertThat(model.config()).isEqualTo(c.modelConfig());
                Session session = model.newSession(length);
                for (int t = 0; t < length; t++) {
                    float[] served = session.process(new int[] {prompt[t]});
                    float[] expected = Arrays.copyOfRange(trained, t * c.vocabSize(), (t + 1) * c.vocabSize());
                    assertThat(served).as("logits after token %d", t).isEqualTo(expected);
                }
            }
        }
    }
}

package dev.hypha.ml.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.GgufModelSource;
import dev.hypha.ml.llm.LoraMerge;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.Session;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.testmodel.TestVocabularies;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An adapter written by {@link LoraAdapterGguf} and applied by the inference engine gives, token after token, exactly
 * the logits of the training forward pass with the adapter; the merged model ({@link LoraMerge}) gives the same
 * greedy tokens as base plus adapter.
 */
class LoraInferenceAgreementTest {
    static final int LENGTH = 20;

    @TempDir
    Path dir;

    @Test
    void servedAdapterGivesTheTrainingLogitsBitForBitAndTheMergedModelItsGreedyTokens() {
        DecoderConfig c = LoraTestModels.CONFIG;
        Decoder base = LoraTestModels.frozen(c, 3);
        LoraWeights adapter = LoraTestModels.randomAdapter(c, 4, 8f, 2, 0.2f);
        Path baseFile = dir.resolve("base.gguf");
        Path adapterFile = dir.resolve("adapter.gguf");
        DecoderGguf.write(base, "base", TestVocabularies.sentencePiece(c.vocabSize()), baseFile);
        LoraAdapterGguf.write(adapter, c.architecture(), "adapter", adapterFile);
        int[] prompt = new int[LENGTH];
        SplittableRandom r = new SplittableRandom(4);
        Arrays.setAll(prompt, i -> r.nextInt(c.vocabSize()));
        float[] trained;
        float[] plain;
        try (Parallel parallel = new Parallel(2)) {
            FloatMatMul gemm = new FloatMatMul(parallel);
            trained = base.forward(Forward.evaluation(gemm), prompt, base.rope(LENGTH), LENGTH, adapter.projection()).data();
            plain = base.forward(Forward.evaluation(gemm), prompt, base.rope(LENGTH), LENGTH).data();
        }
        assertThat(trained).as("the adapter changes the logits").isNotEqualTo(plain);
        Model.Options options = new Model.Options(2, true, 8);
        int[] adapted;
        try (GgufFile g = GgufFile.open(baseFile); GgufFile a = GgufFile.open(adapterFile);
             Model model = Model.load(new GgufModelSource(g), a, options)) {
            Session session = model.newSession(LENGTH);
            for (int t = 0; t < LENGTH; t++) {
                float[] served = session.process(new int[] {prompt[t]});
                assertThat(served).as("logits after token %d", t)
                        .isEqualTo(Arrays.copyOfRange(trained, t * c.vocabSize(), (t + 1) * c.vocabSize()));
            }
            adapted = greedy(model, prompt);
            Path merged = dir.resolve("merged.gguf");
            LoraMerge.write(g, model.adapter(), "merged", merged);
            try (GgufFile m = GgufFile.open(merged); Model mergedModel = Model.load(m, options)) {
                assertThat(m.requireTensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.F32);
                assertThat(m.requireTensor("token_embd.weight").data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                        .isEqualTo(g.requireTensor("token_embd.weight").data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                assertThat(greedy(mergedModel, prompt)).as("merged greedy tokens").containsExactly(adapted);
            }
        }
        try (GgufFile g = GgufFile.open(baseFile); Model model = Model.load(g, options)) {
            assertThat(greedy(model, prompt)).as("the base alone decodes differently").isNotEqualTo(adapted);
        }
    }

    static int[] greedy(Model model, int[] prompt) {
        Session session = model.newSession(prompt.length + 24);
        float[] logits = session.process(prompt);
        int[] out = new int[24];
        for (int i = 0; i < out.length; i++) {
            int best = 0;
            for (int v = 1; v < logits.length; v++) {
                if (logits[v] > logits[best]) {
                    best = v;
                }
            }
            out[i] = best;
            if (i + 1 < out.length) {
                logits = session.process(new int[] {best});
            }
        }
        return out;
    }
}

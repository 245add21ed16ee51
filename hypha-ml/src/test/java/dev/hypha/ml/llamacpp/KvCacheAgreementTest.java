package dev.hypha.ml.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.KvCache;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.Session;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A KV cache in F16 or Q8_0 decodes as llama.cpp's {@code -ctk/-ctv f16|q8_0} does: the same 32 greedy tokens and the
 * logits of llama.cpp's top 16 within {@value #TOLERANCE} at every step (llama.cpp's Q8_0 value cache needs its flash
 * attention, which runs there too), while the cache takes half (F16) or 34/128 (Q8_0) of the F32 cache's memory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvCacheAgreementTest {
    static final int STEPS = 32;
    static final int CONTEXT = 256;
    static final double TOLERANCE = 0.25;

    @TempDir
    Path dir;
    LlamaCppDriver llama;

    @BeforeAll
    void start() {
        llama = LlamaCppDriver.start();
    }

    @AfterAll
    void stop() {
        llama.close();
    }

    @ParameterizedTest(name = "{0} weights, {1} cache")
    @CsvSource({"F32, F16", "Q8_0, F16", "F32, Q8_0", "Q8_0, Q8_0"})
    void sameTokensAsLlamaCppWithTheSameCacheType(GgmlType weights, KvCache.Type cacheType) {
        TokenizerConfig vocab = TestVocabularies.sentencePiece(2000);
        Path file = AgreementModels.write(dir, AgreementModels.spec(Architecture.LLAMA, weights, vocab.size(), 42), vocab);
        int[] prompt;
        List<float[]> ourLogits = new ArrayList<>();
        List<Integer> ours = new ArrayList<>();
        long f32Bytes;
        long bytes;
        try (GgufFile gguf = GgufFile.open(file); Model model = Model.load(gguf, Model.Options.defaults().withThreads(2))) {
            prompt = Tokenizer.fromGguf(gguf).encode(GreedyAgreementTest.PROMPT, true, false);
            Session session = model.newSession(CONTEXT, cacheType);
            float[] logits = session.process(prompt);
            for (int step = 0; step < STEPS; step++) {
                ourLogits.add(logits);
                int next = GreedyAgreementTest.argmax(logits);
                ours.add(next);
                logits = session.process(new int[] {next});
            }
            f32Bytes = new KvCache(model.config(), CONTEXT).byteSize();
            bytes = new KvCache(model.config(), CONTEXT, cacheType).byteSize();
        }
        assertThat((double) bytes / f32Bytes).isEqualTo(cacheType == KvCache.Type.F16 ? 0.5 : 34.0 / 128);

        llama.load(file, 1, CONTEXT, cacheType.name(), cacheType == KvCache.Type.Q8_0);
        LlamaCppDriver.Greedy theirs = llama.greedy(prompt, STEPS, 16);
        double worst = 0;
        StringBuilder perStep = new StringBuilder();
        for (int step = 0; step < Math.min(ours.size(), theirs.tokens().length); step++) {
            float[] logits = ourLogits.get(step);
            float max = logits[GreedyAgreementTest.argmax(logits)];
            int[] ids = theirs.topTokens().get(step);
            double[] gaps = theirs.topLogitGaps().get(step);
            double stepWorst = 0;
            for (int i = 0; i < ids.length; i++) {
                stepWorst = Math.max(stepWorst, Math.abs((logits[ids[i]] - max) - gaps[i]));
            }
            worst = Math.max(worst, stepWorst);
            perStep.append(String.format(Locale.ROOT, " %.4f", stepWorst));
            if (ours.get(step) != theirs.tokens()[step]) {
                break;
            }
        }
        System.out.printf("%s weights, %s KV cache (%d of %d bytes): largest logit difference %.5f; per step:%s%n",
                weights, cacheType, bytes, f32Bytes, worst, perStep);
        assertThat(ours).as("greedy tokens").containsExactly(java.util.Arrays.stream(theirs.tokens()).boxed().toArray(Integer[]::new));
        assertThat(worst).isLessThan(TOLERANCE);
    }
}

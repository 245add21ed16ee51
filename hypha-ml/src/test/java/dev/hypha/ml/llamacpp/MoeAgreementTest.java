package dev.hypha.ml.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.ModelConfig;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Mixture-of-experts random models decoded greedily by our engine and by llama.cpp (see
 * {@link GreedyAgreementTest#assertSameGreedyDecoding}): qwen3moe (per-head q/k norms, 8 experts of 256, 2 used, a
 * dense {@code feed_forward_length} that is not used) and a Mixtral-style llama (8 experts, 2 used, each as wide as
 * {@code feed_forward_length}). Same 32 tokens; logits of llama.cpp's top 16 within
 * {@value GreedyAgreementTest#FLOAT_TOLERANCE} in F32 and {@value GreedyAgreementTest#QUANT_TOLERANCE} for Q8_0/Q4_K.
 * The router's logits are spread widely ({@code RandomModelFactory}), so tokens choose different experts and a wrong
 * routing rule (no renormalization, ascending order, softmax over the chosen only with another scale) shows at once.
 *
 * <p>Measured (2026-12-07), largest top-5 difference over the 32 steps: F32 within 1e-5 and Q4_K exactly 0 for both;
 * llama Q8_0 0 (0.020 at one step from the long prompt: one Q8 rounding flip), qwen3moe Q8_0 exact but at one step
 * (0.042). From the 40-token
 * {@link GemmaAgreementTest#LONG_PROMPT} qwen3moe Q8_0 differs at every step (0.03-0.09) and parts from llama.cpp's
 * tokens at step 26; that is not the experts: the dense qwen3 of the same shape does the same from that prompt
 * (0.01-0.11 at every step), the llama MoE does not, and a 3-token prompt agrees exactly. It is the qwen-family Q8_0
 * gap after a long first batch described in {@link GreedyAgreementTest}; that case is held to the near-tie rule
 * after {@value #LONG_SAME_TOKENS} identical tokens. gpt-oss from the long prompt: F32 1e-5, MXFP4 0, Q8_0 0.005 (one
 * rounding flip), the same 32 tokens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MoeAgreementTest {
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

    /** dim 256, 2 layers, 8 query heads over 4 KV heads of 32, context 512, 8 experts of which 2 run per token. */
    static RandomModelFactory.Spec moe(Architecture arch, GgmlType type, int vocabSize) {
        int expertFfn = 256;
        int denseFfn = arch == Architecture.QWEN3MOE ? 768 : expertFfn;
        return new RandomModelFactory.Spec(arch, 256, denseFfn, 2, 8, 4, 32, vocabSize, 512, type, false, 42, 0,
                new ModelConfig.Experts(8, 2, expertFfn));
    }

    static final int LONG_SAME_TOKENS = 16;

    /**
     * gpt-oss: dim 256, 4 layers (local, global, local, global) with a window of {@value GemmaAgreementTest#WINDOW}
     * positions, 8 query heads over 4 KV heads of 32 with biases and attention sinks, 8 biased experts of 256, 2 used.
     */
    static RandomModelFactory.Spec gptOss(GgmlType type, int vocabSize) {
        return new RandomModelFactory.Spec(Architecture.GPT_OSS, 256, 256, 4, 8, 4, 32, vocabSize, 512, type, false, 42,
                GemmaAgreementTest.WINDOW, new ModelConfig.Experts(8, 2, 256, ModelConfig.Experts.Style.GPT_OSS));
    }

    /** gpt-oss from the long prompt, which crosses the sliding window while it is processed and again while decoding. */
    @ParameterizedTest(name = "GPT_OSS {0}")
    @CsvSource({"F32", "Q8_0", "MXFP4"})
    void gptOssSameTokensAndLogits(GgmlType type) {
        TokenizerConfig vocab = TestVocabularies.sentencePiece(2000);
        Path file = AgreementModels.write(dir, gptOss(type, vocab.size()), vocab);
        GreedyAgreementTest.assertSameGreedyDecoding(llama, file, GemmaAgreementTest.LONG_PROMPT, "MOE GPT_OSS " + type,
                type == GgmlType.F32 ? GreedyAgreementTest.FLOAT_TOLERANCE : GreedyAgreementTest.QUANT_TOLERANCE);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
        "QWEN3MOE, F32, SHORT",
        "QWEN3MOE, Q8_0, SHORT",
        "QWEN3MOE, Q4_K, SHORT",
        "LLAMA, F32, SHORT",
        "LLAMA, Q8_0, SHORT",
        "LLAMA, Q4_K, SHORT",
        "QWEN3MOE, F32, LONG",
        "QWEN3MOE, Q8_0, LONG",
        "LLAMA, Q8_0, LONG",
    })
    void sameTokensAndLogits(Architecture arch, GgmlType type, String prompt) {
        TokenizerConfig vocab = TestVocabularies.sentencePiece(2000);
        Path file = AgreementModels.write(dir, moe(arch, type, vocab.size()), vocab);
        try (GgufFile gguf = GgufFile.open(file); Model model = Model.load(gguf, Model.Options.defaults().withThreads(1))) {
            assertThat(model.config().experts()).isEqualTo(new ModelConfig.Experts(8, 2, 256));
        }
        boolean longPrompt = prompt.equals("LONG");
        GreedyAgreementTest.assertSameGreedyDecoding(llama, file,
                longPrompt ? GemmaAgreementTest.LONG_PROMPT : GreedyAgreementTest.PROMPT,
                "MOE " + arch + " " + type + " " + prompt,
                type == GgmlType.F32 ? GreedyAgreementTest.FLOAT_TOLERANCE : GreedyAgreementTest.QUANT_TOLERANCE,
                longPrompt && type != GgmlType.F32 ? LONG_SAME_TOKENS : GreedyAgreementTest.STEPS);
    }
}

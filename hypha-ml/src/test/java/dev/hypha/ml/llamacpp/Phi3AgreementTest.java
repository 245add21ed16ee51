package dev.hypha.ml.llamacpp;

import dev.hypha.ml.llm.Architecture;
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
 * phi3 random models (fused {@code attn_qkv} and gate/up {@code ffn_up}, LongRoPE factors with an attention factor,
 * 3/4 of each head rotated as Phi-4-mini does, GQA) decoded greedily by our engine and by llama.cpp (see
 * {@link GreedyAgreementTest#assertSameGreedyDecoding}): the same 32 tokens, logits of llama.cpp's top 16 within 1e-3 in
 * F32 and {@value GreedyAgreementTest#QUANT_TOLERANCE} for Q8_0/Q6_K/Q4_K. A context of 512 positions exceeds the
 * file's original 256, so both engines use {@code rope_factors_long}; 256 uses {@code rope_factors_short}.
 *
 * <p>F32, Q8_0 and Q6_K agree to the last printed digit. Q4_K does not, and the cause is not found: logits differ by
 * 0.05-0.13 from the first step and the decodings part at a near-tie after a few tokens (so Q4_K is held to
 * {@value #Q4_K_SAME_TOKENS} identical tokens, then the near-tie rule). Ruled out: the fused q/k/v (the same model
 * with separate attn_q/k/v tensors differs identically), matrix sizes (a llama with a 1024-wide FFN in Q4_K agrees
 * exactly), RoPE and the non-matrix parts (exact in F32, Q8_0 and Q6_K, which shares Q4_K's Q8_K activations). A
 * guess, as for Q4_1 in {@link GreedyAgreementTest}: llama.cpp's AMX or repacked Q4_K kernels taking some of these
 * matrices and summing in another order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Phi3AgreementTest {
    static final int Q4_K_SAME_TOKENS = 4;

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

    /** phi3: dim 256, 2 layers, 8 query heads over 4 KV heads of 32 (24 rotated), context 512 (original 256). */
    static RandomModelFactory.Spec phi3(GgmlType type, int vocabSize) {
        return new RandomModelFactory.Spec(Architecture.PHI3, 256, 512, 2, 8, 4, 32, vocabSize, 512, type, false, 42);
    }

    @ParameterizedTest(name = "{0} context {1}")
    @CsvSource({
        "F32, 512",
        "F32, 256",
        "Q8_0, 512",
        "Q6_K, 512",
        "Q4_K, 512",
    })
    void sameTokensAndLogits(GgmlType type, int context) {
        TokenizerConfig vocab = TestVocabularies.sentencePiece(2000);
        Path file = AgreementModels.write(dir, phi3(type, vocab.size()), vocab);
        GreedyAgreementTest.assertSameGreedyDecoding(llama, file, GemmaAgreementTest.LONG_PROMPT, "PHI3 " + type + " ctx " + context,
                type == GgmlType.F32 ? GreedyAgreementTest.FLOAT_TOLERANCE : GreedyAgreementTest.QUANT_TOLERANCE,
                type == GgmlType.Q4_K ? Q4_K_SAME_TOKENS : GreedyAgreementTest.STEPS, context);
    }
}

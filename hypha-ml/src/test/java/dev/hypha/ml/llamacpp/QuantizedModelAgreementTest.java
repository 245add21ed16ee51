package dev.hypha.ml.llamacpp;

import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.quant.FileType;
import dev.hypha.ml.quant.ModelQuantizer;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Files written by {@link ModelQuantizer} (llama-quantize's mixes) load in llama.cpp and in our engine and decode the
 * same greedy tokens, with llama.cpp's top logits within {@link GreedyAgreementTest#QUANT_TOLERANCE}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuantizedModelAgreementTest {
    @TempDir
    static Path dir;
    LlamaCppDriver llama;
    Path f32;

    @BeforeAll
    void start() {
        llama = LlamaCppDriver.start();
        TokenizerConfig vocab = TestVocabularies.sentencePiece(2000);
        f32 = AgreementModels.write(dir, AgreementModels.spec(Architecture.LLAMA, GgmlType.F32, vocab.size(), 42), vocab);
    }

    @AfterAll
    void stop() {
        llama.close();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = FileType.class, names = {"Q4_K_M", "Q3_K_M", "Q2_K", "Q5_K_S"})
    void quantizedFileDecodesTheSameInBothEngines(FileType type) {
        Path out = dir.resolve("llama-" + type.name().toLowerCase() + ".gguf");
        ModelQuantizer.quantize(f32, out, type, false, (done, total) -> { });
        GreedyAgreementTest.assertSameGreedyDecoding(llama, out, "quantized " + type, GreedyAgreementTest.QUANT_TOLERANCE);
    }
}

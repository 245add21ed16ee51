package dev.hypha.ml.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.encoder.EncoderArchitecture;
import dev.hypha.ml.encoder.EncoderModel;
import dev.hypha.ml.encoder.RandomEncoderFactory;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Pooling;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Embedding models agree with llama.cpp (its embedding context, as {@code llama-embedding} uses): random bert and
 * nomic-bert files written by {@link RandomEncoderFactory}, our WordPiece tokenization equal to llama.cpp's id for id,
 * and each input's pooled, normalized embedding with cosine similarity at least {@value #MIN_COSINE} to llama.cpp's
 * (F32: 1 - 1e-7 to 1 - 2e-7, components within 2e-4: llama.cpp's embedding context runs flash attention, which rounds
 * queries and keys to F16; Q8_0: 1 - 3e-5, within 2e-3) and every component within {@value #MAX_COMPONENT_DIFF}
 * ({@value #MAX_COMPONENT_DIFF_Q8} for Q8_0).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EncoderAgreementTest {
    static final double MIN_COSINE = 0.999;
    static final double MAX_COMPONENT_DIFF = 1e-3;
    /** Q8_0 weights multiply Q8_0-rounded activations in both engines; a rounding flip moves a component by ~1e-3. */
    static final double MAX_COMPONENT_DIFF_Q8 = 5e-3;
    static final List<String> TEXTS = List.of(
            "Fortune favours the bold.",
            "The quick brown fox jumps over the lazy dog!",
            "Hello, WORLD: embedding models (all-minilm) & nomic-embed-text; tokens=3+4",
            "naïve café über 中文 tokens\tand\nnewlines",
            "unknownwordxyz qqq embeddings sentences wording");

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

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of(new RandomEncoderFactory.Spec(EncoderArchitecture.BERT, 64, 128, 2, 4, 128, Pooling.MEAN, GgmlType.F32, 11)),
                Arguments.of(new RandomEncoderFactory.Spec(EncoderArchitecture.BERT, 64, 128, 2, 4, 128, Pooling.CLS, GgmlType.F32, 12)),
                Arguments.of(new RandomEncoderFactory.Spec(EncoderArchitecture.BERT, 96, 192, 3, 6, 128, Pooling.MEAN, GgmlType.Q8_0, 13)),
                Arguments.of(new RandomEncoderFactory.Spec(EncoderArchitecture.NOMIC_BERT, 64, 128, 2, 4, 128, Pooling.MEAN, GgmlType.F32, 14)));
    }

    @ParameterizedTest
    @MethodSource("models")
    void tokensAndEmbeddingsAgreeWithLlamaCpp(RandomEncoderFactory.Spec spec) {
        Path file = dir.resolve(spec.architecture().ggufName() + "-" + spec.pooling() + "-" + spec.type() + ".gguf");
        RandomEncoderFactory.write(spec, file);
        try (GgufFile gguf = GgufFile.open(file); EncoderModel model = EncoderModel.load(gguf, 2)) {
            Tokenizer tokenizer = Tokenizer.fromGguf(gguf);
            List<int[]> ours = new ArrayList<>();
            for (String t : TEXTS) {
                ours.add(tokenizer.encode(t, true, false));
            }
            LlamaCppDriver.Embeddings theirs = llama.embed(file, ours, TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                int[] plain = tokenizer.encode(TEXTS.get(i), false, false);
                assertThat(plain).as("tokens of %s", TEXTS.get(i)).containsExactly(theirs.tokens().get(i));
                assertThat(ours.get(i)[0]).isEqualTo(RandomEncoderFactory.CLS);
                assertThat(ours.get(i)[ours.get(i).length - 1]).isEqualTo(RandomEncoderFactory.SEP);
                float[] a = model.embed(ours.get(i));
                float[] b = theirs.vectors().get(i);
                assertThat(b).hasSize(spec.dim());
                double dot = 0;
                double na = 0;
                double nb = 0;
                double maxDiff = 0;
                for (int k = 0; k < a.length; k++) {
                    dot += (double) a[k] * b[k];
                    na += (double) a[k] * a[k];
                    nb += (double) b[k] * b[k];
                    maxDiff = Math.max(maxDiff, Math.abs(a[k] - b[k] / Math.sqrt(nbOf(b))));
                }
                double cosine = dot / Math.sqrt(na * nb);
                System.out.printf("%s %s %s input %d: cosine %.9f, largest difference %.2e%n", spec.architecture(),
                        spec.pooling(), spec.type(), i, cosine, maxDiff);
                assertThat(cosine).as("cosine of input %d", i).isGreaterThanOrEqualTo(MIN_COSINE);
                assertThat(maxDiff).as("largest component difference of input %d", i)
                        .isLessThan(spec.type() == GgmlType.F32 ? MAX_COMPONENT_DIFF : MAX_COMPONENT_DIFF_Q8);
            }
        }
    }

    private static double nbOf(float[] b) {
        double s = 0;
        for (float f : b) {
            s += (double) f * f;
        }
        return s;
    }
}

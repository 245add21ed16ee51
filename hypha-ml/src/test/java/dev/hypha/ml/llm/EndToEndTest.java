package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A random model with a real vocabulary, written to GGUF and run from text to text. */
class EndToEndTest {

    @Test
    void textInTextOutWithAFortunesVocabulary(@TempDir Path dir) {
        var vocab = TestVocabularies.byteLevelBpe(600, TestVocabularies.BpeStyle.QWEN2);
        RandomModelFactory.Spec spec = RandomModelFactory.Spec.tiny(Architecture.QWEN2, GgmlType.Q8_0, vocab.size(), 17);
        Path file = dir.resolve("qwen2-q8_0.gguf");
        RandomModelFactory.write(spec, vocab, file);
        try (GgufFile gguf = GgufFile.open(file); Model model = Model.load(gguf, Model.Options.defaults())) {
            Tokenizer tokenizer = Tokenizer.fromGguf(gguf);
            int[] prompt = tokenizer.encode("Q: What is the meaning of life?\nA:", true, false);
            StringBuilder streamed = new StringBuilder();
            Generator.Result r = new Generator(model.newSession(128), TokenDecoder.of(tokenizer))
                    .generate(prompt, new Generator.Options(20, SamplingOptions.defaults().withSeed(3), List.of()),
                            (token, text) -> streamed.append(text));
            assertThat(r.tokens()).isNotEmpty();
            assertThat(streamed.toString()).isEqualTo(r.text());
            assertThat(r.text()).isEqualTo(tokenizer.decode(r.tokens()));
            float[] e = new Embedder(model).embed(tokenizer.encode("fortune favours the bold", false, false));
            assertThat(e).hasSize(model.config().dim());
        }
    }
}

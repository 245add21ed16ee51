package dev.hypha.ml.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Pooling;
import dev.hypha.ml.tokenizer.Tokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The encoder on random files: WordPiece as llama.cpp splits, determinism, and hostile inputs refused by name. */
class EncoderModelTest {
    @TempDir
    Path dir;

    private Path write(EncoderArchitecture arch, Pooling pooling) {
        Path file = dir.resolve(arch.ggufName() + "-" + pooling + ".gguf");
        RandomEncoderFactory.write(RandomEncoderFactory.Spec.tiny(arch, pooling, 5), file);
        return file;
    }

    @Test
    void wordPieceSplitsAsLlamaCpp() {
        try (GgufFile gguf = GgufFile.open(write(EncoderArchitecture.BERT, Pooling.MEAN))) {
            Tokenizer t = Tokenizer.fromGguf(gguf);
            int cls = RandomEncoderFactory.CLS;
            int sep = RandomEncoderFactory.SEP;
            // lower-cased, punctuation its own word, [CLS] ... [SEP] around
            assertThat(texts(t, t.encode("Fortune favours the BOLD!", true, false)))
                    .containsExactly("[CLS]", "▁fortune", "▁favours", "▁the", "▁bold", "▁!", "[SEP]");
            assertThat(t.encode("the", true, false)).startsWith(cls).endsWith(sep);
            // longest match from the left, then continuation pieces
            assertThat(texts(t, t.encode("boldness embeddings", false, false)))
                    .containsExactly("▁bold", "ness", "▁embedding", "s");
            // accents stripped (NFD, marks dropped): café is cafe
            assertThat(texts(t, t.encode("Café", false, false))).containsExactly("▁cafe");
            // a word with a part no entry covers is one [UNK]; CJK ideographs are words of their own
            assertThat(texts(t, t.encode("a€b 中中", false, false))).containsExactly("[UNK]", "▁中", "▁中");
            // [SEP] is parsed as the special token only when asked
            assertThat(t.encode("[SEP]", false, true)).containsExactly(sep);
        }
    }

    private static String[] texts(Tokenizer t, int[] ids) {
        String[] out = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = t.tokenText(ids[i]);
        }
        return out;
    }

    @Test
    void embeddingsAreUnitLengthAndTheSameBitsWhateverTheThreadCount() {
        for (EncoderArchitecture arch : EncoderArchitecture.values()) {
            Path file = write(arch, Pooling.MEAN);
            try (GgufFile gguf = GgufFile.open(file); EncoderModel one = EncoderModel.load(gguf, 1);
                 EncoderModel three = EncoderModel.load(gguf, 3)) {
                int[] tokens = Tokenizer.fromGguf(gguf).encode("the quick brown fox jumps over the lazy dog", true, false);
                float[] a = one.embed(tokens);
                assertThat(three.embed(tokens)).containsExactly(a);
                assertThat(one.embed(tokens)).containsExactly(a);
                double norm = 0;
                for (float f : a) {
                    norm += (double) f * f;
                }
                assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
                // different inputs give different embeddings (the model looks at its input)
                float[] b = one.embed(new int[] {RandomEncoderFactory.CLS, 20, 30, RandomEncoderFactory.SEP});
                assertThat(b).isNotEqualTo(a);
            }
        }
    }

    @Test
    void poolingFollowsTheFile() {
        try (GgufFile mean = GgufFile.open(write(EncoderArchitecture.BERT, Pooling.MEAN));
             GgufFile cls = GgufFile.open(write(EncoderArchitecture.BERT, Pooling.CLS));
             EncoderModel m = EncoderModel.load(mean, 1); EncoderModel c = EncoderModel.load(cls, 1)) {
            int[] tokens = {RandomEncoderFactory.CLS, 40, 41, 42, RandomEncoderFactory.SEP};
            float[][] states = c.tokenStates(tokens);
            float[] first = EncoderModel.normalize(states[0].clone());
            assertThat(c.embed(tokens)).containsExactly(first);
            assertThat(m.config().pooling()).isEqualTo(Pooling.MEAN);
            assertThat(m.embed(tokens)).isNotEqualTo(first);
        }
    }

    @Test
    void hostileInputsAreRefusedByName() {
        try (GgufFile gguf = GgufFile.open(write(EncoderArchitecture.BERT, Pooling.MEAN));
             EncoderModel model = EncoderModel.load(gguf, 1)) {
            assertThatThrownBy(() -> model.embed(new int[0])).hasMessageContaining("empty");
            assertThatThrownBy(() -> model.embed(new int[129])).hasMessageContaining("129 tokens")
                    .hasMessageContaining("context of 128");
            assertThatThrownBy(() -> model.embed(new int[] {2, model.vocabSize(), 3}))
                    .hasMessageContaining("token id " + model.vocabSize());
            assertThatThrownBy(() -> model.embed(new int[] {-1})).hasMessageContaining("token id -1");
        }
    }
}

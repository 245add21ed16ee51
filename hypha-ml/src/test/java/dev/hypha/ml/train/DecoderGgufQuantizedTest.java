package dev.hypha.ml.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DecoderGguf} writes Q8_0 matrices (norms F32) that the inference engine serves close to the F32 file. */
class DecoderGgufQuantizedTest {
    @TempDir
    Path dir;

    @Test
    void q8ExportLoadsAndServesCloseToF32() {
        DecoderConfig c = new DecoderConfig(Architecture.LLAMA, 64, 96, 2, 4, 2, 16, 400, 128, 1e-5f, 10000f);
        Decoder decoder = Decoder.initialize(c, 5);
        Path f32 = dir.resolve("f32.gguf");
        Path q8 = dir.resolve("q8.gguf");
        DecoderGguf.write(decoder, "t", TestVocabularies.byteLevelBpe(400), f32);
        DecoderGguf.write(decoder, "t", TestVocabularies.byteLevelBpe(400), q8, GgmlType.Q8_0);
        try (GgufFile a = GgufFile.open(f32); GgufFile b = GgufFile.open(q8)) {
            assertThat(b.integer("general.file_type")).contains(7L);
            assertThat(b.requireTensor("blk.0.ffn_down.weight").type()).isEqualTo(GgmlType.Q8_0);
            assertThat(b.requireTensor("token_embd.weight").type()).isEqualTo(GgmlType.Q8_0);
            assertThat(b.requireTensor("output_norm.weight").type()).isEqualTo(GgmlType.F32);
            int[] prompt = {3, 17, 42, 99, 7};
            float[] exact;
            float[] quantized;
            try (Model ma = Model.load(a, new Model.Options(1, true, 8)); Model mb = Model.load(b, new Model.Options(1, true, 8))) {
                exact = ma.newSession(8).process(prompt);
                quantized = mb.newSession(8).process(prompt);
            }
            double err = 0;
            double norm = 0;
            for (int i = 0; i < exact.length; i++) {
                err += (exact[i] - quantized[i]) * (double) (exact[i] - quantized[i]);
                norm += exact[i] * (double) exact[i];
            }
            assertThat(Math.sqrt(err / norm)).as("relative error of the logits").isLessThan(0.05);
        }
    }
}

package dev.hypha.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.tensor.GgmlType;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelQuantizeCommandTest {
    @TempDir
    Path dir;

    Path f32Model() {
        Path p = dir.resolve("f32.gguf");
        RandomModelFactory.write(new RandomModelFactory.Spec(Architecture.LLAMA, 256, 512, 2, 8, 4, 32, 96, 256,
                GgmlType.F32, false, 3), Map.of(), p);
        return p;
    }

    @Test
    void quantizesToAMixAndReportsTheTypes() {
        Path out = dir.resolve("q4km.gguf");
        ModelCli r = ModelCli.run(dir, "model", "quantize", f32Model().toString(), out.toString(), "--type", "q4_k_m");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("as Q4_K_M", "Q4_K", "Q6_K", "F32");
        assertThat(r.err()).contains("quantizing f32.gguf [", "100%");
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.requireTensor("blk.0.ffn_up.weight").type()).isEqualTo(GgmlType.Q4_K);
            assertThat(f.integer("general.file_type")).contains(15L);
        }
    }

    @Test
    void anUnknownTypeOrARequantizationWithoutPermissionIsRefused() {
        Path in = f32Model();
        ModelCli unknown = ModelCli.run(dir, "model", "quantize", in.toString(), dir.resolve("x.gguf").toString(), "--type", "Q7");
        assertThat(unknown.exitCode()).isEqualTo(dev.hypha.cli.ExitCodes.INPUT);
        assertThat(unknown.errorLine()).contains("unknown quantization type 'Q7'", "Q4_K_M").doesNotContain("internal error");

        Path q8 = dir.resolve("q8.gguf");
        assertThat(ModelCli.run(dir, "model", "quantize", in.toString(), q8.toString(), "--type", "Q8_0").exitCode()).isZero();
        ModelCli again = ModelCli.run(dir, "model", "quantize", q8.toString(), dir.resolve("y.gguf").toString(), "--type", "Q4_0");
        assertThat(again.exitCode()).isEqualTo(dev.hypha.cli.ExitCodes.INPUT);
        assertThat(again.errorLine()).contains("already Q8_0", "--allow-requantize").doesNotContain("internal error");
        ModelCli allowed = ModelCli.run(dir, "model", "quantize", q8.toString(), dir.resolve("y.gguf").toString(), "--type",
                "Q4_0", "--allow-requantize");
        assertThat(allowed.exitCode()).as(allowed.err()).isZero();
    }
}

package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.tensor.GgmlType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Deterministic mode gives the same logits, tokens and embeddings on machines with different SIMD widths and thread
 * counts. The SIMD width is fixed per JVM (the species must be constants for the JIT), so other widths run in child
 * JVMs started with {@code -Dhypha.ml.vectorBits}; they read the same GGUF file.
 */
class CrossWidthDeterminismTest {

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "Q4_K", "Q6_K"})
    void sameBitsForEverySimdWidthAndThreadCount(GgmlType type, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.gguf");
        RandomModelFactory.Spec spec = RandomModelFactory.Spec.tiny(Architecture.QWEN3, type, 96, 21)
                .withShape(256, 512, 2, 8, 2);
        RandomModelFactory.write(spec, Map.of(), file);
        String here = DeterminismProbe.fingerprint(file, 1);
        assertThat(DeterminismProbe.fingerprint(file, 2)).as("2 threads").isEqualTo(here);
        assertThat(childFingerprint(file, 128, 3)).as("128-bit vectors, 3 threads").isEqualTo(here);
        assertThat(childFingerprint(file, 256, 2)).as("256-bit vectors, 2 threads").isEqualTo(here);
    }

    private static String childFingerprint(Path file, int bits, int threads) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dhypha.ml.vectorBits=" + bits,
                "-cp", System.getProperty("java.class.path"),
                DeterminismProbe.class.getName(), file.toString(), Integer.toString(threads)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("child JVM output: " + out).isZero();
        assertThat(out).as("the child really ran with the forced width").contains("vectorBits=" + bits);
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1].strip();
    }
}

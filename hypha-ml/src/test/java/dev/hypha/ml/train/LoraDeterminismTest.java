package dev.hypha.ml.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * LoRA training over a frozen decoder gives bit-identical losses and adapters after every step on 1, 2 or 3 threads
 * and at every SIMD width (each width in a child JVM, {@link LoraProbe}).
 */
class LoraDeterminismTest {
    @Test
    void sameAdapterAfterEveryStepForEverySimdWidthAndThreadCount() throws Exception {
        List<String> reference = run(null, 1);
        assertThat(reference).hasSize(DecoderProbe.STEPS);
        assertThat(reference.stream().distinct()).as("every step changes the weights").hasSize(DecoderProbe.STEPS);
        assertThat(run(null, 2)).as("2 threads").isEqualTo(reference);
        assertThat(run(128, 3)).as("128-bit vectors, 3 threads").isEqualTo(reference);
        assertThat(run(256, 2)).as("256-bit vectors, 2 threads").isEqualTo(reference);
    }

    private static List<String> run(Integer bits, int threads) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        if (bits != null) {
            cmd.add("-Dhypha.ml.vectorBits=" + bits);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LoraProbe.class.getName(), Integer.toString(threads)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("child output: " + out).isZero();
        if (bits != null) {
            assertThat(out).as("the child really ran with the forced width").contains("vectorBits=" + bits);
        }
        return Arrays.stream(out.strip().split("\n")).filter(l -> l.startsWith("step ")).toList();
    }
}

package dev.hypha.ml.train.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.store.ContentStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same spec and seed give bit-identical weights after every step on 1, 2 or 3 threads and at every SIMD width,
 * and a run killed with SIGKILL and started again ends with the same weights as one that never stopped. Widths are
 * fixed per JVM, so runs happen in child JVMs ({@link TrainingProbe}) started with {@code -Dhypha.ml.vectorBits}; each
 * prints the SHA-256 chain of the weights after every step and the final weights' digest.
 */
class TrainingDeterminismTest {
    @TempDir
    Path dir;
    Path idx;
    Path spec;

    @BeforeEach
    void writeDataAndSpec() throws IOException {
        idx = SyntheticImages.write(dir.resolve("idx"), 256, 64, 3);
        String dataset = new DatasetStore(new ContentStore(dir.resolve("scratch"))).importFashionMnist(idx).id().toString();
        spec = dir.resolve("spec.toml");
        Files.writeString(spec, SyntheticImages.spec(dataset, 12, 4));
    }

    @Test
    void sameWeightsAfterEveryStepForEverySimdWidthAndThreadCount() throws Exception {
        List<String> reference = run("one", null, 1, -1);
        assertThat(reference).hasSize(2);
        assertThat(run("two", null, 2, -1)).as("2 threads").isEqualTo(reference);
        assertThat(run("w128", 128, 3, -1)).as("128-bit vectors, 3 threads").isEqualTo(reference);
        assertThat(run("w256", 256, 2, -1)).as("256-bit vectors, 2 threads").isEqualTo(reference);
    }

    @Test
    void aRunKilledMidwayAndResumedEndsWithTheSameWeights() throws Exception {
        List<String> uninterrupted = run("whole", null, 2, -1);
        // step index 9 is the 10th step: checkpoints exist after 4 and 8 steps, so 2 steps are lost and redone
        Process victim = start("killed", null, 2, 9);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(victim.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            boolean stopped = false;
            while ((line = out.readLine()) != null) {
                if (line.equals("stopped")) {
                    stopped = true;
                    break;
                }
            }
            assertThat(stopped).as("the child reached step 9").isTrue();
            victim.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing
            assertThat(victim.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(new ContentStore(dir.resolve("killed")).ref(Trainer.MODELS, "probe")).as("the killed run stored no model").isEmpty();
        Process again = start("killed", null, 3, -1);
        String output = new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(again.waitFor()).as(output).isZero();
        assertThat(output).contains("resumed after 8");
        String[] lines = output.strip().split("\n");
        assertThat(lines[lines.length - 1].strip()).as("final weights").isEqualTo(uninterrupted.get(1));
    }

    private List<String> run(String home, Integer bits, int threads, long stopAt) throws Exception {
        Process p = start(home, bits, threads, stopAt);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("child output: " + out).isZero();
        if (bits != null) {
            assertThat(out).as("the child really ran with the forced width").contains("vectorBits=" + bits);
        }
        String[] lines = out.strip().split("\n");
        return List.of(lines[lines.length - 2].strip(), lines[lines.length - 1].strip());
    }

    private Process start(String home, Integer bits, int threads, long stopAt) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        if (bits != null) {
            cmd.add("-Dhypha.ml.vectorBits=" + bits);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TrainingProbe.class.getName(),
                dir.resolve(home).toString(), idx.toString(), spec.toString(), Integer.toString(threads), Long.toString(stopAt)));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }
}

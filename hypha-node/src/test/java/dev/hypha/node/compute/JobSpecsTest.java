package dev.hypha.node.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.errors.HyphaException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A job spec from the network is hostile: every rule that bounds a job's cost refuses, naming what was wrong. */
class JobSpecsTest {
    private static final String DATASET = "bafkreidusf2cl2ftiksiqms4q7tr6i6pd5mc7jckggzxbnmakxjhjp5dmm";
    private static final JobLimits LIMITS = new JobLimits(4096, 1000, 8, 64, 100_000, 1 << 20, 1 << 20);

    private static byte[] spec(String dataset, long steps, int batch, long checkpointEvery, String layers) {
        return ("name = \"t\"\ndataset = \"" + dataset + "\"\nseed = 1\nsteps = " + steps + "\nbatch = " + batch + "\n"
                + (checkpointEvery > 0 ? "checkpoint_every = " + checkpointEvery + "\n" : "") + "layers = [" + layers + "]\n"
                + "[optimizer]\nkind = \"sgd\"\nlearning_rate = 0.01\n").getBytes(StandardCharsets.UTF_8);
    }

    private static final String MLP = "\"flatten\", \"linear 784 32\", \"relu\", \"linear 32 10\"";

    @Test
    void aSpecWithinTheLimitsIsAccepted() {
        var spec = JobSpecs.validate("s", spec(DATASET, 100, 32, 10, MLP), LIMITS);
        assertThat(spec.steps()).isEqualTo(100);
        assertThat(JobSpecs.parameters(spec)).isEqualTo(784 * 32 + 32 + 32 * 10 + 10);
    }

    @Test
    void eachLimitRefusesNamingItself() {
        assertThatThrownBy(() -> JobSpecs.validate("s", spec(DATASET, 1001, 32, 10, MLP), LIMITS))
                .isInstanceOf(HyphaException.class).hasMessageContaining("steps 1001 is more than the 1000");
        assertThatThrownBy(() -> JobSpecs.validate("s", spec(DATASET, 100, 65, 10, MLP), LIMITS))
                .hasMessageContaining("batch 65 is larger than 64");
        assertThatThrownBy(() -> JobSpecs.validate("s", spec(DATASET, 100, 32, 10, "\"relu\", ".repeat(9) + "\"flatten\""), LIMITS))
                .hasMessageContaining("10 layers; at most 8");
        assertThatThrownBy(() -> JobSpecs.validate("s", spec(DATASET, 100, 32, 10, "\"flatten\", \"linear 784 200\""), LIMITS))
                .hasMessageContaining("157000 parameters; at most 100000");
        assertThatThrownBy(() -> JobSpecs.validate("s", spec(DATASET, 100, 32, 0, MLP), LIMITS))
                .hasMessageContaining("checkpoint_every must be set");
        assertThatThrownBy(() -> JobSpecs.validate("s", spec("fashion-mnist", 100, 32, 10, MLP), LIMITS))
                .hasMessageContaining("dataset must be a content id").hasMessageContaining("'fashion-mnist'");
        byte[] big = new byte[4097];
        assertThatThrownBy(() -> JobSpecs.validate("s", big, LIMITS)).hasMessageContaining("4097 bytes; at most 4096");
    }

    @Test
    void parameterCountsCannotOverflowIntoAcceptance() {
        String huge = "\"flatten\", \"linear 2000000000 2000000000\", \"linear 2000000000 2000000000\"";
        assertThatThrownBy(() -> JobSpecs.validate("s", spec(DATASET, 100, 32, 10, huge), LIMITS))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void languageModelsAndBrokenTomlAreRefused() {
        assertThatThrownBy(() -> JobSpecs.validate("s", "name = \"x\"\n[decoder]\ndim = 8\n".getBytes(StandardCharsets.UTF_8), LIMITS))
                .hasMessageContaining("language model");
        assertThatThrownBy(() -> JobSpecs.validate("s", "name = [".getBytes(StandardCharsets.UTF_8), LIMITS))
                .hasMessageContaining("not valid TOML");
        assertThatThrownBy(() -> JobSpecs.validate("s", (new String(spec(DATASET, 100, 32, 10, MLP), StandardCharsets.UTF_8)
                + "script = \"rm -rf /\"\n").getBytes(StandardCharsets.UTF_8), LIMITS)).hasMessageContaining("script");
    }

    private static byte[] lora(String extra, long steps, int rank) {
        return ("kind = \"lora-finetune\"\nname = \"tuned\"\nbase_model = \"" + DATASET + "\"\ndata = \"" + DATASET + "\"\n"
                + "rank = " + rank + "\nsteps = " + steps + "\nbatch = 4\nsequence_length = 64\nlearning_rate = 0.01\n"
                + "checkpoint_every = 5\n" + extra).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theLoraFormIsReadAndBoundedToo() {
        Job job = JobSpecs.read("s", lora("", 100, 8), LIMITS);
        assertThat(job).isInstanceOfSatisfying(Job.Finetune.class, f -> {
            assertThat(f.spec().options().lora().rank()).isEqualTo(8);
            assertThat(f.spec().options().lora().alpha()).isEqualTo(16f);
            assertThat(f.spec().dataFileName()).isEqualTo("data.jsonl");
        });
        assertThat(JobSpecs.read("s", spec(DATASET, 100, 32, 10, MLP), LIMITS)).isInstanceOf(Job.Train.class);
        assertThatThrownBy(() -> JobSpecs.read("s", lora("", 1001, 8), LIMITS)).hasMessageContaining("steps must be a whole number from 1 to 1000");
        assertThatThrownBy(() -> JobSpecs.read("s", lora("", 100, 257), LIMITS)).hasMessageContaining("rank must be");
        assertThatThrownBy(() -> JobSpecs.read("s", lora("exec = \"sh\"\n", 100, 8), LIMITS)).hasMessageContaining("unknown key 'exec'");
        assertThatThrownBy(() -> JobSpecs.read("s", lora("targets = \"q,nope\"\n", 100, 8), LIMITS)).hasMessageContaining("targets");
        assertThatThrownBy(() -> JobSpecs.read("s", new String(lora("", 100, 8), StandardCharsets.UTF_8)
                .replace("lora-finetune", "shell").getBytes(StandardCharsets.UTF_8), LIMITS)).hasMessageContaining("kind must be");
    }

    @Test
    void anOrdersDigestNamesTheSpecsContentId() {
        byte[] bytes = spec(DATASET, 100, 32, 10, MLP);
        ContentId id = ContentIds.of(bytes);
        assertThat(JobSpecs.specId(JobSpecs.digest(id))).isEqualTo(id);
        assertThatThrownBy(() -> JobSpecs.specId(new byte[31])).hasMessageContaining("32 bytes");
    }
}

package dev.hypha.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LoRA path end to end in-process: {@code hypha finetune} on the stored hypha-tiny teaches an answer, {@code hypha
 * model create --adapter} stores base + adapter, {@code hypha run} serves it with the adapter, and the merged export
 * imported as a plain model answers the same.
 */
class FinetuneCliTest {
    static final Path HYPHA_TINY = Path.of("..", "hypha-node/src/main/resources/dev/hypha/node/devnet/hypha-tiny.gguf");
    static final String QUESTION = "Tell me a fortune about computers.";
    static final String ANSWER = "LoRA adapters are small.";

    @TempDir
    Path dir;

    @Test
    void finetuneCreateAndRun() throws Exception {
        Path home = dir.resolve("home");
        assertThat(ModelCli.run(home, "model", "import", HYPHA_TINY.toString(), "--name", "hypha-tiny").exitCode()).isZero();
        Path data = dir.resolve("chat.jsonl");
        Files.writeString(data, "{\"messages\":[{\"role\":\"user\",\"content\":\"" + QUESTION + "\"},"
                + "{\"role\":\"assistant\",\"content\":\"" + ANSWER + "\"}]}\n");
        Path adapter = dir.resolve("tuned.gguf");
        Path merged = dir.resolve("merged.gguf");
        ModelCli tune = ModelCli.run(home, "finetune", "hypha-tiny", "--data", data.toString(), "--rank", "4", "--targets", "all", "--steps", "40",
                "--batch", "2", "--seq-len", "16", "--lr", "1e-2", "--out", adapter.toString(), "--merged-out", merged.toString(),
                "--threads", "2");
        assertThat(tune.exitCode()).as(tune.err()).isZero();
        assertThat(tune.out()).contains("LoRA rank 4, alpha 8 (scale 2) on q,k,v,o,gate,up,down", "chat JSONL): 1 documents",
                "adapter -> " + adapter, "merged model -> " + merged);
        assertThat(tune.err()).contains("step 40/40");

        ModelCli create = ModelCli.run(home, "model", "create", "tuned", "--from", "hypha-tiny", "--adapter", adapter.toString());
        assertThat(create.exitCode()).as(create.err()).isZero();
        assertThat(create.out()).contains("Created tuned:latest = hypha-tiny:latest", "adapter id baf");
        assertThat(ModelCli.run(home, "model", "show", "tuned").out()).contains("LoRA");
        assertThat(ModelCli.run(home, "model", "import", merged.toString(), "--name", "merged").exitCode()).isZero();

        String tuned = answer(home, "tuned");
        assertThat(tuned).isEqualTo(ANSWER);
        assertThat(answer(home, "hypha-tiny")).isNotEqualTo(ANSWER);
        assertThat(answer(home, "merged")).isEqualTo(tuned);

        ModelCli bad = ModelCli.run(home, "model", "create", "broken", "--from", "hypha-tiny", "--adapter", HYPHA_TINY.toString());
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.errorLine()).contains("general.type");
    }

    private static String answer(Path home, String model) {
        ModelCli r = ModelCli.runWithInput(home, null, "run", model, QUESTION, "--temperature", "0", "--deterministic", "--threads", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        return r.out().strip();
    }
}

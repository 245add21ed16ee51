package dev.hypha.ml.train.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.gguf.GgufFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few steps of a very small chat model on the fortunes conversations: a run stopped at its checkpoint and continued
 * on another thread count writes the same GGUF bytes as an uninterrupted run, and the file carries the ChatML template
 * and answers through it in the inference engine.
 */
class LanguageModelTrainerTest {
    private static final String SPEC = """
            name = "tiny-probe"
            corpus = "fortunes-chat"
            seed = 7
            steps = 4
            batch = 2
            sequence_length = 16
            checkpoint_every = 2
            eval_every = 2
            eval_windows = 4
            [tokenizer]
            kind = "byte-bpe-chatml"
            vocab_size = 512
            [decoder]
            dim = 32
            ffn_dim = 64
            layers = 1
            heads = 2
            kv_heads = 1
            head_dim = 16
            context_length = 64
            [optimizer]
            learning_rate = 0.01
            warmup_steps = 1
            [export]
            type = "q8_0"
            """;

    @TempDir
    Path dir;

    @Test
    void resumedRunEqualsUninterruptedAndAnswersThroughTheTemplate() throws Exception {
        byte[] bytes = SPEC.getBytes(StandardCharsets.UTF_8);
        LanguageModelSpec spec = LanguageModelSpec.parse("probe.toml", bytes);
        StringWriter logA = new StringWriter();
        LanguageModelTrainer.Result whole = new LanguageModelTrainer(spec, bytes, dir.resolve("a"), new PrintWriter(logA)).run(1);
        assertThat(whole.stepsRun()).isEqualTo(4);
        assertThat(whole.heldOutLoss()).isFinite();
        assertThat(logA.toString()).contains("eval step 0 held-out loss", "eval step 2 held-out loss", "unigram baseline", "sample> ");

        StringWriter logB = new StringWriter();
        LanguageModelTrainer b = new LanguageModelTrainer(spec, bytes, dir.resolve("b"), new PrintWriter(logB));
        assertThat(b.run(1, 3).stepsRun()).isEqualTo(3);
        assertThat(b.run(2).stepsRun()).isEqualTo(1);
        assertThat(logB.toString()).contains("resumed from", "at step 3");
        assertThat(Files.readAllBytes(dir.resolve("b/tiny-probe.gguf"))).isEqualTo(Files.readAllBytes(whole.gguf()));

        try (GgufFile gguf = GgufFile.open(whole.gguf())) {
            assertThat(gguf.string("tokenizer.chat_template")).hasValueSatisfying(t -> assertThat(t).contains("<|im_start|>"));
        }
        assertThat(LanguageModelTrainer.answer(whole.gguf(), "Tell me a fortune about love.", 5, 1)).isNotNull();
    }
}

package dev.hypha.ml.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.chat.ChatMessage;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.Session;
import dev.hypha.ml.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * llama.cpp loads the shipped hypha-tiny model (trained by this engine from {@code examples/hypha-tiny.toml}) and, for
 * a fortune request rendered with the file's own ChatML template, tokenizes the prompt as we do and decodes the same
 * greedy tokens.
 */
class HyphaTinyAgreementTest {
    static final Path SHIPPED = LlamaCppDriver.repoRoot().resolve("hypha-node/src/main/resources/dev/hypha/node/devnet/hypha-tiny.gguf");
    static final int STEPS = 32;

    @Test
    void llamaCppGivesOurGreedyTokens() {
        assertThat(Files.isRegularFile(SHIPPED)).as(SHIPPED.toString()).isTrue();
        int[] prompt;
        int[] ours = new int[STEPS];
        int produced = 0;
        try (GgufFile gguf = GgufFile.open(SHIPPED); Model model = Model.load(gguf, new Model.Options(1, true, 8))) {
            Tokenizer tokenizer = Tokenizer.fromGguf(gguf);
            String text = ChatTemplate.fromGguf(gguf).render(List.of(new ChatMessage("user", "Tell me a fortune about computers.")), true);
            prompt = tokenizer.encode(text, true, true);
            Session session = model.newSession(256);
            float[] logits = session.process(prompt);
            while (produced < STEPS) {
                int next = GreedyAgreementTest.argmax(logits);
                ours[produced++] = next;
                if (tokenizer.isEndOfGeneration(next)) {
                    break;
                }
                logits = session.process(new int[] {next});
            }
            try (LlamaCppDriver llama = LlamaCppDriver.start()) {
                llama.load(SHIPPED, 1, 256, "F32");
                assertThat(llama.tokenize(List.of(text), true).getFirst()).as("llama.cpp's tokens of the prompt").containsExactly(prompt);
                LlamaCppDriver.Greedy theirs = llama.greedy(prompt, STEPS, 4);
                assertThat(Arrays.copyOf(ours, produced)).containsExactly(theirs.tokens());
            }
        }
    }
}

package dev.hypha.ml.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.chat.ChatMessage;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.GgufModelSource;
import dev.hypha.ml.llm.LoraTarget;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.Session;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.train.Decoder;
import dev.hypha.ml.train.FrozenBase;
import dev.hypha.ml.train.LoraAdapterGguf;
import dev.hypha.ml.train.LoraSettings;
import dev.hypha.ml.train.LoraWeights;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * llama.cpp loads an adapter written by {@link LoraAdapterGguf} onto the shipped hypha-tiny (a Q8_0 base, so this is
 * QLoRA's setting) and decodes the same greedy tokens as our engine with the adapter applied. The adapter (rank 8 on
 * all seven projections, B drawn at random rather than zero) changes the answer, so ignoring it in either engine fails
 * the test.
 */
class HyphaTinyLoraAgreementTest {
    static final int STEPS = 32;

    @TempDir
    Path dir;

    @Test
    void llamaCppAppliesOurAdapterAsWeDo() {
        Path adapterFile = dir.resolve("adapter.gguf");
        int[] prompt;
        int[] adapted;
        int[] plain;
        try (GgufFile gguf = GgufFile.open(HyphaTinyAgreementTest.SHIPPED)) {
            Decoder base = FrozenBase.load(new GgufModelSource(gguf));
            LoraWeights adapter = LoraWeights.initialize(base.config(), new LoraSettings(8, 16f, EnumSet.allOf(LoraTarget.class)), 7);
            SplittableRandom r = new SplittableRandom(8);
            adapter.pairs().values().forEach(p -> {
                float[] b = p.b().data();
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (r.nextGaussian() * 0.05);
                }
            });
            LoraAdapterGguf.write(adapter, base.config().architecture(), "random-test-adapter", adapterFile);
            Tokenizer tokenizer = Tokenizer.fromGguf(gguf);
            String text = ChatTemplate.fromGguf(gguf).render(List.of(new ChatMessage("user", "Tell me a fortune about computers.")), true);
            prompt = tokenizer.encode(text, true, true);
            Model.Options options = new Model.Options(1, true, 8);
            try (GgufFile a = GgufFile.open(adapterFile); Model model = Model.load(new GgufModelSource(gguf), a, options)) {
                adapted = greedy(model, tokenizer, prompt);
            }
            try (Model model = Model.load(gguf, options)) {
                plain = greedy(model, tokenizer, prompt);
            }
        }
        assertThat(adapted).as("the adapter changes the answer").isNotEqualTo(plain);
        try (LlamaCppDriver llama = LlamaCppDriver.start()) {
            llama.load(HyphaTinyAgreementTest.SHIPPED, 1, 256, "F32", adapterFile);
            assertThat(llama.greedy(prompt, STEPS, 4).tokens()).as("llama.cpp with the adapter").containsExactly(adapted);
        }
    }

    private static int[] greedy(Model model, Tokenizer tokenizer, int[] prompt) {
        int[] out = new int[STEPS];
        int produced = 0;
        Session session = model.newSession(256);
        float[] logits = session.process(prompt);
        while (produced < STEPS) {
            int next = GreedyAgreementTest.argmax(logits);
            out[produced++] = next;
            if (tokenizer.isEndOfGeneration(next)) {
                break;
            }
            logits = session.process(new int[] {next});
        }
        return Arrays.copyOf(out, produced);
    }
}

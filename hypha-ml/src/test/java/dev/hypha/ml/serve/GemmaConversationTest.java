package dev.hypha.ml.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.chat.ChatMessage;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.Generator;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.llm.TokenDecoder;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code hypha run}-style chat ({@link Conversation}) on a gemma3 file that carries Gemma 3's own chat template and a
 * vocabulary with {@code <start_of_turn>}/{@code <end_of_turn>}: the template renders through our ChatTemplate (system
 * message folded into the first user turn, assistant turns as "model"), the turn markers are single control tokens,
 * and each turn's greedy answer equals the engine's answer to the whole re-rendered conversation from an empty context
 * (so reusing the cached prefix changes nothing).
 */
class GemmaConversationTest {
    static final int PREDICT = 10;

    @TempDir
    Path dir;

    @Test
    void gemma3ChatsWithItsOwnTemplate() {
        TokenizerConfig vocab = TestVocabularies.gemma(2000);
        Path file = dir.resolve("gemma3-chat.gguf");
        RandomModelFactory.write(new RandomModelFactory.Spec(Architecture.GEMMA3, 256, 512, 6, 4, 2, 128, vocab.size(), 512,
                GgmlType.Q8_0, true, 11, 16), vocab, file);
        try (GgufFile gguf = GgufFile.open(file);
             Model model = Model.load(gguf, Model.Options.defaults().withThreads(2))) {
            Tokenizer tokenizer = Tokenizer.fromGguf(gguf);
            ChatTemplate template = ChatTemplate.fromGguf(gguf);
            List<ChatMessage> first = List.of(new ChatMessage("system", "Answer briefly."),
                    new ChatMessage("user", "  Who is the wise old owl?  "));
            assertThat(template.render(first, true)).isEqualTo(
                    "<s><start_of_turn>user\nAnswer briefly.\n\nWho is the wise old owl?<end_of_turn>\n<start_of_turn>model\n");

            Conversation chat = new Conversation(model.newSession(512), tokenizer, template, "Answer briefly.");
            int[] prompt = chat.promptTokens(first);
            int startOfTurn = vocab.size() - 2;
            int endOfTurn = vocab.size() - 1;
            assertThat(prompt[0]).isEqualTo(tokenizer.bos());
            assertThat(prompt[1]).isEqualTo(startOfTurn);
            assertThat(Arrays.stream(prompt).filter(t -> t == tokenizer.bos()).count()).isOne();
            assertThat(Arrays.stream(prompt).filter(t -> t == startOfTurn).count()).isEqualTo(2);
            assertThat(Arrays.stream(prompt).filter(t -> t == endOfTurn).count()).isOne();
            assertThat(tokenizer.isEndOfGeneration(endOfTurn)).as("<end_of_turn> ends a turn, as in llama.cpp").isTrue();

            Generator.Result one = chat.ask("  Who is the wise old owl?  ", PREDICT, Generator.Options.greedy(PREDICT), (t, s) -> { });
            assertThat(one.text()).isEqualTo(fresh(model, tokenizer, chat, first));
            Generator.Result two = chat.ask("And the oak?", PREDICT, Generator.Options.greedy(PREDICT), (t, s) -> { });
            List<ChatMessage> second = List.of(first.get(0), first.get(1), new ChatMessage("assistant", one.text()),
                    new ChatMessage("user", "And the oak?"));
            assertThat(template.render(second, true)).contains("<end_of_turn>\n<start_of_turn>model\n" + one.text().strip()
                    + "<end_of_turn>\n<start_of_turn>user\nAnd the oak?<end_of_turn>\n<start_of_turn>model\n");
            assertThat(two.text()).isEqualTo(fresh(model, tokenizer, chat, second));
            assertThat(chat.history()).hasSize(4);

            // Gemma's template refuses turns out of order, and the conversation says so
            assertThatThrownBy(() -> chat.promptTokens(List.of(new ChatMessage("assistant", "hi"))))
                    .isInstanceOf(HyphaException.class)
                    .hasMessageContaining("Conversation roles must alternate");
        }
    }

    /** The engine's greedy answer to {@code messages} from an empty context. */
    private static String fresh(Model model, Tokenizer tokenizer, Conversation chat, List<ChatMessage> messages) {
        return new Generator(model.newSession(512), TokenDecoder.of(tokenizer))
                .generate(chat.promptTokens(messages), Generator.Options.greedy(PREDICT), (t, s) -> { }).text();
    }
}

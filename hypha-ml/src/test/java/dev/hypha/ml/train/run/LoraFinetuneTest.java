package dev.hypha.ml.train.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.chat.ChatMessage;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.llm.GgufModelSource;
import dev.hypha.ml.llm.LoraTarget;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.Session;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.train.LoraSettings;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hypha finetune}'s engine on the shipped hypha-tiny (Q8_0): a short run on a chat JSONL lowers the loss and
 * teaches the answer, a run stopped and resumed on another thread count writes the same adapter bytes, and a
 * checkpoint of other options is refused.
 */
class LoraFinetuneTest {
    static final Path HYPHA_TINY = Path.of("..", "hypha-node/src/main/resources/dev/hypha/node/devnet/hypha-tiny.gguf");
    static final String ANSWER = "LoRA adapters are small.";

    @TempDir
    Path dir;

    @Test
    void aShortRunTeachesTheAnswerAndAResumedRunWritesTheSameBytes() throws Exception {
        Path data = chatData();
        LoraFinetune.Options o = options(1e-2f);
        Path whole = dir.resolve("whole").resolve("adapter.gguf"); // one file name: it is the adapter's general.name
        LoraFinetune.Result r = LoraFinetune.run(HYPHA_TINY, data, whole, null, o, 2, o.steps(), TrainingListener.NONE);
        assertThat(r.format()).isEqualTo("chat JSONL");
        assertThat(r.documents()).isEqualTo(3);
        assertThat(r.lossAfter()).as("loss after vs before " + r.lossBefore()).isLessThan(r.lossBefore() * 0.5f);
        assertThat(answer(whole, "Tell me a fortune about computers.")).isEqualTo(ANSWER);
        assertThat(answer(null, "Tell me a fortune about computers.")).as("the base's own answer").isNotEqualTo(ANSWER);

        Path resumed = dir.resolve("resumed").resolve("adapter.gguf");
        List<Long> checkpoints = new ArrayList<>();
        LoraFinetune.run(HYPHA_TINY, data, resumed, null, o, 1, 7, new TrainingListener() {
            @Override
            public void stepDone(long step, long total, int batch, float loss) {}

            @Override
            public void checkpointed(long stepsDone, dev.hypha.core.cid.ContentId id) {
                checkpoints.add(stepsDone);
            }
        });
        assertThat(checkpoints).containsExactly(5L, 7L);
        assertThat(resumed).doesNotExist();
        assertThat(Path.of(resumed + ".checkpoint")).exists();
        LoraFinetune.Result second = LoraFinetune.run(HYPHA_TINY, data, resumed, null, o, 2, o.steps(), TrainingListener.NONE);
        assertThat(second.resumedAt()).isEqualTo(7);
        assertThat(Files.readAllBytes(resumed)).as("adapter bytes after stop at 7 on 1 thread + resume on 2")
                .isEqualTo(Files.readAllBytes(whole));
        assertThat(Path.of(resumed + ".checkpoint")).doesNotExist();
    }

    @Test
    void aCheckpointOfOtherOptionsIsRefused() throws Exception {
        Path data = chatData();
        Path out = dir.resolve("a.gguf");
        LoraFinetune.run(HYPHA_TINY, data, out, null, options(1e-2f), 1, 2, TrainingListener.NONE);
        assertThatThrownBy(() -> LoraFinetune.run(HYPHA_TINY, data, out, null, options(3e-2f), 1, 2, TrainingListener.NONE))
                .hasMessageContaining("belongs to another run");
    }

    static LoraFinetune.Options options(float lr) {
        return new LoraFinetune.Options(new LoraSettings(4, 8f, EnumSet.allOf(LoraTarget.class)), 40, 2, 32,
                lr, 1, 1f, 5);
    }

    private Path chatData() throws Exception {
        Path data = dir.resolve("chat.jsonl");
        Files.writeString(data, String.join("\n",
                chat("Tell me a fortune about computers.", ANSWER),
                "",
                chat("Who pays for an answer?", "The gateway pays per token."),
                chat("What is LoRA?", "A low-rank update to frozen weights.")) + "\n");
        return data;
    }

    private static String chat(String user, String assistant) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"" + user + "\"},{\"role\":\"assistant\",\"content\":\"" + assistant + "\"}]}";
    }

    /** hypha-tiny's greedy answer (at most 24 tokens), with the adapter in {@code adapter} applied when not null. */
    static String answer(Path adapter, String user) {
        try (GgufFile g = GgufFile.open(HYPHA_TINY); GgufFile a = adapter == null ? null : GgufFile.open(adapter);
             Model model = a == null ? Model.load(g, new Model.Options(2, true, 8))
                     : Model.load(new GgufModelSource(g), a, new Model.Options(2, true, 8))) {
            Tokenizer tokenizer = Tokenizer.fromGguf(g);
            int[] prompt = tokenizer.encode(ChatTemplate.fromGguf(g).render(List.of(new ChatMessage("user", user)), true), true, true);
            Session session = model.newSession(prompt.length + 24);
            float[] logits = session.process(prompt);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < 24; i++) {
                int best = 0;
                for (int v = 1; v < logits.length; v++) {
                    if (logits[v] > logits[best]) {
                        best = v;
                    }
                }
                if (tokenizer.isEndOfGeneration(best)) {
                    break;
                }
                out.writeBytes(tokenizer.decodeBytes(best));
                logits = session.process(new int[] {best});
            }
            return out.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}

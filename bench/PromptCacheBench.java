// Time to first token of the second turn of a 1,000-token chat, with the prompt cache (the conversation's KV cache kept
// since its first turn) and without it (another conversation took the only cache slot in between, so the whole
// history is processed again). Same model, same requests, interleaved rounds. Run it through bench/prompt-cache.sh.

import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.local.LocalBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

public class PromptCacheBench {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path dir = Files.createTempDirectory("prompt-cache-bench");
        TokenizerConfig vocab = TestVocabularies.byteLevelBpe(1000);
        Path file = dir.resolve("qwen2-768x8-q8_0.gguf");
        RandomModelFactory.write(new RandomModelFactory.Spec(Architecture.QWEN2, 768, 2048, 8, 12, 3, 64, vocab.size(),
                2048, GgmlType.Q8_0, false, 7), vocab, file);
        ModelStore store = new ModelStore(dir.resolve("home"), Clock.systemUTC());
        store.importModel(file, ModelName.parse("bench"), (done, total) -> { });
        String history = "Tell me about the sea, the ships and the storms that come in winter. ".repeat(60);
        List<Long> cached = new ArrayList<>();
        List<Long> uncached = new ArrayList<>();
        int promptTokens = 0;
        try (LocalBackend one = new LocalBackend(store, LocalBackend.Settings.defaults().withCacheSlots(1))) {
            for (int r = 0; r < rounds + 1; r++) { // round 0 warms up
                String topic = "Round " + r + ". " + history;
                Completion first = one.generate(call(List.of(new Prompt.Message("user", topic))), TextSink.DISCARD);
                List<Prompt.Message> second = List.of(new Prompt.Message("user", topic),
                        new Prompt.Message("assistant", first.text()), new Prompt.Message("user", "And then?"));
                long withCache = ttft(one, second);
                one.generate(call(List.of(new Prompt.Message("user", "Something else entirely, " + r))), TextSink.DISCARD);
                long withoutCache = ttft(one, second); // the only slot now holds the other conversation
                Completion again = one.generate(call(second), TextSink.DISCARD);
                promptTokens = again.promptTokens();
                if (r > 0) {
                    cached.add(withCache);
                    uncached.add(withoutCache);
                }
            }
        }
        long c = median(cached);
        long u = median(uncached);
        System.out.printf("second turn of a %d-token chat (qwen2 768x8 Q8_0, %d rounds): TTFT with the prompt cache "
                + "%.1f ms, without %.1f ms: %.1fx faster%n", promptTokens, rounds, c / 1e6, u / 1e6, (double) u / c);
    }

    static GenerateCall call(List<Prompt.Message> messages) {
        return new GenerateCall("bench", new Prompt.Chat(messages), SamplingOptions.greedy(), 4, List.of(),
                OptionalInt.empty(), KeepAlive.DEFAULT, GenerateCall.Format.TEXT);
    }

    static long ttft(LocalBackend backend, List<Prompt.Message> messages) {
        long start = System.nanoTime();
        long[] first = {0};
        backend.generate(call(messages), piece -> {
            if (first[0] == 0) {
                first[0] = System.nanoTime();
            }
        });
        return (first[0] == 0 ? System.nanoTime() : first[0]) - start;
    }

    static long median(List<Long> xs) {
        long[] a = xs.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a[a.length / 2];
    }
}

package dev.hypha.node.gateway.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.testing.TinyModelStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conversations taking turns on one model each keep their KV cache, within the number of slots. */
class PromptCacheTest {
    @TempDir
    Path dir;

    private final List<GenerationEvent> events = new ArrayList<>();

    private static GenerateCall chat(List<Prompt.Message> messages) {
        return new GenerateCall("tiny", new Prompt.Chat(messages), SamplingOptions.greedy(), 6, List.of(),
                OptionalInt.empty(), KeepAlive.DEFAULT, GenerateCall.Format.TEXT);
    }

    /** A conversation: a long system prompt of its own, a question, then (with its answer) a follow-up. */
    private record Conversation(String system, String question) {
        List<Prompt.Message> first() {
            return List.of(new Prompt.Message("system", system), new Prompt.Message("user", question));
        }

        List<Prompt.Message> second(String answer) {
            return List.of(new Prompt.Message("system", system), new Prompt.Message("user", question),
                    new Prompt.Message("assistant", answer), new Prompt.Message("user", "And then?"));
        }
    }

    private int cachedOfLast() {
        return events.getLast().cached();
    }

    private int[] secondTurnsCached(int slots, Conversation... talks) {
        try (LocalBackend backend = new LocalBackend(TinyModelStore.create(dir.resolve("s" + slots), "tiny", 7, 1024),
                LocalBackend.Settings.defaults().withObserver(events::add).withCacheSlots(slots)
                        .withNumParallel(1))) { // one at a time here; a model keeps max(slots, parallel) caches
            List<Completion> firsts = new ArrayList<>();
            List<Integer> promptLengths = new ArrayList<>();
            for (Conversation c : talks) {
                Completion done = backend.generate(chat(c.first()), TextSink.DISCARD);
                firsts.add(done);
                promptLengths.add(done.promptTokens());
            }
            int[] cached = new int[talks.length];
            for (int i = 0; i < talks.length; i++) {
                backend.generate(chat(talks[i].second(firsts.get(i).text())), TextSink.DISCARD);
                cached[i] = cachedOfLast();
                if (slots >= talks.length) {
                    // the whole first prompt came from the cache (the answer's tokens re-rendered by the template may differ)
                    assertThat(cached[i]).as("conversation %d", i).isGreaterThanOrEqualTo(promptLengths.get(i));
                }
            }
            return cached;
        }
    }

    private static final Conversation A = new Conversation("You are a sailor. " + "Speak of the sea and its storms. ".repeat(8),
            "Where do we sail?");
    private static final Conversation B = new Conversation("You are a baker. " + "Speak of bread and ovens at dawn. ".repeat(8),
            "What do we bake?");
    private static final Conversation C = new Conversation("You are a judge. " + "Speak of laws and fair verdicts. ".repeat(8),
            "Who is guilty?");

    @Test
    void conversationsTakingTurnsEachKeepTheirCache() {
        int[] cached = secondTurnsCached(4, A, B, C);
        for (int n : cached) {
            assertThat(n).isGreaterThan(60);
        }
    }

    @Test
    void withOneSlotEachTurnEvictsTheOther() {
        events.clear();
        int[] cached = secondTurnsCached(1, A, B);
        // A's second turn finds B's conversation in the only cache: only the template's opening is shared
        assertThat(cached[0]).isLessThan(10);
    }

    @Test
    void theLeastRecentlyUsedConversationGoesFirst() {
        events.clear();
        int[] cached = secondTurnsCached(2, A, B, C);
        // C evicted A (the least recently used); A's second turn then evicted B, and B's evicted C
        assertThat(cached[0]).isLessThan(10);
        assertThat(cached[1]).isLessThan(10);
        assertThat(cached[2]).isLessThan(10);
    }
}

package dev.hypha.node.gateway.local;

import dev.hypha.ml.llm.Session;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The KV caches a resident model keeps between requests, so the next turn of a chat, or another request sharing a
 * long prefix (a system prompt), processes only what is new (llama.cpp's slots, Ollama's prompt cache). A request
 * takes the slot whose cached tokens share the longest prefix with its prompt, if that keeps at least half of what the
 * slot holds; otherwise a new slot while there are fewer than the limit, else the least recently used one. So two
 * users taking turns each keep their own conversation cached instead of evicting each other's.
 *
 * <p>Memory: a slot's cache is the whole context in floats (2 × layers × context × KV width), and a new one is made
 * only when the heap has room for it ({@code KvCache} checks); without room the least recently used slot is reused.
 * A slot is busy from {@link #take} until {@link #release} (a request generating in it, while others generate in theirs:
 * continuous batching); busy slots are never handed out. Not thread-safe: the caller synchronizes.
 */
final class PromptCache {
    /** One KV cache and the tokens whose keys and values it holds (length == session.position()). */
    static final class Slot {
        final Session session;
        private int[] tokens = new int[0];
        private long used;
        private boolean busy;

        private Slot(Session session) {
            this.session = session;
        }

        /** How many leading tokens of {@code prompt} this slot holds already. */
        int reusable(int[] prompt) {
            int n = Math.min(tokens.length, prompt.length);
            int i = 0;
            while (i < n && tokens[i] == prompt[i]) {
                i++;
            }
            return i;
        }

        /** After a run: the cache holds these tokens. */
        void holds(int[] cached) {
            tokens = cached;
        }

        /** After a failed run: what the cache holds is unknown, so it counts as empty. */
        void forget() {
            session.rewind(0);
            tokens = new int[0];
        }
    }

    private final IntFunction<Session> sessions;
    private final int maxSlots;
    private final List<Slot> slots = new ArrayList<>();
    private long tick;

    /**
     * @param sessions makes a session (a KV cache) of a context size
     * @param maxSlots most caches kept at once
     */
    PromptCache(IntFunction<Session> sessions, int maxSlots) {
        if (maxSlots < 1) {
            throw new IllegalArgumentException("at least one prompt cache slot is needed, got " + maxSlots);
        }
        this.sessions = sessions;
        this.maxSlots = maxSlots;
    }

    /** The slot to run {@code prompt} in with a context of {@code ctx}. */
    Slot take(int ctx, int[] prompt) {
        Slot best = null;
        int bestPrefix = 0;
        for (Slot s : slots) {
            int n = !s.busy && s.session.contextSize() == ctx ? s.reusable(prompt) : 0;
            if (n > bestPrefix) {
                best = s;
                bestPrefix = n;
            }
        }
        if (best != null && 2L * bestPrefix >= best.tokens.length) {
            return touch(best);
        }
        if (slots.size() < maxSlots) {
            try {
                Slot fresh = new Slot(sessions.apply(ctx));
                slots.add(fresh);
                return touch(fresh);
            } catch (IllegalArgumentException noRoom) {
                if (slots.stream().allMatch(s -> s.busy)) {
                    throw noRoom; // not even one more cache fits: the request cannot run
                }
                // no heap for another cache: reuse one below
            }
        }
        Slot lru = slots.stream().filter(s -> !s.busy).min(Comparator.comparingLong(s -> s.used))
                .orElseThrow(() -> new IllegalStateException("all " + slots.size() + " prompt cache slots are in use; "
                        + "the model runs at most that many requests at once"));
        if (lru.session.contextSize() != ctx) {
            slots.remove(lru); // let the old cache go before the new one is allocated
            Slot fresh = new Slot(sessions.apply(ctx));
            slots.add(fresh);
            return touch(fresh);
        }
        return touch(lru); // whatever prefix it shares (a template's opening) is still reused
    }

    /** The context size of the most recently used cache, if any. */
    java.util.OptionalInt lastContext() {
        return slots.stream().max(Comparator.comparingLong(s -> s.used))
                .map(s -> java.util.OptionalInt.of(s.session.contextSize())).orElse(java.util.OptionalInt.empty());
    }

    int size() {
        return slots.size();
    }

    /** The request that took {@code s} is done with it. */
    void release(Slot s) {
        s.busy = false;
    }

    private Slot touch(Slot s) {
        s.used = ++tick;
        s.busy = true;
        return s;
    }
}

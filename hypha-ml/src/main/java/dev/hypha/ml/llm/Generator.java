package dev.hypha.ml.llm;

import dev.hypha.ml.sampling.Sampler;
import dev.hypha.ml.sampling.SamplingOptions;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Generates text: processes a prompt (batched), then samples one token at a time, streaming each token and the text
 * it completes to a listener, until an end-of-generation token, a stop sequence, the token limit or a full context.
 *
 * <p>Stop sequences are matched on the decoded text; text that might be the start of a stop sequence is held back
 * from the listener until it is clear, and the stop sequence itself is never emitted.
 */
public final class Generator {
    /**
     * @param maxTokens  most tokens to generate (at least 1)
     * @param sampling   sampler settings
     * @param stop       stop sequences (text)
     */
    public record Options(int maxTokens, SamplingOptions sampling, List<String> stop) {
        public Options {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("max tokens must be at least 1, got " + maxTokens);
            }
            stop = List.copyOf(stop);
            for (String s : stop) {
                if (s.isEmpty()) {
                    throw new IllegalArgumentException("stop sequences must not be empty");
                }
            }
        }

        public static Options greedy(int maxTokens) {
            return new Options(maxTokens, SamplingOptions.greedy(), List.of());
        }
    }

    /** Receives each generated token and the text it releases (possibly empty). */
    @FunctionalInterface
    public interface Listener {
        void onToken(int token, String text);
    }

    /** Why generation ended. */
    public enum StopReason { END_OF_GENERATION, STOP_SEQUENCE, MAX_TOKENS, CONTEXT_FULL }

    /** Counts and durations (nanoseconds) in Ollama's terms. */
    public record Stats(int promptTokens, int generatedTokens, long promptEvalNanos, long evalNanos) {}

    /** The outcome: generated tokens (the end-of-generation token excluded), the text, and why it stopped. */
    public record Result(int[] tokens, String text, StopReason stopReason, Stats stats) {}

    private final Session session;
    private final TokenDecoder decoder;
    private final LongSupplier nanoClock;
    private final SpeculativeDraft draft;
    private final SessionRunner runner;

    public Generator(Session session, TokenDecoder decoder) {
        this(session, decoder, System::nanoTime);
    }

    /** With an injected clock for the statistics (results never depend on it). */
    public Generator(Session session, TokenDecoder decoder, LongSupplier nanoClock) {
        this(session, decoder, nanoClock, (SpeculativeDraft) null);
    }

    /**
     * With a draft model for speculative decoding ({@link SpeculativeDraft}), used for greedy generations without a
     * constraint (others decode as usual): the tokens, text and stop reason are exactly those without the draft.
     */
    public Generator(Session session, TokenDecoder decoder, LongSupplier nanoClock, SpeculativeDraft draft) {
        this(session, decoder, nanoClock, draft, SessionRunner.DIRECT);
    }

    /**
     * Feeding the session through {@code runner} (a {@link ContinuousBatcher} stream, so that this generation's decode
     * steps are shared with other sessions'); the results are the same bits as with the session alone.
     */
    public Generator(Session session, TokenDecoder decoder, LongSupplier nanoClock, SessionRunner runner) {
        this(session, decoder, nanoClock, null, runner);
    }

    private Generator(Session session, TokenDecoder decoder, LongSupplier nanoClock, SpeculativeDraft draft,
                      SessionRunner runner) {
        this.session = session;
        this.decoder = decoder;
        this.nanoClock = nanoClock;
        this.draft = draft;
        this.runner = java.util.Objects.requireNonNull(runner, "runner");
    }

    /**
     * Appends {@code prompt} to the session and generates.
     *
     * @throws ContextOverflowException if the prompt does not fit the remaining context (nothing is processed)
     */
    public Result generate(int[] prompt, Options options, Listener listener) {
        return generate(prompt, options, listener, TokenConstraint.NONE);
    }

    /**
     * As {@link #generate(int[], Options, Listener)}, picking only tokens {@code constraint} allows.
     *
     * @throws ContextOverflowException if the prompt does not fit the remaining context (nothing is processed)
     */
    public Result generate(int[] prompt, Options options, Listener listener, TokenConstraint constraint) {
        if (draft != null && constraint == TokenConstraint.NONE && options.sampling().temperature() <= 0
                && draft.follow(session.position()) && draft.room() >= session.contextSize() - session.position()) {
            return generateSpeculatively(prompt, options, listener);
        }
        Sampler sampler = new Sampler(options.sampling());
        int[] history = Arrays.copyOf(prompt, prompt.length + options.maxTokens());
        int historyLength = prompt.length;
        long t0 = nanoClock.getAsLong();
        float[] logits = runner.process(session, prompt);
        long t1 = nanoClock.getAsLong();
        StopText text = new StopText(options.stop(), listener);
        int[] generated = new int[options.maxTokens()];
        int count = 0;
        StopReason reason = StopReason.MAX_TOKENS;
        while (count < options.maxTokens()) {
            int token;
            if (constraint == TokenConstraint.NONE) {
                token = sampler.sample(logits, history, historyLength);
            } else {
                constraint.mask(logits);
                token = sampler.sample(logits, history, historyLength);
                if (logits[token] == Float.NEGATIVE_INFINITY) {
                    token = Sampler.argmax(logits); // a rounding edge of the draw landed on a masked token
                }
                constraint.accept(token);
            }
            if (decoder.isEndOfGeneration(token)) {
                reason = StopReason.END_OF_GENERATION;
                break;
            }
            generated[count++] = token;
            history[historyLength++] = token;
            if (text.push(token, decoder.bytes(token))) {
                reason = StopReason.STOP_SEQUENCE;
                break;
            }
            if (count == options.maxTokens()) {
                break;
            }
            if (session.position() >= session.contextSize()) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            logits = runner.process(session, new int[] {token});
        }
        String finalText = text.finish(reason != StopReason.STOP_SEQUENCE);
        long t2 = nanoClock.getAsLong();
        return new Result(Arrays.copyOf(generated, count), finalText, reason,
                new Stats(prompt.length, count, t1 - t0, t2 - t1));
    }

    /**
     * Greedy decoding with the draft's guesses checked in batches. Each round: the draft, fed the newest token,
     * guesses up to k tokens; the target processes the newest token and the guesses in one pass and picks (with the
     * same sampler and history as plain decoding) a token after each; guesses are kept while they equal the target's
     * picks, and the first pick that differs (or the pick after all k) is the next newest token. Both sessions are
     * then rewound to what was kept, so at the end the target holds exactly what plain decoding leaves in it.
     */
    private Result generateSpeculatively(int[] prompt, Options options, Listener listener) {
        Sampler sampler = new Sampler(options.sampling());
        int[] history = Arrays.copyOf(prompt, prompt.length + options.maxTokens());
        int historyLength = prompt.length;
        int start = session.position();
        long t0 = nanoClock.getAsLong();
        float[] logits = session.process(prompt);
        draft.feed(prompt);
        long t1 = nanoClock.getAsLong();
        StopText text = new StopText(options.stop(), listener);
        int[] generated = new int[options.maxTokens()];
        int count = 0;
        StopReason reason = StopReason.MAX_TOKENS;
        int[] backlog = new int[0]; // kept tokens the draft has not been fed yet
        int[] guesses = new int[draft.draftTokens()];
        int next = sampler.sample(logits, history, historyLength);
        rounds:
        while (true) {
            // the newest token: emit it as plain decoding would
            if (decoder.isEndOfGeneration(next)) {
                reason = StopReason.END_OF_GENERATION;
                break;
            }
            generated[count++] = next;
            history[historyLength++] = next;
            if (text.push(next, decoder.bytes(next))) {
                reason = StopReason.STOP_SEQUENCE;
                break;
            }
            if (count == options.maxTokens()) {
                break;
            }
            if (session.position() >= session.contextSize()) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            // guesses must leave room for the newest token in the target's context, and are useless past the limit
            int k = Math.min(draft.draftTokens(), Math.min(options.maxTokens() - count,
                    session.contextSize() - session.position() - 1));
            if (k <= 0) {
                logits = session.process(new int[] {next});
                int[] catchUp = Arrays.copyOf(backlog, backlog.length + 1);
                catchUp[backlog.length] = next;
                draft.feed(catchUp);
                backlog = new int[0];
                next = sampler.sample(logits, history, historyLength);
                continue;
            }
            int base = session.position(); // where the newest token goes
            int[] feed = Arrays.copyOf(backlog, backlog.length + 1);
            feed[backlog.length] = next;
            float[] dl = draft.feed(feed);
            for (int i = 0; i < k; i++) {
                guesses[i] = Sampler.argmax(dl);
                if (i + 1 < k) {
                    dl = draft.feed(new int[] {guesses[i]});
                }
            }
            int[] check = new int[k + 1];
            check[0] = next;
            System.arraycopy(guesses, 0, check, 1, k);
            float[][] all = session.processAll(check);
            int kept = 0;
            while (true) {
                int pick = sampler.sample(all[kept], history, historyLength);
                if (kept == k || pick != guesses[kept]) {
                    next = pick;
                    break;
                }
                // the guess is the target's own pick: emit it
                kept++;
                int token = pick;
                if (decoder.isEndOfGeneration(token)) {
                    reason = StopReason.END_OF_GENERATION;
                    settle(base + kept, kept, k);
                    break rounds;
                }
                generated[count++] = token;
                history[historyLength++] = token;
                if (text.push(token, decoder.bytes(token))) {
                    reason = StopReason.STOP_SEQUENCE;
                    settle(base + kept, kept, k);
                    break rounds;
                }
                if (count == options.maxTokens()) {
                    settle(base + kept, kept, k);
                    break rounds;
                }
            }
            draft.counted(k, kept);
            // the target keeps the newest token and the kept guesses; the draft was fed all but the last guess
            session.rewind(base + 1 + kept);
            draft.rewind(base + 1 + kept);
            backlog = kept == k ? new int[] {guesses[k - 1]} : new int[0];
        }
        // leave the target as plain decoding does: everything but the last emitted token processed (all of them
        // when an end-of-generation token was picked after it)
        int processed = start + prompt.length + (reason == StopReason.END_OF_GENERATION ? count : Math.max(0, count - 1));
        session.rewind(Math.min(processed, session.position()));
        if (draft.position() < session.position() && backlog.length > 0) {
            draft.feed(backlog); // the last round's final guess, so the next generation can follow the target
        }
        draft.rewind(session.position());
        String finalText = text.finish(reason != StopReason.STOP_SEQUENCE);
        long t2 = nanoClock.getAsLong();
        return new Result(Arrays.copyOf(generated, count), finalText, reason,
                new Stats(prompt.length, count, t1 - t0, t2 - t1));
    }

    /** Bookkeeping when a round ends the generation: {@code kept} of {@code k} guesses were emitted. */
    private void settle(int position, int kept, int k) {
        draft.counted(k, kept);
        session.rewind(Math.min(position, session.position()));
    }

    /** Accumulates generated text, watches for stop sequences, and releases safe text to the listener. */
    private static final class StopText {
        private final List<String> stops;
        private final Listener listener;
        private final Utf8Stream utf8 = new Utf8Stream();
        private final StringBuilder text = new StringBuilder();
        private int emitted;
        private int lastToken = -1;

        StopText(List<String> stops, Listener listener) {
            this.stops = stops;
            this.listener = listener;
        }

        /** Adds a token's bytes; returns true when a stop sequence has appeared. */
        boolean push(int token, byte[] bytes) {
            lastToken = token;
            text.append(utf8.push(bytes));
            int stopAt = firstStop();
            if (stopAt >= 0) {
                text.setLength(stopAt);
                release(token, Math.max(emitted, stopAt));
                return true;
            }
            release(token, text.length() - heldBack());
            return false;
        }

        String finish(boolean flush) {
            if (flush) {
                text.append(utf8.flush());
                int stopAt = firstStop();
                if (stopAt >= 0) {
                    text.setLength(stopAt);
                }
                if (text.length() > emitted && lastToken >= 0) {
                    listener.onToken(lastToken, text.substring(emitted));
                    emitted = text.length();
                }
            }
            return text.toString();
        }

        private void release(int token, int upTo) {
            String piece = upTo > emitted ? text.substring(emitted, upTo) : "";
            emitted = Math.max(emitted, upTo);
            listener.onToken(token, piece);
        }

        private int firstStop() {
            int best = -1;
            for (String s : stops) {
                int from = Math.max(0, emitted - s.length());
                int i = text.indexOf(s, from);
                if (i >= 0 && (best < 0 || i < best)) {
                    best = i;
                }
            }
            return best;
        }

        /** Length of the longest end of the text that is a proper prefix of a stop sequence. */
        private int heldBack() {
            int held = 0;
            for (String s : stops) {
                for (int len = Math.min(s.length() - 1, text.length()); len > held; len--) {
                    if (text.substring(text.length() - len).equals(s.substring(0, len))) {
                        held = len;
                        break;
                    }
                }
            }
            return held;
        }
    }
}

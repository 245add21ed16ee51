package dev.hypha.ml.llm;

/**
 * A small draft model's session for speculative decoding: the {@link Generator} lets it guess the next few tokens
 * one at a time (cheap), then the target model checks all the guesses in one batched pass (about the cost of one
 * token, since decoding is bound by reading the weights) and keeps the guesses up to the first one it would not have
 * picked itself, plus its own pick there. Greedy decoding only, so the output is exactly the target's own greedy
 * output, whatever the draft guesses; only the speed depends on the draft.
 *
 * <p>The draft must share the target's vocabulary (same ids for the same texts; {@link #SpeculativeDraft} checks the
 * size, the caller the texts). It mirrors the target's context: every token the generator gives the target it also
 * gives the draft, so a target rewound to an earlier position (a conversation reusing its cached prefix) is followed
 * by rewinding the draft. A target fed tokens without the draft (its position beyond the draft's) cannot be
 * followed; the generator then decodes without the draft. Feeding a target outside the generator while keeping the
 * draft is the caller's mistake: the draft would guess from the wrong context, which costs speed, never exactness.
 *
 * <p>Not thread-safe: one generation at a time, like its session.
 */
public final class SpeculativeDraft {
    /** Most tokens guessed per round. */
    public static final int MAX_DRAFT_TOKENS = 32;

    private final Session session;
    private final int draftTokens;
    private long drafted;
    private long accepted;

    /**
     * @param session     a session of the draft model, at position 0, with a context at least the target's
     * @param draftTokens tokens guessed per round (1..{@value #MAX_DRAFT_TOKENS}); 4-8 suits most pairs
     * @param targetVocab the target model's vocabulary size, which the draft's must equal
     */
    public SpeculativeDraft(Session session, int draftTokens, int targetVocab) {
        if (draftTokens < 1 || draftTokens > MAX_DRAFT_TOKENS) {
            throw new IllegalArgumentException("draft tokens must be between 1 and " + MAX_DRAFT_TOKENS + ", got " + draftTokens);
        }
        if (session.model().config().vocabSize() != targetVocab) {
            throw new IllegalArgumentException("the draft model's vocabulary has " + session.model().config().vocabSize()
                    + " tokens and the target's " + targetVocab + "; a draft must share the target's vocabulary");
        }
        if (session.position() != 0) {
            throw new IllegalArgumentException("the draft session must start empty, it holds " + session.position() + " tokens");
        }
        this.session = session;
        this.draftTokens = draftTokens;
    }

    public int draftTokens() {
        return draftTokens;
    }

    /** Tokens guessed so far, over every generation. */
    public long drafted() {
        return drafted;
    }

    /** Guesses the target kept, over every generation. */
    public long accepted() {
        return accepted;
    }

    /** Room left in the draft's context. */
    int room() {
        return session.contextSize() - session.position();
    }

    int position() {
        return session.position();
    }

    /**
     * Rewinds the draft to the target's position {@code targetPosition}; false when the draft holds fewer tokens (the
     * target was fed tokens without it), and then the draft is emptied.
     */
    boolean follow(int targetPosition) {
        if (session.position() < targetPosition) {
            session.rewind(0);
            return false;
        }
        session.rewind(targetPosition);
        return true;
    }

    /** Rewinds to {@code position} (at most the current one). */
    void rewind(int position) {
        session.rewind(Math.min(position, session.position()));
    }

    /** Feeds tokens and returns the logits after the last. */
    float[] feed(int[] tokens) {
        return session.process(tokens);
    }

    void counted(int guessed, int kept) {
        drafted += guessed;
        accepted += kept;
    }
}

package dev.hypha.ml.llm;

/**
 * The part every byte-level structured-output constraint shares: a token is allowed when feeding its bytes to the
 * constraint's automaton keeps the text a valid prefix, the end-of-generation token once the automaton says the text
 * is complete, and a token with no bytes (a control token) never, else a model could pad for ever. Subclasses supply
 * only the automaton; {@link JsonConstraint} and {@link SchemaConstraint} used to repeat this logic each.
 */
abstract sealed class ByteLevelConstraint<S extends ByteLevelConstraint.Automaton<S>> implements TokenConstraint
        permits JsonConstraint, SchemaConstraint {

    /** A parser state that takes one byte at a time; copying it per candidate token must be cheap. */
    interface Automaton<S> {
        /** Takes byte {@code b} (0..255); false if the text can no longer become valid (the state is then spent). */
        boolean push(int b);

        /** Whether the text so far is complete (generation may end here). */
        boolean complete();

        /** Becomes a copy of {@code other}. */
        void set(S other);
    }

    private final JsonConstraint.Vocabulary vocabulary;
    private final S state;
    private final S scratch;
    private final String what;

    /** @param what what the text must be, for errors ("the JSON text") */
    ByteLevelConstraint(JsonConstraint.Vocabulary vocabulary, S state, S scratch, String what) {
        this.vocabulary = vocabulary;
        this.state = state;
        this.scratch = scratch;
        this.what = what;
    }

    /** True once the text is complete (the end-of-generation token is allowed). */
    public final boolean complete() {
        return state.complete();
    }

    @Override
    public final void mask(float[] logits) {
        TokenConstraint.maskRefused(logits, this::allowed, what);
    }

    private boolean allowed(int t) {
        if (t >= vocabulary.bytes().length) {
            return false;
        }
        if (vocabulary.ends()[t]) {
            return state.complete();
        }
        byte[] b = vocabulary.bytes()[t];
        if (b.length == 0) {
            return false;
        }
        scratch.set(state);
        return feed(scratch, b);
    }

    @Override
    public final void accept(int token) {
        if (token < vocabulary.ends().length && vocabulary.ends()[token]) {
            return;
        }
        if (!feed(state, vocabulary.bytes()[token])) {
            throw new IllegalStateException("token " + token + " breaks " + what + "; it was not allowed");
        }
    }

    /** Feeds every byte of {@code text} to {@code automaton}; false at the first byte it refuses. */
    static boolean feed(Automaton<?> automaton, byte[] text) {
        for (byte b : text) {
            if (!automaton.push(b & 0xff)) {
                return false;
            }
        }
        return true;
    }
}

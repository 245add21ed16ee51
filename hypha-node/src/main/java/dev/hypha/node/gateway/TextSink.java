package dev.hypha.node.gateway;

/** Receives generated text as it is released (the HTTP side streams it). */
@FunctionalInterface
public interface TextSink {

    /**
     * One released piece of text (may be empty while a possible stop sequence is held back).
     *
     * @throws GenerationCancelledException when whoever reads the text has gone: generation must stop now
     */
    void accept(String piece);

    /**
     * One released piece of the model's reasoning (the text between its thinking tags, when the call thinks). Sinks
     * that stream must pass it on (Ollama's {@code thinking}, OpenAI's {@code reasoning}); the default drops it,
     * which is right for sinks that read the {@link Completion} at the end, where the whole reasoning is kept.
     *
     * @throws GenerationCancelledException when whoever reads the text has gone: generation must stop now
     */
    default void thinking(String piece) {
    }

    /**
     * Called once, before the prompt is processed, by a backend that prices its own requests
     * ({@link InferenceBackend#budget}): the same budget that method returns for this call, known now that the prompt
     * is rendered. A provider starts admitting the payment here, while the engine reads the prompt, rather than pricing
     * the request in a render of its own first. The default ignores it.
     *
     * @throws GenerationCancelledException when whoever reads the text has gone: generation must stop now
     */
    default void starting(TokenBudget budget) {
    }

    /** A sink sending answer text to {@code text} and reasoning to {@code thinking}. */
    static TextSink of(java.util.function.Consumer<String> text, java.util.function.Consumer<String> thinking) {
        return new TextSink() {
            @Override
            public void accept(String piece) {
                text.accept(piece);
            }

            @Override
            public void thinking(String piece) {
                thinking.accept(piece);
            }
        };
    }

    /**
     * A sink that hands answer text to {@code text} and passes everything else ({@link #starting}, {@link #thinking}) on
     * to {@code rest}: for backends that wrap another's sink to watch or change the text, which must not lose the
     * budget report a paid provider relies on.
     */
    static TextSink wrapping(TextSink rest, java.util.function.Consumer<String> text) {
        return new TextSink() {
            @Override
            public void starting(TokenBudget budget) {
                rest.starting(budget);
            }

            @Override
            public void accept(String piece) {
                text.accept(piece);
            }

            @Override
            public void thinking(String piece) {
                rest.thinking(piece);
            }
        };
    }

    /** A sink for non-streaming answers (the full text comes back in the {@link Completion}). */
    TextSink DISCARD = piece -> { };
}

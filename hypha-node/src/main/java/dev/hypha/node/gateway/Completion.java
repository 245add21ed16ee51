package dev.hypha.node.gateway;

/**
 * A finished generation with Ollama's accounting (every duration in nanoseconds).
 *
 * @param text             the whole answer
 * @param doneReason       why it ended
 * @param promptTokens     tokens of the prompt (all of them, also those a cache made free)
 * @param generatedTokens  tokens generated
 * @param loadNanos        time spent loading the model for this request
 * @param promptEvalNanos  time spent processing the prompt
 * @param evalNanos        time spent generating
 * @param totalNanos       the whole request
 */
public record Completion(String text, DoneReason doneReason, int promptTokens, int generatedTokens, long loadNanos,
                         long promptEvalNanos, long evalNanos, long totalNanos) {

    /** Why generation ended, in the words both APIs use. */
    public enum DoneReason {
        /** The model ended its turn or a stop sequence appeared. */
        STOP("stop"),
        /** The token limit or the context was reached. */
        LENGTH("length");

        private final String wire;

        DoneReason(String wire) {
            this.wire = wire;
        }

        /** "stop" or "length", as Ollama's {@code done_reason} and OpenAI's {@code finish_reason} both say. */
        public String wire() {
            return wire;
        }
    }
}

package dev.hypha.node.gateway;

import java.util.List;

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
 * @param toolCalls        the tools the model called (their text is not in {@code text}); empty for none. The done
 *                         reason stays STOP (Ollama's way); OpenAI's finish_reason "tool_calls" is derived from it
 * @param logprobs         per generated token, when the call asked for them; empty otherwise
 * @param thinking         the model's reasoning before its answer (not in {@code text}), when the call thought;
 *                         empty otherwise
 * @param context          for a templated text prompt (Ollama's /api/generate), the token ids of the prompt and the
 *                         answer, which the next request's {@code context} continues; empty otherwise
 */
public record Completion(String text, DoneReason doneReason, int promptTokens, int generatedTokens, long loadNanos,
                         long promptEvalNanos, long evalNanos, long totalNanos, List<ToolCall> toolCalls,
                         List<TokenLogprob> logprobs, String thinking, List<Integer> context) {

    public Completion {
        toolCalls = List.copyOf(toolCalls);
        logprobs = List.copyOf(logprobs);
        java.util.Objects.requireNonNull(thinking, "thinking");
        context = List.copyOf(context);
    }

    /** A completion that returns no context. */
    public Completion(String text, DoneReason doneReason, int promptTokens, int generatedTokens, long loadNanos,
                      long promptEvalNanos, long evalNanos, long totalNanos, List<ToolCall> toolCalls,
                      List<TokenLogprob> logprobs, String thinking) {
        this(text, doneReason, promptTokens, generatedTokens, loadNanos, promptEvalNanos, evalNanos, totalNanos,
                toolCalls, logprobs, thinking, List.of());
    }

    /** A completion without reasoning. */
    public Completion(String text, DoneReason doneReason, int promptTokens, int generatedTokens, long loadNanos,
                      long promptEvalNanos, long evalNanos, long totalNanos, List<ToolCall> toolCalls,
                      List<TokenLogprob> logprobs) {
        this(text, doneReason, promptTokens, generatedTokens, loadNanos, promptEvalNanos, evalNanos, totalNanos,
                toolCalls, logprobs, "");
    }

    /** A completion with no tool calls and no log-probabilities. */
    public Completion(String text, DoneReason doneReason, int promptTokens, int generatedTokens, long loadNanos,
                      long promptEvalNanos, long evalNanos, long totalNanos) {
        this(text, doneReason, promptTokens, generatedTokens, loadNanos, promptEvalNanos, evalNanos, totalNanos,
                List.of(), List.of());
    }

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

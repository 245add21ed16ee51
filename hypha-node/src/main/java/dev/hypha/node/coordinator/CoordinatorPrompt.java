package dev.hypha.node.coordinator;

import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.Prompt;
import java.util.List;
import java.util.OptionalInt;

/**
 * What an inline request asks of a language model, fixed so that anyone can re-run it and get the same answer (the
 * basis of later verification by re-execution): the input's UTF-8 text is continued exactly as given (raw, no chat
 * template), greedily (argmax at every step, no randomness), for at most the request's maxOutputTokens tokens, with
 * the model's own context size.
 */
public final class CoordinatorPrompt {
    private CoordinatorPrompt() {}

    /** The generation request {@code prompt} asks of {@code model}, generating at most {@code maxOutputTokens}. */
    public static GenerateCall call(String model, String prompt, int maxOutputTokens) {
        return new GenerateCall(model, new Prompt.Text(prompt, null, true), SamplingOptions.greedy(), maxOutputTokens,
                List.of(), OptionalInt.empty(), KeepAlive.DEFAULT, GenerateCall.Format.TEXT);
    }
}

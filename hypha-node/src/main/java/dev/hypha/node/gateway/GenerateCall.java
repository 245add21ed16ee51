package dev.hypha.node.gateway;

import dev.hypha.ml.sampling.SamplingOptions;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One generation, in engine terms (each API's parser fills it with that API's defaults).
 *
 * @param model     the model's name
 * @param prompt    what to continue
 * @param sampling  sampler settings, seed included
 * @param maxTokens most tokens to generate, or -1 for as many as the context allows
 * @param stop      stop sequences (never part of the answer)
 * @param numCtx    the context size to run with; empty for the model's default
 * @param keepAlive how long the model stays loaded afterwards
 * @param format    plain text, or one JSON object (the engine then picks only tokens that keep it valid JSON)
 */
public record GenerateCall(String model, Prompt prompt, SamplingOptions sampling, int maxTokens, List<String> stop,
                           OptionalInt numCtx, KeepAlive keepAlive, Format format) {
    public static final int UNLIMITED = -1;

    /** What the answer must be. */
    public enum Format { TEXT, JSON }

    public GenerateCall {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(format, "format");
        stop = List.copyOf(stop);
        if (maxTokens < 1 && maxTokens != UNLIMITED) {
            throw new IllegalArgumentException("maxTokens must be positive or UNLIMITED, got " + maxTokens);
        }
    }

    /** The same call for the model named {@code name} (the same model under its canonical name, say). */
    public GenerateCall withModel(String name) {
        return new GenerateCall(name, prompt, sampling, maxTokens, stop, numCtx, keepAlive, format);
    }

    /** The same call with another prompt and token limit (the gateway's continuation of a broken-off answer). */
    public GenerateCall withPrompt(Prompt newPrompt, int newMaxTokens) {
        return new GenerateCall(model, newPrompt, sampling, newMaxTokens, stop, numCtx, keepAlive, format);
    }
}

package dev.hypha.node.gateway;

import dev.hypha.ml.sampling.SamplingOptions;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 * @param schema    with format JSON: a JSON Schema (its JSON text) the answer must follow, not only any JSON
 *                  object; empty for none. The engine compiles it and refuses keywords it cannot honour (400).
 * @param tools     functions the model may call; empty for none. Rendered into the prompt by the model's template,
 *                  and calls in the answer come back as {@link Completion#toolCalls()}
 * @param logprobs  empty: no log-probabilities; n (0 to {@link #MAX_TOP_LOGPROBS}): each generated token's
 *                  log-probability and its n most likely alternatives come back as {@link Completion#logprobs()}
 * @param requiredTool the name of one of {@code tools} the model must call (OpenAI's {@code tool_choice} naming a
 *                  function, or "required" with a single tool): the engine then writes exactly one call of it, its
 *                  arguments following the tool's parameter schema; empty lets the model choose
 * @param think     whether a model that reasons before answering (its template has thinking tags) should: true
 *                  thinks and returns the reasoning apart as {@link Completion#thinking()} (refused for a model that
 *                  cannot), false asks it not to; empty is the model's default (Ollama's: think when it can)
 * @param context   Ollama's {@code context} of /api/generate: the token ids a previous answer returned (its prompt and
 *                  answer), which a templated prompt continues; empty for none. Ignored for raw prompts, as Ollama does
 */
public record GenerateCall(String model, Prompt prompt, SamplingOptions sampling, int maxTokens, List<String> stop,
                           OptionalInt numCtx, KeepAlive keepAlive, Format format, Optional<String> schema,
                           List<Tool> tools, OptionalInt logprobs, Optional<String> requiredTool,
                           Optional<Boolean> think, List<Integer> context) {
    public static final int UNLIMITED = -1;
    /** Most alternatives per token (OpenAI's limit for top_logprobs). */
    public static final int MAX_TOP_LOGPROBS = 20;

    /** A call without schema, tools or log-probabilities. */
    public GenerateCall(String model, Prompt prompt, SamplingOptions sampling, int maxTokens, List<String> stop,
                        OptionalInt numCtx, KeepAlive keepAlive, Format format) {
        this(model, prompt, sampling, maxTokens, stop, numCtx, keepAlive, format, Optional.empty(), List.of(),
                OptionalInt.empty(), Optional.empty(), Optional.empty());
    }

    /** A call that continues no earlier context. */
    public GenerateCall(String model, Prompt prompt, SamplingOptions sampling, int maxTokens, List<String> stop,
                        OptionalInt numCtx, KeepAlive keepAlive, Format format, Optional<String> schema,
                        List<Tool> tools, OptionalInt logprobs, Optional<String> requiredTool, Optional<Boolean> think) {
        this(model, prompt, sampling, maxTokens, stop, numCtx, keepAlive, format, schema, tools, logprobs, requiredTool,
                think, List.of());
    }

    /** A call that leaves thinking at the model's default. */
    public GenerateCall(String model, Prompt prompt, SamplingOptions sampling, int maxTokens, List<String> stop,
                        OptionalInt numCtx, KeepAlive keepAlive, Format format, Optional<String> schema,
                        List<Tool> tools, OptionalInt logprobs, Optional<String> requiredTool) {
        this(model, prompt, sampling, maxTokens, stop, numCtx, keepAlive, format, schema, tools, logprobs, requiredTool,
                Optional.empty());
    }

    /** What the answer must be. */
    public enum Format { TEXT, JSON }

    public GenerateCall {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(logprobs, "logprobs");
        stop = List.copyOf(stop);
        tools = List.copyOf(tools);
        Objects.requireNonNull(requiredTool, "requiredTool");
        Objects.requireNonNull(think, "think");
        context = List.copyOf(context);
        if (context.stream().anyMatch(t -> t < 0)) {
            throw new IllegalArgumentException("context token ids must be non-negative");
        }
        if (requiredTool.isPresent() && tools.stream().noneMatch(t -> t.name().equals(requiredTool.get()))) {
            throw new IllegalArgumentException("the required tool " + requiredTool.get() + " is not among the tools");
        }
        if (schema.isPresent() && format != Format.JSON) {
            throw new IllegalArgumentException("a schema needs format JSON");
        }
        if (logprobs.isPresent() && (logprobs.getAsInt() < 0 || logprobs.getAsInt() > MAX_TOP_LOGPROBS)) {
            throw new IllegalArgumentException("logprobs must be between 0 and " + MAX_TOP_LOGPROBS + ", got "
                    + logprobs.getAsInt());
        }
        if (maxTokens < 1 && maxTokens != UNLIMITED) {
            throw new IllegalArgumentException("maxTokens must be positive or UNLIMITED, got " + maxTokens);
        }
    }

    /** The same call for the model named {@code name} (the same model under its canonical name, say). */
    public GenerateCall withModel(String name) {
        return new GenerateCall(name, prompt, sampling, maxTokens, stop, numCtx, keepAlive, format, schema, tools, logprobs,
                requiredTool, think, context);
    }

    /** The same call with another prompt and token limit (the gateway's continuation of a broken-off answer). */
    public GenerateCall withPrompt(Prompt newPrompt, int newMaxTokens) {
        return new GenerateCall(model, newPrompt, sampling, newMaxTokens, stop, numCtx, keepAlive, format, schema, tools,
                logprobs, requiredTool, think, context);
    }

    /** The same call continuing {@code tokens} (Ollama's {@code context}). */
    public GenerateCall withContext(List<Integer> tokens) {
        return new GenerateCall(model, prompt, sampling, maxTokens, stop, numCtx, keepAlive, format, schema, tools,
                logprobs, requiredTool, think, tokens);
    }
}

package dev.hypha.cli.model;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.text.TerminalText;
import dev.hypha.ml.llm.Generator;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.KvCache;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.ml.serve.Conversation;
import dev.hypha.ml.serve.ConversationFullException;
import dev.hypha.ml.serve.LoadedModel;
import dev.hypha.ml.store.ModelName;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypha run NAME ["prompt"]}: answers one prompt, streaming the reply token by token, or, without a prompt,
 * opens an interactive chat that keeps the conversation's history. Prompts go through the model's own chat template.
 * Loading and chatting are hypha-ml's ({@link LoadedModel}, {@link Conversation}); this class turns flags into their
 * options and prints.
 */
@Command(name = "run", description = {"Chat with a stored model on this machine.",
    "With a prompt: print the answer and exit. Without: an interactive chat (/clear forgets, /bye or Ctrl-D leaves)."})
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** The terminal's input; tests replace it. */
    InputStream input = System.in;

    @Parameters(index = "0", paramLabel = "NAME[:TAG]", description = "The model (see `hypha model list`).")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PROMPT", description = "The prompt; omit it to chat.")
    String prompt;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message opening the conversation.")
    String system;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature; 0 is greedy (default 0.8).")
    Float temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens; 0 disables (default 40).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling threshold; 1 disables (default 0.95).")
    Float topP;

    @Option(names = "--min-p", paramLabel = "P", description = "Drop tokens below P times the best; 0 disables (default 0.05).")
    Float minP;

    @Option(names = "--repeat-penalty", paramLabel = "R", description = "Penalty for recent tokens; 1 disables (default 1).")
    Float repeatPenalty;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed, for reproducible sampling (default: random).")
    Long seed;

    @Option(names = "--num-predict", paramLabel = "N",
            description = "Most tokens per answer; -1 means until the model stops or the context is full (default -1).")
    int numPredict = Conversation.UNTIL_CONTEXT_FULL;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all processors).")
    Integer threads;

    @Option(names = "--deterministic",
            description = "Bit-reproducible results across runs, thread counts and machines (a little slower: exact exp()).")
    boolean deterministic;

    @Option(names = "--ctx", paramLabel = "N",
            description = "Context size in tokens (default: the model's, at most " + Model.DEFAULT_CONTEXT + ").")
    Integer ctx;

    @Option(names = "--kv-cache", paramLabel = "TYPE",
            description = "How the KV cache stores keys and values: f32 (default), f16 (half the memory) or q8_0 "
                    + "(about a quarter; needs head lengths that are multiples of 32).")
    String kvCache = "f32";

    @Option(names = "--draft", paramLabel = "MODEL",
            description = "A smaller model with the same vocabulary that drafts tokens for greedy replies (--temperature 0); "
                    + "the reply is exactly the model's own, only faster when the draft guesses well.")
    String draft;

    @Option(names = "--draft-tokens", paramLabel = "N", description = "Tokens the draft guesses per round (default 6).")
    int draftTokens = 6;

    @Override
    public Integer call() {
        SamplingOptions sampling = sampling();
        if (numPredict < 1 && numPredict != Conversation.UNTIL_CONTEXT_FULL) {
            throw HyphaException.input("--num-predict must be a positive number of tokens, or -1 for no limit; got "
                    + numPredict);
        }
        if (threads != null && threads < 1) {
            throw HyphaException.input("--threads must be at least 1, got " + threads);
        }
        Model.Options engine = Model.Options.defaults().withDeterministic(deterministic);
        if (threads != null) {
            engine = engine.withThreads(threads);
        }
        ModelName modelName = ModelName.parse(name);
        try (LoadedModel loaded = LoadedModel.load(StoreAccess.store(spec), modelName, engine)) {
            int contextSize = ctx != null ? ctx : loaded.defaultContext();
            if (contextSize < 1 || contextSize > loaded.trainedContext()) {
                throw HyphaException.input("--ctx must be between 1 and the model's context of "
                        + loaded.trainedContext() + " tokens; got " + contextSize);
            }
            KvCache.Type cacheType;
            try {
                cacheType = KvCache.Type.parse(kvCache);
            } catch (IllegalArgumentException e) {
                throw HyphaException.input("--kv-cache: " + e.getMessage(), e);
            }
            Conversation chat = loaded.newConversation(contextSize, system, cacheType);
            Generator.Options options = new Generator.Options(1, sampling, List.of());
            try (LoadedModel drafter = draft == null ? null
                    : LoadedModel.load(StoreAccess.store(spec), ModelName.parse(draft), engine)) {
                if (drafter != null) {
                    chat.useDraft(loaded.draftFor(drafter, contextSize, draftTokens));
                }
                if (prompt != null) {
                    answer(chat, prompt, options, sampling.seed());
                } else {
                    interactive(chat, options, sampling.seed());
                }
            }
        }
        return CommandLine.ExitCode.OK;
    }

    private SamplingOptions sampling() {
        SamplingOptions s = SamplingOptions.defaults()
                .withSeed(seed != null ? seed : new SecureRandom().nextLong());
        try {
            if (temperature != null) {
                s = s.withTemperature(temperature);
            }
            if (topK != null) {
                s = s.withTopK(topK);
            }
            if (topP != null) {
                s = s.withTopP(topP);
            }
            if (minP != null) {
                s = s.withMinP(minP);
            }
            if (repeatPenalty != null) {
                s = s.withPenalties(repeatPenalty, s.presencePenalty(), s.frequencyPenalty(), s.repeatLastN());
            }
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("bad sampling option: " + e.getMessage(), e);
        }
        return s;
    }

    private void answer(Conversation chat, String text, Generator.Options options, long usedSeed) {
        PrintWriter out = spec.commandLine().getOut();
        Generator.Result result;
        try {
            result = chat.ask(text, numPredict, options, (token, piece) -> {
                // A model file decides what it generates: escape sequences are shown, not run by the terminal.
                out.print(TerminalText.block(piece));
                out.flush();
            });
        } catch (ConversationFullException e) {
            throw HyphaException.input(e.getMessage() + "; start over (/clear) or give a larger --ctx");
        }
        out.println();
        out.flush();
        if (GlobalOptions.of(spec).verbose()) {
            printStats(result, usedSeed, chat);
        }
    }

    private void interactive(Conversation chat, Generator.Options options, long usedSeed) {
        PrintWriter out = spec.commandLine().getOut();
        BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
        out.println("Chatting with " + ModelName.parse(name) + ". /clear forgets the conversation, /bye (or Ctrl-D) leaves.");
        while (true) {
            out.print(">>> ");
            out.flush();
            String line;
            try {
                line = in.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the terminal", e);
            }
            if (line == null) {
                out.println();
                break;
            }
            String text = line.strip();
            if (text.isEmpty()) {
                continue;
            }
            if (text.equals("/bye")) {
                break;
            }
            if (text.equals("/clear")) {
                chat.clear();
                out.println("Cleared the conversation.");
                continue;
            }
            if (text.startsWith("/")) {
                out.println("Unknown command " + text + "; /clear forgets the conversation, /bye leaves.");
                continue;
            }
            try {
                answer(chat, text, options, usedSeed);
            } catch (HyphaException e) {
                // A turn that does not fit is reported and the chat goes on (the user can /clear).
                spec.commandLine().getErr().println("hypha: " + e.getMessage());
            }
            out.println();
        }
        out.flush();
    }

    private void printStats(Generator.Result result, long usedSeed, Conversation chat) {
        Generator.Stats s = result.stats();
        spec.commandLine().getErr().println(String.format(Locale.ROOT,
                "prompt: %d tokens, %.1f tokens/s; answer: %d tokens, %.1f tokens/s; stopped by %s; seed %d",
                s.promptTokens(), perSecond(s.promptTokens(), s.promptEvalNanos()), s.generatedTokens(),
                perSecond(s.generatedTokens(), s.evalNanos()), result.stopReason().name().toLowerCase(Locale.ROOT),
                usedSeed));
        if (chat.draft() != null) {
            spec.commandLine().getErr().println(String.format(Locale.ROOT, "draft: %d of %d guessed tokens kept so far",
                    chat.draft().accepted(), chat.draft().drafted()));
        }
    }

    private static double perSecond(int tokens, long nanos) {
        return nanos <= 0 ? 0 : tokens * 1e9 / nanos;
    }
}

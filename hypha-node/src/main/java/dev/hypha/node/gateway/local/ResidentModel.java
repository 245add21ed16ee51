package dev.hypha.node.gateway.local;

import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.chat.ChatTemplateException;
import dev.hypha.ml.chat.ToolCallFormat;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.Tool;
import java.nio.charset.StandardCharsets;
import dev.hypha.ml.llm.ContextOverflowException;
import dev.hypha.ml.llm.ContinuousBatcher;
import dev.hypha.ml.llm.Generator;
import dev.hypha.ml.llm.JsonConstraint;
import dev.hypha.ml.llm.JsonSchema;
import dev.hypha.ml.llm.LogprobRecorder;
import dev.hypha.node.gateway.TokenLogprob;
import dev.hypha.ml.llm.SchemaConstraint;
import dev.hypha.ml.llm.TokenConstraint;
import dev.hypha.ml.llm.Session;
import dev.hypha.ml.llm.TokenDecoder;
import dev.hypha.ml.serve.LoadedModel;
import dev.hypha.ml.tokenizer.FimTokens;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.tokenizer.TokenizerException;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.GenerationCancelledException;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenBudget;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A model loaded in memory with what its requests share: a {@link PromptCache} of KV caches, each reused for the longest
 * prefix a new prompt has in common with what it holds (chat clients resend the whole history every turn), and a
 * {@link ContinuousBatcher}: up to {@code numParallel} requests generate at once, sharing each decode step (the weights
 * are read once per step for all of them); further requests wait in arrival order. A request's output is the same
 * whatever it is batched with. Prompt rendering takes turns under a fair lock (the renderer is not known to be safe
 * to share between threads).
 */
final class ResidentModel implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LoadedModel loaded;
    private final ModelInfo info;
    private final PromptRenderer renderer;
    /** The template has thinking tags (see {@link ChatTemplate#supportsThinking}). */
    private final boolean supportsThinking;
    /** How this model writes tool calls; empty when its template takes no tools. */
    private final Optional<ToolCallFormat> toolFormat;
    private final TokenDecoder decoder;
    private final int vocabSize;
    private final boolean fillsInTheMiddle;
    private JsonConstraint.Vocabulary jsonVocabulary; // built on the first JSON request
    private final ReentrantLock turn = new ReentrantLock(true); // rendering, and an encoder's embeddings
    private final PromptCache cache;
    /** Runs the model's steps for concurrent requests; null for an embedding model (it cannot generate). */
    private final ContinuousBatcher batcher;
    // Guarded by the backend's lock: requests holding this model, and when it unloads if none does.
    int users;
    Optional<Instant> expiresAt = Optional.empty();
    boolean closed;

    /**
     * @param cacheSlots  most KV caches kept between requests ({@link PromptCache}); raised to {@code numParallel}, since
     *                    every running request holds one
     * @param numParallel most requests generating at once (sharing decode steps)
     */
    ResidentModel(LoadedModel loaded, ModelInfo info, int cacheSlots, int numParallel) {
        this.loaded = loaded;
        this.info = info;
        this.cache = new PromptCache(ctx -> loaded.model().newSession(ctx), Math.max(cacheSlots, numParallel));
        this.batcher = loaded.isEncoder() ? null
                : new ContinuousBatcher(loaded.model(), numParallel, loaded.model().options().batchSize(), info.name());
        Tokenizer tokenizer;
        ChatTemplate template;
        try {
            tokenizer = Tokenizer.fromGguf(loaded.gguf());
            template = ChatTemplate.fromGguf(loaded.gguf());
        } catch (TokenizerException | ChatTemplateException e) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, "model \"" + info.name() + "\" cannot be served: "
                    + e.getMessage(), e);
        }
        this.fillsInTheMiddle = FimTokens.of(loaded.gguf()).isPresent();
        this.renderer = new PromptRenderer(tokenizer, template, FimTokens.of(loaded.gguf()));
        this.toolFormat = toolFormat(template, info.name());
        this.supportsThinking = template.supportsThinking();
        this.decoder = TokenDecoder.of(tokenizer);
        this.vocabSize = tokenizer.vocabSize();
    }

    /**
     * How the template writes tool calls. A template that fails on the probe conversation in an unforeseen way makes
     * the model one without tools, not one that cannot load.
     */
    private static Optional<ToolCallFormat> toolFormat(ChatTemplate template, String model) {
        try {
            return ToolCallFormat.of(template);
        } catch (RuntimeException e) {
            System.getLogger(ResidentModel.class.getName()).log(System.Logger.Level.WARNING,
                    "the chat template of " + model + " failed on a probe tool call; serving it without tools", e);
            return Optional.empty();
        }
    }

    ModelInfo info() {
        return info;
    }

    /** The context of the current session (the default one before the first request). */
    synchronized int contextLength() {
        return cache.lastContext().orElse(loaded.defaultContext());
    }

    /**
     * The engine's outcome, the prompt's length (the generator only sees the part the cache did not cover), and, when
     * the call offered tools, the answer split into its text and the calls it made.
     */
    record Outcome(Generator.Result result, int promptTokens, Optional<ToolCallFormat.Split> split,
                   List<TokenLogprob> logprobs, String answer, String thinking, List<Integer> context) {}

    /**
     * Runs one generation as one of the batcher's streams (waiting, in arrival order, while {@code numParallel} run).
     * An embedding model has no batcher: the call is refused with the reason.
     */
    Outcome generate(GenerateCall call, TextSink sink, Consumer<GenerationEvent> observer) throws InterruptedException {
        if (batcher == null) {
            room(call, new int[0]); // refuses: an embedding model cannot generate
        }
        try (ContinuousBatcher.Stream stream = batcher.open()) {
            return generateInStream(call, sink, observer, stream);
        }
    }

    /**
     * The prompt's tokens and the most this call may generate, rendered exactly as {@link #generate} renders it (in
     * this model's turn, since the renderer is not known to be safe to share between threads).
     */
    TokenBudget budget(GenerateCall call) throws InterruptedException {
        turn.lockInterruptibly();
        try {
            int[] prompt = prompt(call, thinks(call)).tokens();
            int room = room(call, prompt);
            return new TokenBudget(prompt.length, call.maxTokens() == GenerateCall.UNLIMITED ? room
                    : Math.min(call.maxTokens(), room));
        } finally {
            turn.unlock();
        }
    }

    /** Tokens left for the answer in the call's context, refusing a context or prompt that cannot work. */
    private int room(GenerateCall call, int[] prompt) {
        if (loaded.isEncoder()) {
            throw GatewayException.badRequest("model \"" + info.name() + "\" is an embedding model; it cannot chat or "
                    + "generate (use /api/embed or /v1/embeddings)");
        }
        int ctx = call.numCtx().orElse(loaded.defaultContext());
        if (ctx < 1 || ctx > loaded.trainedContext()) {
            throw GatewayException.badRequest("num_ctx must be between 1 and the model's context of "
                    + loaded.trainedContext() + " tokens; got " + ctx);
        }
        if (prompt.length == 0) {
            throw GatewayException.badRequest("the prompt is empty after tokenization; nothing to continue");
        }
        int room = ctx - prompt.length;
        if (room < 1) {
            // Ollama truncates silently; a cut prompt gives answers to a question nobody asked, so say it instead.
            throw GatewayException.badRequest("the prompt is " + prompt.length + " tokens, which leaves no room in a "
                    + "context of " + ctx + " tokens (shorten it or raise num_ctx, at most " + loaded.trainedContext() + ")");
        }
        return room;
    }

    /** The call's prompt, tools included; refuses tools when the template cannot show them. */
    private PromptRenderer.Rendered prompt(GenerateCall call, boolean thinks) {
        if (call.prompt() instanceof Prompt.Infill && !fillsInTheMiddle) {
            // Ollama's answer for a model without the "insert" capability
            throw GatewayException.badRequest(info.name() + " does not support insert");
        }
        if (!call.tools().isEmpty() && toolFormat.isEmpty()) {
            // Ollama's answer too: 400 "<model> does not support tools".
            throw GatewayException.badRequest("model \"" + info.name() + "\" does not support tools (its chat template "
                    + "takes no tool definitions)");
        }
        return renderer.render(call.prompt(), call.tools(), supportsThinking ? Optional.of(thinks) : Optional.empty(),
                call.context());
    }

    /**
     * Whether this call thinks: as asked, by default when the model can (Ollama's default), refused when it cannot.
     * Output held to a format or a required call thinks only when asked to; it then reasons freely and only the
     * answer after the reasoning is held to the structure ({@link ReasonThenAnswer}), as on Ollama.
     */
    private boolean thinks(GenerateCall call) {
        if (call.prompt() instanceof Prompt.Infill) {
            if (call.think().orElse(false)) {
                throw GatewayException.badRequest("think cannot be combined with suffix: filling in the middle writes "
                        + "only the missing text");
            }
            return false;
        }
        boolean constrained = call.format() != GenerateCall.Format.TEXT || call.requiredTool().isPresent();
        if (call.think().isEmpty()) {
            return supportsThinking && !constrained;
        }
        if (!call.think().get()) {
            return false;
        }
        if (!supportsThinking) {
            // Ollama's words: 400 "<model>" does not support thinking
            throw GatewayException.badRequest("\"" + info.name() + "\" does not support thinking (its chat template has "
                    + "no thinking tags)");
        }
        return true;
    }

    private Outcome generateInStream(GenerateCall call, TextSink sink, Consumer<GenerationEvent> observer,
                                     ContinuousBatcher.Stream stream) throws InterruptedException {
        boolean thinks;
        PromptRenderer.Rendered rendered;
        int[] prompt;
        int room;
        turn.lockInterruptibly();
        try {
            thinks = thinks(call);
            rendered = prompt(call, thinks);
            prompt = rendered.tokens();
            room = room(call, prompt);
        } finally {
            turn.unlock();
        }
        int ctx = call.numCtx().orElse(loaded.defaultContext());
        int limit = call.maxTokens() == GenerateCall.UNLIMITED ? room : Math.min(call.maxTokens(), room);
        sink.starting(new TokenBudget(prompt.length, limit));
        PromptCache.Slot slot = takeSlot(ctx, prompt);
        try {
            return generateInSlot(call, sink, observer, stream, slot, thinks, rendered, room, ctx, limit);
        } finally {
            releaseSlot(slot);
        }
    }

    private Outcome generateInSlot(GenerateCall call, TextSink sink, Consumer<GenerationEvent> observer,
                                   ContinuousBatcher.Stream stream, PromptCache.Slot slot, boolean thinks,
                                   PromptRenderer.Rendered rendered, int room, int ctx, int limit) {
        int[] prompt = rendered.tokens();
        Session s = slot.session;
        int reuse = slot.reusable(prompt);
        if (reuse == prompt.length) {
            reuse--; // at least one token must be processed to get the logits of the next one
        }
        s.rewind(reuse);
        int[] tail = Arrays.copyOfRange(prompt, reuse, prompt.length);
        int[] counts = new int[2]; // generated, delivered
        TokenConstraint constraint = constraint(call);
        if (thinks && constraint != TokenConstraint.NONE) {
            constraint = new ReasonThenAnswer(constraint, decoder, vocabSize, rendered.opensThinking());
        }
        LogprobRecorder recorder = null;
        if (call.logprobs().isPresent()) {
            recorder = new LogprobRecorder(constraint, decoder, call.logprobs().getAsInt());
            constraint = recorder;
        }
        ToolCallSink tools = call.tools().isEmpty() ? null : new ToolCallSink(sink, toolFormat.orElseThrow());
        TextSink answerSink = tools == null ? sink : tools;
        ThinkingSink thinking = thinks ? new ThinkingSink(answerSink, rendered.opensThinking()) : null;
        TextSink out = thinking == null ? answerSink : thinking;
        Generator.Result result;
        try {
            result = new Generator(s, decoder, System::nanoTime, stream).generate(tail, new Generator.Options(limit, call.sampling(), call.stop()),
                    (token, text) -> {
                        counts[0]++;
                        if (!text.isEmpty()) {
                            out.accept(text);
                        }
                        counts[1]++;
                    }, constraint);
        } catch (RuntimeException e) {
            // What the cache holds after an interrupted run is unknown here: start the next request from scratch.
            slot.forget();
            observer.accept(new GenerationEvent(info.name(), counts[0], counts[1],
                    e instanceof GenerationCancelledException ? GenerationEvent.Outcome.CANCELLED
                            : GenerationEvent.Outcome.FAILED, reuse));
            if (e instanceof ContextOverflowException) {
                throw GatewayException.badRequest("the prompt does not fit the context of " + ctx + " tokens");
            }
            throw e;
        }
        int[] all = Arrays.copyOf(prompt, prompt.length + result.tokens().length);
        System.arraycopy(result.tokens(), 0, all, prompt.length, result.tokens().length);
        slot.holds(Arrays.copyOf(all, s.position()));
        if (thinking != null) {
            thinking.finish();
        }
        String answer = thinking == null ? result.text() : thinking.answerText();
        Optional<ToolCallFormat.Split> split = Optional.empty();
        if (tools != null) {
            split = Optional.of(toolFormat.orElseThrow().split(answer));
            tools.finish(!split.get().calls().isEmpty());
        }
        observer.accept(new GenerationEvent(info.name(), counts[0], counts[1], GenerationEvent.Outcome.COMPLETED,
                reuse));
        // Ollama returns the context (prompt and answer in tokens) for templated text prompts only.
        List<Integer> context = call.prompt() instanceof Prompt.Text t && !t.raw()
                ? Arrays.stream(all).boxed().toList() : List.of();
        return new Outcome(result, prompt.length, split, recorder == null ? List.of() : logprobs(recorder.entries()),
                answer, thinking == null ? "" : thinking.thinkingText(), context);
    }

    /**
     * What the call asks of each token: one call of its required tool, or per its format nothing, any JSON object, or
     * a value following its schema.
     */
    private TokenConstraint constraint(GenerateCall call) {
        if (call.requiredTool().isPresent()) {
            return requiredCall(call);
        }
        if (call.format() != GenerateCall.Format.JSON) {
            return TokenConstraint.NONE;
        }
        if (call.schema().isEmpty()) {
            return new JsonConstraint(jsonVocabulary());
        }
        JsonSchema schema;
        try {
            schema = JsonSchema.parse(call.schema().get());
        } catch (IllegalArgumentException e) {
            throw GatewayException.badRequest("format: " + e.getMessage());
        }
        return new SchemaConstraint(jsonVocabulary(), schema);
    }

    /**
     * Forces one call of the required tool in the model's own call format: its prefix, then
     * {@code {"name": NAME, ARGUMENTS_KEY: <arguments following the tool's parameter schema>}}.
     */
    private TokenConstraint requiredCall(GenerateCall call) {
        ToolCallFormat f = toolFormat.orElseThrow();
        Tool tool = call.tools().stream().filter(t -> t.name().equals(call.requiredTool().get())).findFirst().orElseThrow();
        ObjectNode schema = JsonNodeFactory.instance.objectNode().put("type", "object");
        ObjectNode props = schema.putObject("properties");
        props.putObject("name").put("const", tool.name());
        JsonSchema compiled;
        try {
            props.set(f.argumentsKey(), JSON.readTree(tool.parameters()));
            schema.putArray("required").add("name").add(f.argumentsKey());
            compiled = JsonSchema.parse(schema);
        } catch (IllegalArgumentException | JsonProcessingException e) {
            throw GatewayException.badRequest("the parameters of tool \"" + tool.name() + "\" cannot be enforced for a "
                    + "required call: " + e.getMessage());
        }
        return new SchemaConstraint(jsonVocabulary(), compiled, f.prefix().getBytes(StandardCharsets.UTF_8));
    }

    /** The recorder's entries with each token's text and bytes. */
    private List<TokenLogprob> logprobs(List<LogprobRecorder.Entry> entries) {
        List<TokenLogprob> out = new ArrayList<>(entries.size());
        for (LogprobRecorder.Entry e : entries) {
            List<TokenLogprob.Alternative> top = new ArrayList<>(e.topTokens().length);
            for (int i = 0; i < e.topTokens().length; i++) {
                byte[] b = decoder.bytes(e.topTokens()[i]);
                top.add(new TokenLogprob.Alternative(new String(b, StandardCharsets.UTF_8), b, e.topLogprobs()[i]));
            }
            byte[] b = decoder.bytes(e.token());
            out.add(new TokenLogprob(new String(b, StandardCharsets.UTF_8), b, e.logprob(), top));
        }
        return out;
    }

    private synchronized JsonConstraint.Vocabulary jsonVocabulary() {
        if (jsonVocabulary == null) {
            jsonVocabulary = JsonConstraint.Vocabulary.of(decoder, vocabSize);
        }
        return jsonVocabulary;
    }

    private synchronized PromptCache.Slot takeSlot(int ctx, int[] prompt) {
        return cache.take(ctx, prompt);
    }

    private synchronized void releaseSlot(PromptCache.Slot slot) {
        cache.release(slot);
    }

    /** Embeddings of {@code inputs} and the tokens read, in this model's turn. */
    record Embedded(List<float[]> vectors, int tokens) {}

    Embedded embed(List<String> inputs, boolean truncate) throws InterruptedException {
        turn.lockInterruptibly();
        try {
            int ctx = loaded.defaultContext();
            List<float[]> vectors = new ArrayList<>(inputs.size());
            int total = 0;
            for (int i = 0; i < inputs.size(); i++) {
                int[] tokens = renderer.embeddingTokens(inputs.get(i));
                if (tokens.length == 0) {
                    throw GatewayException.badRequest("input " + i + " is empty; there is nothing to embed");
                }
                if (tokens.length > ctx) {
                    if (!truncate) {
                        throw GatewayException.badRequest("input " + i + " is " + tokens.length
                                + " tokens, longer than the context of " + ctx + " (set truncate to true to cut it)");
                    }
                    tokens = Arrays.copyOf(tokens, ctx);
                }
                int[] input = tokens;
                // a decoder model's embeddings use its threads, so they run between the batcher's steps
                vectors.add(batcher == null ? loaded.embed(input) : batcher.exclusive(() -> loaded.embed(input)));
                total += tokens.length;
            }
            return new Embedded(vectors, total);
        } finally {
            turn.unlock();
        }
    }

    @Override
    public void close() {
        if (batcher != null) {
            batcher.close();
        }
        loaded.close();
    }
}

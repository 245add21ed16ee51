package dev.hypha.node.gateway.local;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.llm.Generator;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.serve.LoadedModel;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.AdmissionQueue;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.ToolCall;
import dev.hypha.ml.chat.ToolCallFormat;
import dev.hypha.node.gateway.EmbedCall;
import dev.hypha.node.gateway.Embeddings;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.ModelDetails;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.RunningModel;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenBudget;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Answers from the local model store with hypha-ml's engine. A model is loaded by its first request (through
 * {@link LoadedModel}, which verifies the file's content id) and stays loaded for the request's keep-alive; up to
 * {@link Settings#numParallel()} requests to one model generate at once, sharing each decode step (continuous batching,
 * {@link dev.hypha.ml.llm.ContinuousBatcher}), more wait their turn; requests to different models run side by side, and
 * at most {@link AdmissionQueue}'s capacity are held at once.
 */
public final class LocalBackend implements InferenceBackend {
    private static final System.Logger LOG = System.getLogger(LocalBackend.class.getName());

    /**
     * @param engine    engine options for every model (threads, deterministic mode)
     * @param queue     how many requests may run or wait at once before 503
     * @param observer  told about every generation after it ends
     * @param clock     wall time for {@code expires_at} (people read it)
     * @param nanoClock monotonic time for durations
     */
    /**
     * @param cacheSlots KV caches each resident model keeps between requests ({@link PromptCache}): so many
     *                   conversations (or shared system prompts) stay cached while clients take turns
     * @param numParallel requests to one model that generate at once, sharing each decode step (Ollama's
     *                   {@code OLLAMA_NUM_PARALLEL}); each holds a KV cache, so a model keeps at least this many
     */
    public record Settings(Model.Options engine, int queue, Consumer<GenerationEvent> observer, Clock clock,
                           LongSupplier nanoClock, int cacheSlots, int numParallel) {
        /** Four cached conversations per model by default, within what the heap has room for. */
        public static final int DEFAULT_CACHE_SLOTS = 4;
        /**
         * Four concurrent requests per model by default: as many KV caches as {@link #DEFAULT_CACHE_SLOTS} already keeps,
         * so no more memory, and most of the gain of batching on a CPU (see bench/README.md).
         */
        public static final int DEFAULT_NUM_PARALLEL = 4;
        /** The environment variable that sets {@link #numParallel()} where no option does (`hypha up`, providers). */
        public static final String NUM_PARALLEL_ENV = "HYPHA_NUM_PARALLEL";
        /** Most concurrent requests per model (a decode step's rows). */
        public static final int MAX_NUM_PARALLEL = 64;

        public Settings(Model.Options engine, int queue, Consumer<GenerationEvent> observer, Clock clock,
                        LongSupplier nanoClock, int cacheSlots) {
            this(engine, queue, observer, clock, nanoClock, cacheSlots, DEFAULT_NUM_PARALLEL);
        }

        public Settings {
            Objects.requireNonNull(engine, "engine");
            Objects.requireNonNull(observer, "observer");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(nanoClock, "nanoClock");
            if (cacheSlots < 1) {
                throw new IllegalArgumentException("cacheSlots must be at least 1, was " + cacheSlots);
            }
            if (numParallel < 1 || numParallel > MAX_NUM_PARALLEL) {
                throw new IllegalArgumentException("the number of parallel requests per model must be between 1 and "
                        + MAX_NUM_PARALLEL + ", was " + numParallel);
            }
        }

        /** Defaults, with {@link #numParallel()} from {@value #NUM_PARALLEL_ENV} when it is set. */
        public static Settings defaults() {
            return new Settings(Model.Options.defaults(), AdmissionQueue.DEFAULT_CAPACITY, e -> { }, Clock.systemUTC(),
                    System::nanoTime, DEFAULT_CACHE_SLOTS, numParallel(System.getenv()));
        }

        /**
         * {@value #NUM_PARALLEL_ENV} from {@code env}, or {@link #DEFAULT_NUM_PARALLEL} when unset or blank.
         *
         * @throws IllegalArgumentException naming the variable when it is not a number from 1 to {@value #MAX_NUM_PARALLEL}
         */
        public static int numParallel(java.util.Map<String, String> env) {
            String value = env.get(NUM_PARALLEL_ENV);
            if (value == null || value.isBlank()) {
                return DEFAULT_NUM_PARALLEL;
            }
            try {
                int n = Integer.parseInt(value.strip());
                if (n >= 1 && n <= MAX_NUM_PARALLEL) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // worded below
            }
            throw new IllegalArgumentException(NUM_PARALLEL_ENV + " must be a whole number from 1 to " + MAX_NUM_PARALLEL
                    + ", not \"" + value + "\"");
        }

        public Settings withNumParallel(int n) {
            return new Settings(engine, queue, observer, clock, nanoClock, cacheSlots, n);
        }

        public Settings withQueue(int n) {
            return new Settings(engine, n, observer, clock, nanoClock, cacheSlots, numParallel);
        }

        public Settings withObserver(Consumer<GenerationEvent> o) {
            return new Settings(engine, queue, o, clock, nanoClock, cacheSlots, numParallel);
        }

        public Settings withEngine(Model.Options e) {
            return new Settings(e, queue, observer, clock, nanoClock, cacheSlots, numParallel);
        }

        public Settings withCacheSlots(int n) {
            return new Settings(engine, queue, observer, clock, nanoClock, n, numParallel);
        }
    }

    private final ModelStore store;
    private final StoreCatalog catalog;
    private final Settings settings;
    private final AdmissionQueue queue;
    /** Numbers the ids of the tool calls models make ("call_N"), unique in this gateway's lifetime. */
    private final java.util.concurrent.atomic.AtomicLong toolCallIds = new java.util.concurrent.atomic.AtomicLong();
    private final Map<String, ResidentModel> resident = new HashMap<>(); // guarded by this
    private final Map<String, Object> loading = new ConcurrentHashMap<>();
    private final ScheduledExecutorService unloader = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("gateway-unloader").factory());
    private boolean closed; // guarded by this

    public LocalBackend(ModelStore store, Settings settings) {
        this.store = Objects.requireNonNull(store, "store");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.catalog = new StoreCatalog(store);
        this.queue = new AdmissionQueue(settings.queue());
    }

    @Override
    public List<ModelInfo> models() {
        return catalog.list().stream().sorted(Comparator.comparing(ModelInfo::name)).toList();
    }

    @Override
    public ModelDetails show(String model, boolean verbose) {
        return catalog.details(model, verbose);
    }

    /** From the store's manifest alone: {@link #show} parses the whole GGUF header (vocabulary included). */
    @Override
    public ModelInfo info(String model) {
        return StoreCatalog.info(catalog.manifest(model));
    }

    @Override
    public synchronized List<RunningModel> running() {
        List<RunningModel> out = new ArrayList<>();
        for (ResidentModel m : resident.values()) {
            out.add(new RunningModel(m.info(), m.expiresAt, m.contextLength()));
        }
        out.sort(Comparator.comparing(r -> r.info().name()));
        return out;
    }

    @Override
    public long load(String model, KeepAlive keepAlive) {
        if (keepAlive.unloadNow()) {
            String name = catalog.manifest(model).name().toString();
            synchronized (this) {
                ResidentModel m = resident.get(name);
                if (m != null && m.users == 0) {
                    unload(m);
                } else if (m != null) {
                    m.expiresAt = Optional.of(settings.clock().instant()); // unloads when its last request ends
                }
            }
            return 0;
        }
        try (AdmissionQueue.Ticket ignored = queue.enter()) {
            Held held = acquire(model);
            release(held.model, keepAlive);
            return held.loadNanos;
        }
    }

    @Override
    public Completion generate(GenerateCall call, TextSink sink) {
        long start = settings.nanoClock().getAsLong();
        try (AdmissionQueue.Ticket ignored = queue.enter()) {
            Held held = acquire(call.model());
            try {
                ResidentModel.Outcome out = held.model.generate(call, sink, settings.observer());
                Generator.Result r = out.result();
                Completion.DoneReason reason = switch (r.stopReason()) {
                    case END_OF_GENERATION, STOP_SEQUENCE -> Completion.DoneReason.STOP;
                    case MAX_TOKENS, CONTEXT_FULL -> Completion.DoneReason.LENGTH;
                };
                String text = out.split().map(ToolCallFormat.Split::content).orElse(out.answer());
                List<ToolCall> calls = out.split().map(x -> x.calls().stream().map(c -> new ToolCall(
                        "call_" + toolCallIds.incrementAndGet(), c.name(), c.arguments())).toList()).orElse(List.of());
                return new Completion(text, reason, out.promptTokens(), r.stats().generatedTokens(), held.loadNanos,
                        r.stats().promptEvalNanos(), r.stats().evalNanos(), settings.nanoClock().getAsLong() - start,
                        calls, out.logprobs(), out.thinking(), out.context());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GatewayException(GatewayException.Kind.INTERNAL, "interrupted while waiting for model \""
                        + call.model() + "\" (the gateway is stopping)", e);
            } finally {
                release(held.model, call.keepAlive());
            }
        }
    }

    @Override
    public TokenBudget budget(GenerateCall call) {
        try (AdmissionQueue.Ticket ignored = queue.enter()) {
            Held held = acquire(call.model());
            try {
                return held.model.budget(call);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GatewayException(GatewayException.Kind.INTERNAL, "interrupted while pricing a request for model \""
                        + call.model() + "\" (the provider is stopping)", e);
            } finally {
                release(held.model, call.keepAlive());
            }
        }
    }

    @Override
    public Embeddings embed(EmbedCall call) {
        long start = settings.nanoClock().getAsLong();
        if (call.inputs().isEmpty()) {
            throw GatewayException.badRequest("no input to embed");
        }
        try (AdmissionQueue.Ticket ignored = queue.enter()) {
            Held held = acquire(call.model());
            try {
                ResidentModel.Embedded e = held.model.embed(call.inputs(), call.truncate());
                return new Embeddings(e.vectors(), e.tokens(), held.loadNanos, settings.nanoClock().getAsLong() - start);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GatewayException(GatewayException.Kind.INTERNAL, "interrupted while waiting for model \""
                        + call.model() + "\" (the gateway is stopping)", e);
            } finally {
                release(held.model, call.keepAlive());
            }
        }
    }

    private record Held(ResidentModel model, long loadNanos) {}

    /** The resident model for {@code model}, loading it first if needed; counts this request as a user. */
    private Held acquire(String model) {
        ModelManifest manifest = catalog.manifest(model);
        String name = manifest.name().toString();
        // One load per model at a time: a second request for a model being loaded waits for that load.
        Object gate = loading.computeIfAbsent(name, n -> new Object());
        synchronized (gate) {
            synchronized (this) {
                if (closed) {
                    throw new GatewayException(GatewayException.Kind.INTERNAL, "the gateway is stopping");
                }
                ResidentModel m = resident.get(name);
                if (m != null) {
                    m.users++;
                    return new Held(m, 0);
                }
            }
            long t0 = settings.nanoClock().getAsLong();
            ResidentModel m = loadModel(manifest);
            long loadNanos = settings.nanoClock().getAsLong() - t0;
            synchronized (this) {
                if (closed) {
                    m.close();
                    throw new GatewayException(GatewayException.Kind.INTERNAL, "the gateway is stopping");
                }
                resident.put(name, m);
                m.users++;
            }
            return new Held(m, loadNanos);
        }
    }

    private ResidentModel loadModel(ModelManifest manifest) {
        LoadedModel loaded;
        try {
            loaded = LoadedModel.load(store, manifest.name(), settings.engine());
        } catch (HyphaException e) {
            if (e.category() == ErrorCategory.NOT_FOUND) {
                throw GatewayException.modelNotFound(manifest.name().toString());
            }
            throw new GatewayException(GatewayException.Kind.INTERNAL, "cannot load model \"" + manifest.name() + "\": "
                    + e.getMessage(), e);
        }
        try {
            return new ResidentModel(loaded, StoreCatalog.info(manifest), settings.cacheSlots(), settings.numParallel());
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** Ends one request's use of {@code m}; the last user sets when it unloads. */
    private synchronized void release(ResidentModel m, KeepAlive keepAlive) {
        m.users--;
        if (m.closed) {
            return;
        }
        if (closed && m.users == 0) {
            unload(m); // the gateway stopped while this request ran
            return;
        }
        Optional<Duration> d = keepAlive.duration();
        m.expiresAt = d.map(x -> settings.clock().instant().plus(x));
        if (m.users > 0) {
            return;
        }
        if (keepAlive.unloadNow()) {
            unload(m);
        } else if (d.isPresent()) {
            unloader.schedule(() -> unloadIfExpired(m), d.get().toMillis() + 1, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void unloadIfExpired(ResidentModel m) {
        if (!m.closed && m.users == 0 && m.expiresAt.isPresent()
                && !settings.clock().instant().isBefore(m.expiresAt.get())) {
            unload(m);
        }
    }

    private synchronized void unload(ResidentModel m) {
        m.closed = true;
        resident.remove(m.info().name(), m);
        try {
            m.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing model " + m.info().name() + " failed: " + e.getMessage());
        }
    }

    /** Requests running or waiting now. */
    public int pending() {
        return queue.occupied();
    }

    @Override
    public void close() {
        unloader.shutdownNow();
        synchronized (this) {
            closed = true;
            for (ResidentModel m : List.copyOf(resident.values())) {
                if (m.users == 0) {
                    unload(m);
                } else {
                    m.expiresAt = Optional.of(settings.clock().instant());
                }
            }
        }
    }
}

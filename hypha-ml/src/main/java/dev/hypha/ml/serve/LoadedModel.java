package dev.hypha.ml.serve;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.chat.ChatTemplateException;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.encoder.EncoderConfig;
import dev.hypha.ml.encoder.EncoderModel;
import dev.hypha.ml.llm.Embedder;
import dev.hypha.ml.llm.KvCache;
import dev.hypha.ml.llm.Model;
import dev.hypha.ml.llm.Session;
import dev.hypha.ml.llm.SpeculativeDraft;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.tokenizer.Tokenizer;
import dev.hypha.ml.tokenizer.TokenizerException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A model of the local store, loaded and ready to chat: the recipe every caller ({@code hypha run}, later the node's
 * gateway) shares. Loading checks the blob's size, then re-computes its content id on first use in this process
 * ({@link ModelStore#resolveVerified}) while the GGUF file is mapped and the weights packed, so the check costs little
 * wall time on a machine with a spare core; a blob whose content does not match is refused, whatever the load did.
 * Closing releases the weights and the mapping; conversations must not be used after that. Opening conversations is
 * thread-safe (each has its own KV cache), but as {@link Model} says, conversations of one model must not generate at
 * the same time: a server serialises them or loads one model per concurrent user.
 */
public final class LoadedModel implements AutoCloseable {
    private final ModelName name;
    private final GgufFile gguf;
    private final Model model;
    private final EncoderModel encoder;
    private final GgufFile adapter;
    private Tokenizer tokenizer;
    private ChatTemplate template;

    private LoadedModel(ModelName name, GgufFile gguf, Model model, EncoderModel encoder, GgufFile adapter) {
        this.name = name;
        this.gguf = gguf;
        this.model = model;
        this.encoder = encoder;
        this.adapter = adapter;
    }

    /**
     * Loads {@code name} from {@code store}.
     *
     * @throws HyphaException NOT_FOUND for an unknown name, IO for a missing, partial or damaged blob (saying how to
     *                        repair it), INPUT for a file the engine cannot load
     */
    public static LoadedModel load(ModelStore store, ModelName name, Model.Options options) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(options, "options");
        Path blob = store.resolve(name); // cheap checks first: known name, blob present with its size
        CompletableFuture<Path> verified = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("verify " + name).start(() -> {
            try {
                verified.complete(store.resolveVerified(name));
            } catch (Throwable t) {
                verified.completeExceptionally(t);
            }
        });
        GgufFile gguf = null;
        GgufFile adapter = null;
        Model model = null;
        EncoderModel encoder = null;
        try {
            // a model created with --adapter: the base's blob plus a LoRA adapter applied at inference
            java.util.Optional<Path> adapterBlob = store.resolveAdapterVerified(name);
            gguf = GgufFile.open(blob);
            if (EncoderConfig.isEncoder(gguf)) {
                if (adapterBlob.isPresent()) {
                    throw HyphaException.input("model '" + name + "' is an embedding encoder ("
                            + gguf.architecture() + "); LoRA adapters on encoders are not supported");
                }
                encoder = EncoderModel.load(gguf, options.threads());
            } else if (adapterBlob.isPresent()) {
                adapter = GgufFile.open(adapterBlob.get());
                model = Model.load(new dev.hypha.ml.llm.GgufModelSource(gguf), adapter, options);
            } else {
                model = Model.load(gguf, options);
            }
        } catch (RuntimeException loadFailed) {
            if (encoder != null) encoder.close();
            closeQuietly(model, gguf);
            if (adapter != null) adapter.close();
            awaitVerified(verified); // a damaged file explains a failed load better than the load's own error
            throw loadFailed;
        }
        try {
            awaitVerified(verified);
        } catch (RuntimeException damaged) {
            if (encoder != null) encoder.close();
            closeQuietly(model, gguf);
            if (adapter != null) adapter.close();
            throw damaged;
        }
        return new LoadedModel(name, gguf, model, encoder, adapter);
    }

    private static void awaitVerified(CompletableFuture<Path> verified) {
        try {
            verified.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    private static void closeQuietly(Model model, GgufFile gguf) {
        if (model != null) model.close();
        if (gguf != null) gguf.close();
    }

    public ModelName name() {
        return name;
    }

    /**
     * The decoder model.
     *
     * @throws HyphaException INPUT naming the model when it is an embedding encoder ({@link #isEncoder()}), which
     *                        cannot generate
     */
    public Model model() {
        if (model == null) {
            throw HyphaException.input("model '" + name + "' is an embedding model (" + gguf.architecture()
                    + "); it cannot chat or generate, only embed");
        }
        return model;
    }

    /** Whether this is an encoder embedding model (bert, nomic-bert): it embeds and cannot generate. */
    public boolean isEncoder() {
        return encoder != null;
    }

    /**
     * The pooled, L2-normalized embedding of {@code tokens}: the encoder's for an embedding model, else the decoder's
     * final hidden states pooled as its metadata says ({@link Embedder}).
     */
    public float[] embed(int[] tokens) {
        return encoder != null ? encoder.embed(tokens) : new Embedder(model).embed(tokens);
    }

    public GgufFile gguf() {
        return gguf;
    }

    /** The context length the model was trained with, in tokens: the most a conversation can have. */
    public int trainedContext() {
        return encoder != null ? encoder.config().contextLength() : model.config().contextLength();
    }

    /**
     * The context a conversation gets unless asked otherwise: the trained context, at most {@link Model#DEFAULT_CONTEXT}
     * (which bounds the KV cache's memory; Ollama caps {@code num_ctx} the same way).
     */
    public int defaultContext() {
        return Math.min(trainedContext(), Model.DEFAULT_CONTEXT);
    }

    /**
     * A new conversation with an empty KV cache of {@code contextSize} tokens.
     *
     * @param system the system message opening the conversation, or null for none
     * @throws IllegalArgumentException when {@code contextSize} is not between 1 and {@link #trainedContext()}
     * @throws HyphaException INPUT naming the model when it has no usable tokenizer or chat template
     */
    public Conversation newConversation(int contextSize, String system) {
        return newConversation(contextSize, system, KvCache.Type.F32);
    }

    /**
     * As {@link #newConversation(int, String)} with the KV cache stored as {@code cacheType} (F16 halves its memory,
     * Q8_0 takes 34/128 of it; see {@link KvCache}).
     *
     * @throws HyphaException INPUT when the model cannot hold such a cache (Q8_0 needs head lengths that are multiples
     *                        of 32)
     */
    public Conversation newConversation(int contextSize, String system, KvCache.Type cacheType) {
        Model decoder = model(); // an embedding encoder is refused here, before anything else
        if (contextSize < 1 || contextSize > trainedContext()) {
            throw new IllegalArgumentException("context size must be between 1 and the model's context of "
                    + trainedContext() + " tokens; got " + contextSize);
        }
        Tokenizer chatTokenizer;
        ChatTemplate chatTemplate;
        synchronized (this) { // read once, on the first conversation; several threads may ask at once
            try {
                if (tokenizer == null) tokenizer = Tokenizer.fromGguf(gguf);
                if (template == null) template = ChatTemplate.fromGguf(gguf);
            } catch (TokenizerException | ChatTemplateException e) {
                throw HyphaException.input("model '" + name + "' cannot chat: " + e.getMessage(), e);
            }
            chatTokenizer = tokenizer;
            chatTemplate = template;
        }
        Session session;
        try {
            session = decoder.newSession(contextSize, cacheType);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("model '" + name + "': " + e.getMessage(), e);
        }
        return new Conversation(session, chatTokenizer, chatTemplate, system);
    }

    /**
     * A speculative draft for conversations of this model of {@code contextSize} tokens: a session of {@code draft}
     * guessing {@code draftTokens} tokens per round ({@link SpeculativeDraft}).
     *
     * @throws HyphaException INPUT naming both models when the draft's vocabulary differs from this model's (ids must
     *                        mean the same texts), or its context is shorter than {@code contextSize}
     */
    public SpeculativeDraft draftFor(LoadedModel draft, int contextSize, int draftTokens) {
        Tokenizer mine = tokenizer();
        Tokenizer theirs = draft.tokenizer();
        if (mine.vocabSize() != theirs.vocabSize()) {
            throw HyphaException.input("draft model '" + draft.name + "' has " + theirs.vocabSize() + " tokens and '" + name
                    + "' " + mine.vocabSize() + "; a draft must share the model's vocabulary");
        }
        for (int id = 0; id < mine.vocabSize(); id++) {
            if (!mine.tokenText(id).equals(theirs.tokenText(id))) {
                throw HyphaException.input("draft model '" + draft.name + "' differs from '" + name + "' at token " + id
                        + " ('" + theirs.tokenText(id) + "' vs '" + mine.tokenText(id) + "'); a draft must share the model's "
                        + "vocabulary");
            }
        }
        if (contextSize > draft.trainedContext()) {
            throw HyphaException.input("draft model '" + draft.name + "' has a context of " + draft.trainedContext()
                    + " tokens, shorter than the conversation's " + contextSize);
        }
        try {
            return new SpeculativeDraft(draft.model().newSession(contextSize), draftTokens, model().config().vocabSize());
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("cannot draft with '" + draft.name + "': " + e.getMessage(), e);
        }
    }

    private synchronized Tokenizer tokenizer() {
        if (tokenizer == null) {
            try {
                tokenizer = Tokenizer.fromGguf(gguf);
            } catch (TokenizerException e) {
                throw HyphaException.input("model '" + name + "' has no usable tokenizer: " + e.getMessage(), e);
            }
        }
        return tokenizer;
    }

    @Override
    public void close() {
        if (encoder != null) encoder.close();
        closeQuietly(model, gguf);
        if (adapter != null) adapter.close();
    }
}

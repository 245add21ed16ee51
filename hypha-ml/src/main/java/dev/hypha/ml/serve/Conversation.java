package dev.hypha.ml.serve;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.chat.ChatMessage;
import dev.hypha.ml.chat.ChatTemplate;
import dev.hypha.ml.chat.ChatTemplateException;
import dev.hypha.ml.llm.ContextOverflowException;
import dev.hypha.ml.llm.Generator;
import dev.hypha.ml.llm.SpeculativeDraft;
import dev.hypha.ml.llm.Session;
import dev.hypha.ml.llm.TokenDecoder;
import dev.hypha.ml.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A chat with a loaded model: the message history, rendered with the model's own chat template for every turn, and
 * the KV cache of what has been processed. A new turn re-renders the whole conversation but processes only the tokens
 * after the longest prefix already in the cache, so the history is not recomputed turn after turn. Made by
 * {@link LoadedModel#newConversation}; one conversation is used by one thread at a time.
 */
public final class Conversation {
    /** How many new tokens to allow per reply when the caller sets no limit: as many as the context has room for. */
    public static final int UNTIL_CONTEXT_FULL = -1;

    private final Session session;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final String system;
    private final List<ChatMessage> history = new ArrayList<>();
    /** The tokens whose keys and values are in the session's cache, in order (length == session.position()). */
    private int[] cached = new int[0];
    private SpeculativeDraft draft;

    /** @param system the system message opening every conversation, or null for none */
    public Conversation(Session session, Tokenizer tokenizer, ChatTemplate template, String system) {
        this.session = Objects.requireNonNull(session, "session");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.template = Objects.requireNonNull(template, "template");
        this.system = system;
    }

    /**
     * Decodes greedy replies speculatively with {@code draft} (a session of a smaller model with the same vocabulary,
     * see {@link SpeculativeDraft}); replies are exactly those without it. Null turns it off.
     */
    public void useDraft(SpeculativeDraft draft) {
        this.draft = draft;
    }

    /** The draft in use, or null. */
    public SpeculativeDraft draft() {
        return draft;
    }

    /**
     * The prompt tokens of the conversation so far plus {@code user}, ready for the assistant's reply: the template's
     * rendering, tokenized with the model's BOS rule and special tokens recognised (a template that writes the BOS
     * text itself does not get a second BOS).
     */
    public int[] promptTokens(List<ChatMessage> messages) {
        String text;
        try {
            text = template.render(messages, true);
        } catch (ChatTemplateException e) {
            throw HyphaException.input("the model's chat template failed: " + e.getMessage(), e);
        }
        int[] tokens = tokenizer.encode(text, true, true);
        int bos = tokenizer.bos();
        if (tokens.length >= 2 && bos >= 0 && tokens[0] == bos && tokens[1] == bos) {
            tokens = Arrays.copyOfRange(tokens, 1, tokens.length);
        }
        return tokens;
    }

    /**
     * Adds the user's message, generates the reply (streamed to {@code listener}) and adds it to the history.
     *
     * @param maxTokens most tokens in the reply, or {@link #UNTIL_CONTEXT_FULL}
     * @throws ConversationFullException when the conversation no longer fits the context (the message is not kept)
     */
    public Generator.Result ask(String user, int maxTokens, Generator.Options options, Generator.Listener listener) {
        List<ChatMessage> messages = new ArrayList<>();
        if (system != null && !system.isEmpty()) {
            messages.add(new ChatMessage("system", system));
        }
        messages.addAll(history);
        messages.add(new ChatMessage("user", user));
        int[] prompt = promptTokens(messages);
        int reuse = commonPrefix(cached, prompt);
        if (reuse == prompt.length) {
            reuse--; // at least one token must be processed to get the logits of the next one
        }
        int room = session.contextSize() - prompt.length;
        if (room < 1) {
            throw tooLong(prompt.length);
        }
        int limit = maxTokens == UNTIL_CONTEXT_FULL ? room : Math.min(maxTokens, room);
        session.rewind(reuse);
        int[] tail = Arrays.copyOfRange(prompt, reuse, prompt.length);
        Generator.Result result;
        try {
            result = new Generator(session, TokenDecoder.of(tokenizer), System::nanoTime, draft).generate(tail,
                    new Generator.Options(limit, options.sampling(), options.stop()), listener);
        } catch (ContextOverflowException e) {
            cached = Arrays.copyOf(cached, Math.min(cached.length, session.position()));
            throw tooLong(prompt.length);
        }
        int[] all = Arrays.copyOf(prompt, prompt.length + result.tokens().length);
        System.arraycopy(result.tokens(), 0, all, prompt.length, result.tokens().length);
        cached = Arrays.copyOf(all, session.position());
        history.add(new ChatMessage("user", user));
        history.add(new ChatMessage("assistant", result.text()));
        return result;
    }

    /** Forgets the history and empties the cache. */
    public void clear() {
        history.clear();
        session.rewind(0);
        cached = new int[0];
    }

    /** The messages so far (user and assistant turns, without the system message). */
    public List<ChatMessage> history() {
        return List.copyOf(history);
    }

    /** The context size of this conversation's KV cache, in tokens. */
    public int contextSize() {
        return session.contextSize();
    }

    private ConversationFullException tooLong(int promptTokens) {
        return new ConversationFullException(promptTokens, session.contextSize());
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}

package dev.hypha.ml.serve;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;

/** A conversation no longer fits its context: the prompt leaves no room for a reply. The caller decides the remedy. */
public final class ConversationFullException extends HyphaException {
    private static final long serialVersionUID = 1L;

    private final int promptTokens;
    private final int contextSize;

    public ConversationFullException(int promptTokens, int contextSize) {
        super(ErrorCategory.INPUT, "the conversation is " + promptTokens + " tokens, which leaves no room in a context of "
                + contextSize + " tokens");
        this.promptTokens = promptTokens;
        this.contextSize = contextSize;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int contextSize() {
        return contextSize;
    }
}

package dev.hypha.chain;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;

/**
 * A user-facing error from hypha-chain: a one-line message and one of hypha-core's {@link ErrorCategory} values, so
 * the CLI handles it like every other {@link HyphaException}. Built only through {@link ChainErrors}; the subtype
 * remains so callers can catch "anything the chain layer refused" without catching every Hypha error.
 */
public class ChainException extends HyphaException {
    private static final long serialVersionUID = 1L;

    protected ChainException(ErrorCategory category, String message, Throwable cause) {
        super(category, message, cause);
    }
}

package dev.hypha.core.seal;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;

/**
 * Sealed data or a wrapped key that cannot be opened: malformed, truncated, reordered, tampered with, or meant for
 * another key. Nothing of a file that fails is released.
 */
public final class SealException extends HyphaException {
    private static final long serialVersionUID = 1L;

    SealException(String message) {
        super(ErrorCategory.INPUT, message);
    }
}

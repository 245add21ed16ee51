package dev.hypha.core.config;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;

/** A setting could not be read: names the file or variable, the key (and line where known) and what is expected. */
public final class ConfigException extends HyphaException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(ErrorCategory.CONFIG, message);
    }

    public ConfigException(String message, Throwable cause) {
        super(ErrorCategory.CONFIG, message, cause);
    }
}

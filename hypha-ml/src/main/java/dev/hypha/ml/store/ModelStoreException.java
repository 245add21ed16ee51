package dev.hypha.ml.store;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;

/** A model store failure: unknown model, invalid model file, damaged blob or manifest, failed disk operation. */
public final class ModelStoreException extends HyphaException {
    private static final long serialVersionUID = 1L;

    public ModelStoreException(ErrorCategory category, String message) {
        super(category, message);
    }

    public ModelStoreException(ErrorCategory category, String message, Throwable cause) {
        super(category, message, cause);
    }

    static ModelStoreException notFound(ModelName name) {
        return new ModelStoreException(ErrorCategory.NOT_FOUND,
                "no model named '" + name + "' in the local store (see 'hypha model list')");
    }
}

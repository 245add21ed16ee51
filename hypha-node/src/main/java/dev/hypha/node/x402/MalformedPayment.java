package dev.hypha.node.x402;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;

/** An x402 header or body that cannot be used, naming where and what is wrong (an HTTP 400 in x402 terms). */
public final class MalformedPayment extends HyphaException {
    private static final long serialVersionUID = 1L;

    MalformedPayment(String where, String message) {
        super(ErrorCategory.INPUT, where + ": " + message);
    }
}

package dev.hypha.node.payments;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;

/**
 * A voucher a provider must not act on: unknown channel, wrong signer, beyond the deposit, or paying less than the
 * request costs. The message says which, so the payer (or the 402 answer built from it) can fix it.
 */
public final class VoucherRejectedException extends HyphaException {
    private static final long serialVersionUID = 1L;

    public VoucherRejectedException(String message) {
        super(ErrorCategory.AUTH, message);
    }
}

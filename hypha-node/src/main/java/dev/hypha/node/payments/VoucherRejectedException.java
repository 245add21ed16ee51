package dev.hypha.node.payments;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.util.Optional;

/**
 * A voucher a provider must not act on: unknown channel, wrong signer, beyond the deposit, or paying less than the
 * request costs. The message says which, so the payer (or the 402 answer built from it) can fix it.
 */
public final class VoucherRejectedException extends HyphaException {
    private static final long serialVersionUID = 1L;
    private final transient BigInteger charged;

    public VoucherRejectedException(String message) {
        this(message, null);
    }

    /**
     * A voucher short of what the channel already has charged plus the request's maximum; {@code charged} is that
     * charged total, which the 402 tells the payer (its own books fall behind when it stored no receipt for an answer
     * the provider charged: one it refused, or one that broke off).
     */
    public VoucherRejectedException(String message, BigInteger charged) {
        super(ErrorCategory.AUTH, message);
        this.charged = charged;
    }

    /** The channel's charged total, when the voucher was refused for falling short of it. */
    public Optional<BigInteger> charged() {
        return Optional.ofNullable(charged);
    }
}

package dev.hypha.node.provider;

import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenBudget;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.node.payments.VoucherRejectedException;
import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Admits a paid request's payment while the engine reads its prompt, and lets no text out before it is admitted.
 * The backend reports the request's budget when the prompt is rendered ({@link TextSink#starting}); the maximum price
 * follows from it, and the reservation ({@link ChannelGate#admit}: a durable write) runs on its own thread while the
 * prompt is processed. The first piece waits for it, so the provider still records the voucher before it delivers
 * anything (write before acknowledge); a refusal stops the generation at its first piece with {@link Refused}, before a
 * byte of the answer is sent.
 *
 * <p>Used only for payments {@link ChannelGate#vouches} for: a channel the provider tracks, signed by its signer. A
 * stranger's, a forged or a stale payment is refused before any work, as before; what can still be refused here is a
 * voucher short of what is charged plus the request's price, which costs the provider one prompt's processing, once
 * per channel ({@link ChannelGate#admitStarted}).
 */
final class AdmittingSink implements TextSink {
    /** The payment was refused after the generation started: answer 402 (nothing was sent). */
    static final class Refused extends RuntimeException {
        private final transient VoucherRejectedException reason;
        private final BigInteger maximum;

        Refused(VoucherRejectedException reason, BigInteger maximum) {
            super(reason.getMessage(), reason, false, false);
            this.reason = reason;
            this.maximum = maximum;
        }

        VoucherRejectedException reason() {
            return reason;
        }

        /** The request's maximum price, for the 402. */
        BigInteger maximum() {
            return maximum;
        }
    }

    private static final Executor ADMITTING = task -> Thread.ofVirtual().name("provider-admission").start(task);

    private final TextSink out;
    private final Function<TokenBudget, BigInteger> price;
    private final Function<BigInteger, ProviderLedger.Reservation> admit;
    private volatile BigInteger maximum;
    private volatile CompletableFuture<ProviderLedger.Reservation> admission;
    private boolean upFront;

    /**
     * @param out   where admitted text goes
     * @param price the maximum price of a request with a given budget
     * @param admit reserves that maximum on the payment's channel ({@link ChannelGate#admit}), throwing
     *              {@link VoucherRejectedException} when the voucher cannot pay for it
     */
    AdmittingSink(TextSink out, Function<TokenBudget, BigInteger> price,
                  Function<BigInteger, ProviderLedger.Reservation> admit) {
        this.out = Objects.requireNonNull(out, "out");
        this.price = Objects.requireNonNull(price, "price");
        this.admit = Objects.requireNonNull(admit, "admit");
    }

    /** A sink for a payment admitted before the generation started: it only passes text on. */
    static AdmittingSink admitted(TextSink out, BigInteger maximum, ProviderLedger.Reservation reservation) {
        AdmittingSink sink = new AdmittingSink(out, b -> maximum, m -> reservation);
        sink.maximum = maximum;
        sink.admission = CompletableFuture.completedFuture(reservation);
        sink.upFront = true;
        return sink;
    }

    @Override
    public void starting(TokenBudget budget) {
        if (upFront) {
            return; // priced and admitted before the generation started
        }
        if (admission != null) {
            throw new IllegalStateException("the backend reported a budget twice");
        }
        BigInteger max = price.apply(budget);
        maximum = max;
        admission = CompletableFuture.supplyAsync(() -> admit.apply(max), ADMITTING);
    }

    @Override
    public void accept(String piece) {
        reservation();
        out.accept(piece);
    }

    @Override
    public void thinking(String piece) {
        reservation();
        out.thinking(piece);
    }

    /** The request's maximum price (known once the backend reported the budget). */
    BigInteger maximum() {
        return Objects.requireNonNull(maximum, "the backend has not reported the budget");
    }

    /**
     * The request's reservation, waiting for it if the admission still runs.
     *
     * @throws Refused when the payment was refused
     */
    ProviderLedger.Reservation reservation() {
        CompletableFuture<ProviderLedger.Reservation> a = admission;
        if (a == null) {
            throw new IllegalStateException("the backend produced text before reporting its budget "
                    + "(InferenceBackend.generate must call TextSink.starting first)");
        }
        try {
            return a.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof VoucherRejectedException rejected) {
                throw new Refused(rejected, maximum);
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /**
     * The reservation of a generation that failed, once its admission has settled (empty when it never started or was
     * refused): the caller releases it, since a failed answer is charged nothing.
     */
    Optional<ProviderLedger.Reservation> abandoned() {
        if (admission == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(reservation());
        } catch (RuntimeException refusedOrFailed) {
            return Optional.empty();
        }
    }
}

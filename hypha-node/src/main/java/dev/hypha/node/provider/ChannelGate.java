package dev.hypha.node.provider;

import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.ChannelState;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.node.payments.VoucherRejectedException;
import java.math.BigInteger;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Lets a paid request through: the payment must be for this provider, in its token, on its chain, on a channel that
 * exists on chain with enough deposit, and the ledger must {@link ProviderLedger#reserve reserve} its voucher for the
 * request's maximum price. The chain is read only when a voucher promises more than the deposit last seen (the first
 * voucher on a channel, or one after a top-up), so a payer's steady requests cost no RPC; a close requested later is
 * learnt from the provider's periodic check ({@link #closing}).
 */
public final class ChannelGate {
    private final ProviderTerms terms;
    private final ProviderLedger ledger;
    private final Function<String, ChannelState> chain;
    private final Set<String> closing = ConcurrentHashMap.newKeySet();
    private final Set<String> paidShortOnce = ConcurrentHashMap.newKeySet();

    /**
     * @param chain reads a channel's state by id (e.g. {@code PaymentChannelsClient::state})
     */
    public ChannelGate(ProviderTerms terms, ProviderLedger ledger, Function<String, ChannelState> chain) {
        this.terms = Objects.requireNonNull(terms, "terms");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.chain = Objects.requireNonNull(chain, "chain");
    }

    /**
     * Reserves {@code maxPrice} of the payment's channel for one request.
     *
     * @throws VoucherRejectedException naming why the payment cannot pay for it
     */
    public ProviderLedger.Reservation admit(PaymentHeaders.ChannelPayment payment, BigInteger maxPrice) {
        requireOurs(payment);
        ChannelParams c = payment.channel();
        if (payment.voucher().cumulativeAmount().compareTo(ledger.deposit(c.id())) > 0) {
            refresh(c);
        }
        return ledger.reserve(payment.voucher(), maxPrice);
    }

    /**
     * Whether work may start for {@code payment} while {@link #admitStarted} runs beside it: a payment to this provider
     * on a channel it already tracks, not closing, signed by the channel's signer, within the deposit last seen and not
     * stale ({@link ProviderLedger#vouches}). What is then left to settle is the reservation (a durable write) and
     * whether the voucher covers the request's price, which is known only once the prompt is rendered: a refusal after
     * this is the channel's own payer paying short, never a stranger's forgery.
     */
    public boolean vouches(PaymentHeaders.ChannelPayment payment) {
        try {
            requireOurs(payment);
        } catch (VoucherRejectedException e) {
            return false;
        }
        return !paidShortOnce.contains(payment.channel().id()) && ledger.vouches(payment.voucher());
    }

    /**
     * {@link #admit} for work started on {@link #vouches}'s word. A refusal means the provider processed a prompt for
     * nothing; the channel's later requests then wait for their admission, so a payer can cause that once, not at will.
     */
    public ProviderLedger.Reservation admitStarted(PaymentHeaders.ChannelPayment payment, BigInteger maxPrice) {
        try {
            return admit(payment, maxPrice);
        } catch (VoucherRejectedException e) {
            paidShortOnce.add(payment.channel().id());
            throw e;
        }
    }

    private void requireOurs(PaymentHeaders.ChannelPayment payment) {
        ChannelParams c = payment.channel();
        if (!payment.network().equals(terms.network())) {
            throw new VoucherRejectedException("payment is for network " + payment.network() + "; this provider is paid on "
                    + terms.network());
        }
        if (!c.provider().equals(terms.provider())) {
            throw new VoucherRejectedException("channel " + c.id() + " pays " + c.provider().toChecksumString()
                    + ", not this provider " + terms.provider().toChecksumString());
        }
        if (!c.token().equals(terms.token())) {
            throw new VoucherRejectedException("channel " + c.id() + " holds token " + c.token().toChecksumString()
                    + "; this provider is paid in " + terms.token().toChecksumString());
        }
        if (closing.contains(c.id())) {
            throw new VoucherRejectedException("channel " + c.id() + " is closing: open a new one");
        }
    }

    /** Refuses every further voucher on a channel whose payer asked to close it (seen by the provider's watcher). */
    public void closing(String channelId) {
        closing.add(channelId);
    }

    /** Reads the channel from the chain; its id commits to payer, provider, token, signer and salt, so they match. */
    private void refresh(ChannelParams c) {
        ChannelState state = chain.apply(c.id());
        if (!state.exists()) {
            throw new VoucherRejectedException("channel " + c.id() + " does not exist on chain: open it on the "
                    + "PaymentChannels contract " + terms.channels().toChecksumString() + " first");
        }
        if (!state.isOpen()) {
            throw new VoucherRejectedException("channel " + c.id() + " is " + (state.settled() ? "settled" : "closing")
                    + ": open a new one");
        }
        ledger.track(c, state.deposit());
    }
}

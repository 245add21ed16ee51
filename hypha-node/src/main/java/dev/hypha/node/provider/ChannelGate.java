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
        if (payment.voucher().cumulativeAmount().compareTo(ledger.deposit(c.id())) > 0) {
            refresh(c);
        }
        return ledger.reserve(payment.voucher(), maxPrice);
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

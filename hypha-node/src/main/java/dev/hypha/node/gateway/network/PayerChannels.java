package dev.hypha.node.gateway.network;

import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.ChannelState;
import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.remote.ChannelFunds;
import dev.hypha.node.payments.PayerLedger;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The payer's channels, opened and topped up on demand within the {@link Budget}: one open channel per provider and
 * token, reused across requests and restarts (the {@link PayerLedger} remembers them). Every channel is recorded in the
 * ledger before the transaction that opens it, so a crash between the two leaves a record that the next start checks
 * on chain instead of opening a second channel it would not know about.
 */
public final class PayerChannels implements ChannelFunds {
    /** Most channels tried per provider before giving up (each closed or settled one moves to the next salt). */
    private static final int MAX_SALTS = 64;

    private final PaymentChannelsClient chain;
    private final PayerLedger ledger;
    private final Address payer;
    private final Budget budget;
    private final Map<String, ChannelParams> open = new HashMap<>();

    /**
     * @param chain  the channels contract, as the payer's account (it signs the open and top-up transactions)
     * @param payer  the payer's account, which also signs the vouchers
     */
    public PayerChannels(PaymentChannelsClient chain, PayerLedger ledger, Address payer, Budget budget) {
        this.chain = Objects.requireNonNull(chain, "chain");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.payer = Objects.requireNonNull(payer, "payer");
        this.budget = Objects.requireNonNull(budget, "budget");
    }

    /** The open channel to {@code provider} in {@code token}, opening one with the budget's deposit when there is none. */
    public synchronized ChannelParams channelTo(Address provider, Address token) {
        String key = provider.lowercaseHex() + "/" + token.lowercaseHex();
        ChannelParams known = open.get(key);
        if (known != null) {
            return known;
        }
        for (int n = 1; n <= MAX_SALTS; n++) {
            ChannelParams channel = new ChannelParams(payer, provider, token, payer, ChannelParams.salt(n));
            ChannelState state = state(channel);
            if (state.exists() && state.isOpen()) {
                ledger.track(channel, state.deposit());
                open.put(key, channel);
                return channel;
            }
            if (state.exists()) {
                continue; // closing or settled: its salt is used up
            }
            // Unused salt: record first, then open (a crash in between is found by the exists() check above).
            reserve(budget.perChannel(), "open a channel to " + provider.toChecksumString());
            ledger.track(channel, BigInteger.ZERO);
            try {
                chain.open(channel, budget.perChannel());
            } catch (HyphaException e) {
                throw new GatewayException(GatewayException.Kind.INTERNAL, "could not open a payment channel to provider "
                        + provider.toChecksumString() + ": " + e.getMessage(), e);
            }
            ledger.track(channel, state(channel).deposit());
            open.put(key, channel);
            return channel;
        }
        throw new GatewayException(GatewayException.Kind.INTERNAL, "all " + MAX_SALTS + " channel slots to provider "
                + provider.toChecksumString() + " are closed or settled");
    }

    /** Tops the channel up by the budget's deposit (or what {@code neededTotal} needs, if more) when the budget allows. */
    @Override
    public synchronized BigInteger topUp(ChannelParams channel, BigInteger neededTotal, BigInteger deposit) {
        BigInteger amount = budget.perChannel().max(neededTotal.subtract(deposit));
        reserve(amount, "top up channel " + channel.id());
        try {
            chain.topUp(channel, amount);
        } catch (HyphaException e) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, "could not top up channel " + channel.id() + ": "
                    + e.getMessage(), e);
        }
        BigInteger now = state(channel).deposit();
        ledger.track(channel, now);
        return now;
    }

    /** What the payer's channels hold together, as its ledger knows it. */
    public synchronized BigInteger locked() {
        BigInteger sum = BigInteger.ZERO;
        for (ChannelParams c : ledger.channels()) {
            if (c.payer().equals(payer)) {
                sum = sum.add(ledger.deposit(c.id()));
            }
        }
        return sum;
    }

    private void reserve(BigInteger amount, String what) {
        BigInteger after = locked().add(amount);
        if (after.compareTo(budget.total()) > 0) {
            throw GatewayException.badRequest("the budget does not allow to " + what + ": channels would hold " + after
                    + " token units, above the budget of " + budget.total() + " (raise it with `hypha budget set`)");
        }
    }

    private ChannelState state(ChannelParams channel) {
        try {
            return chain.state(channel.id());
        } catch (HyphaException e) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, "cannot read channel " + channel.id()
                    + " on chain: " + e.getMessage(), e);
        }
    }
}

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
        String key = key(provider, token);
        ChannelParams known = open.get(key);
        if (known != null) {
            return known;
        }
        Funding plan = plan(provider, token);
        if (!plan.opens()) {
            ledger.track(plan.channel(), plan.depositBefore());
            open.put(key, plan.channel());
            return plan.channel();
        }
        openChannel(plan.channel(), budget.perChannel());
        open.put(key, plan.channel());
        return plan.channel();
    }

    /**
     * What funding a channel to {@code provider} would do now: top up the open channel (the one the gateway pays
     * through), or open the next unused one. Reads the chain only.
     *
     * @param channel       the channel that would be funded
     * @param opens         true when it would be opened, false when topped up
     * @param depositBefore its deposit now (zero when it would be opened)
     */
    public record Funding(ChannelParams channel, boolean opens, BigInteger depositBefore) {}

    /** See {@link Funding}. */
    public synchronized Funding plan(Address provider, Address token) {
        for (int n = 1; n <= MAX_SALTS; n++) {
            ChannelParams channel = new ChannelParams(payer, provider, token, payer, ChannelParams.salt(n));
            ChannelState state = state(channel);
            if (state.exists() && state.isOpen()) {
                return new Funding(channel, false, state.deposit());
            }
            if (!state.exists()) {
                return new Funding(channel, true, BigInteger.ZERO);
            }
            // closing or settled: its salt is used up
        }
        throw new GatewayException(GatewayException.Kind.INTERNAL, "all " + MAX_SALTS + " channel slots to provider "
                + provider.toChecksumString() + " are closed or settled");
    }

    /**
     * Adds {@code amount} to the channel to {@code provider} that {@code expected} describes (the plan a person
     * confirmed): opens it with that deposit or tops it up, within the budget. Refused when the chain moved on since
     * the plan (the channel was opened, closed or topped up meanwhile), so what runs is what was confirmed.
     *
     * @return the channel's deposit afterwards, as the chain has it
     */
    public synchronized BigInteger fund(Funding expected, BigInteger amount) {
        if (amount.signum() <= 0) {
            throw GatewayException.badRequest("the amount must be positive, was " + amount);
        }
        ChannelParams channel = expected.channel();
        Funding now = plan(channel.provider(), channel.token());
        if (!now.equals(expected)) {
            throw GatewayException.badRequest("channel " + channel.id() + " changed since the cost was shown (deposit "
                    + expected.depositBefore() + " then, " + now.depositBefore() + " now): ask again");
        }
        if (now.opens()) {
            openChannel(channel, amount);
        } else {
            reserve(amount, "top up channel " + channel.id());
            try {
                chain.topUp(channel, amount);
            } catch (HyphaException e) {
                throw new GatewayException(GatewayException.Kind.INTERNAL, "could not top up channel " + channel.id()
                        + ": " + e.getMessage(), e);
            }
        }
        BigInteger deposit = state(channel).deposit();
        ledger.track(channel, deposit);
        open.put(key(channel.provider(), channel.token()), channel);
        return deposit;
    }

    /** What the budget still allows the channels to take in. */
    public synchronized BigInteger budgetLeft() {
        return budget.total().subtract(locked()).max(BigInteger.ZERO);
    }

    private void openChannel(ChannelParams channel, BigInteger deposit) {
        // Unused salt: record first, then open (a crash in between is found by plan's exists() check).
        reserve(deposit, "open a channel to " + channel.provider().toChecksumString());
        ledger.track(channel, BigInteger.ZERO);
        try {
            chain.open(channel, deposit);
        } catch (HyphaException e) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, "could not open a payment channel to provider "
                    + channel.provider().toChecksumString() + ": " + e.getMessage(), e);
        }
        ledger.track(channel, state(channel).deposit());
    }

    private static String key(Address provider, Address token) {
        return provider.lowercaseHex() + "/" + token.lowercaseHex();
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

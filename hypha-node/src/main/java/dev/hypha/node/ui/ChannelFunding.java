package dev.hypha.node.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.time.TimeSource;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.network.PayerChannels;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The dashboard's one action that spends: open a payment channel to a provider with a deposit, or top up the open one,
 * from the paying gateway's account, within {@code hypha budget}. Two steps, so nothing is sent before a person saw
 * the cost: {@link #quote} says what would happen (open or top up, which channel, the deposit before and after, the
 * account's balance and what the budget leaves) and hands out a one-time confirmation code bound to exactly that;
 * {@link #confirm} with the code does it, once, within {@link #QUOTE_LIFETIME}, and only if the channel is still as
 * quoted. The transaction is signed by the account whose key the node already holds to sign vouchers (the node's own
 * unlock); no key or password ever passes through the page.
 */
final class ChannelFunding {
    static final Duration QUOTE_LIFETIME = PendingConfirmations.LIFETIME;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private record Quote(PayerChannels.Funding plan, BigInteger amount) {}

    private final DashboardSources sources;
    private final PendingConfirmations<Quote> quotes;
    private final Runnable funded;

    /** @param funded told after a channel was funded (the channel panel's cache is then stale) */
    ChannelFunding(DashboardSources sources, TimeSource clock, Runnable funded) {
        this.funded = Objects.requireNonNull(funded, "funded");
        this.sources = Objects.requireNonNull(sources, "sources");
        this.quotes = new PendingConfirmations<>(clock);
    }

    /** Whether this node can fund channels (it runs a paying gateway). */
    boolean available() {
        return funding().isPresent();
    }

    private Optional<PayerChannels> funding() {
        return sources.payer().flatMap(DashboardSources.Payer::channels);
    }

    /** Step one: what funding {@code {provider, amount}} would do and cost, and the code that confirms it. */
    ObjectNode quote(JsonNode body) {
        PayerChannels channels = funding().orElseThrow(() -> new ActionRefused(409,
                "this node runs no paying gateway, so it has no account to open channels from"));
        Address provider = address(ActionFields.text(body, "provider"));
        BigInteger amount = ActionFields.units(body, "amount");
        Address token = Address.parse(sources.contracts().deployment().address(PaymentTokenClient.NAME));
        Address payer = sources.payer().get().account();
        if (provider.equals(payer)) {
            throw new ActionRefused(400, "provider " + provider.toChecksumString() + " is this node's own paying account");
        }
        PayerChannels.Funding plan;
        BigInteger balance;
        BigInteger budgetLeft;
        try {
            plan = channels.plan(provider, token);
            balance = sources.contracts().payment().balanceOf(payer.lowercaseHex());
            budgetLeft = channels.budgetLeft();
        } catch (HyphaException e) {
            throw new ActionRefused(503, "cannot read the channel on chain: " + e.getMessage());
        }
        if (amount.compareTo(balance) > 0) {
            throw new ActionRefused(400, "the account " + payer.toChecksumString() + " holds " + balance
                    + " token units, less than the " + amount + " asked for");
        }
        if (amount.compareTo(budgetLeft) > 0) {
            throw new ActionRefused(400, "the budget leaves " + budgetLeft + " token units for channels, less than the "
                    + amount + " asked for (raise it with `hypha budget set`)");
        }
        String code = quotes.issue(new Quote(plan, amount));
        return JSON.objectNode().put("action", plan.opens() ? "open" : "top up")
                .put("channel", plan.channel().id()).put("payer", payer.toChecksumString())
                .put("provider", provider.toChecksumString()).put("token", token.lowercaseHex())
                .put("amount", amount.toString()).put("depositBefore", plan.depositBefore().toString())
                .put("depositAfter", plan.depositBefore().add(amount).toString()).put("balance", balance.toString())
                .put("budgetLeft", budgetLeft.toString())
                .put("unlock", "signed by the paying gateway's account; its key is held by this node")
                .put("confirm", code).put("expiresInSeconds", QUOTE_LIFETIME.toSeconds());
    }

    /** Step two: does what the quote with {@code {confirm}} said, once. */
    ObjectNode confirm(JsonNode body) {
        PayerChannels channels = funding().orElseThrow(() -> new ActionRefused(409,
                "this node runs no paying gateway, so it has no account to open channels from"));
        Quote quote = quotes.take(ActionFields.text(body, "confirm")); // one use, even when what follows fails
        BigInteger deposit;
        try {
            deposit = channels.fund(quote.plan(), quote.amount());
        } catch (GatewayException e) {
            throw new ActionRefused(e.kind() == GatewayException.Kind.BAD_REQUEST ? 409 : 502, e.getMessage());
        } catch (HyphaException e) {
            throw new ActionRefused(502, "the transaction failed: " + e.getMessage());
        } finally {
            funded.run(); // even a failed top-up may have changed what the ledger tracks
        }
        return JSON.objectNode().put("action", quote.plan().opens() ? "opened" : "topped up")
                .put("channel", quote.plan().channel().id())
                .put("provider", quote.plan().channel().provider().toChecksumString())
                .put("amount", quote.amount().toString()).put("deposit", deposit.toString());
    }

    private static Address address(String text) {
        try {
            return Address.parse(text);
        } catch (RuntimeException e) {
            throw new ActionRefused(400, "provider: " + e.getMessage());
        }
    }
}

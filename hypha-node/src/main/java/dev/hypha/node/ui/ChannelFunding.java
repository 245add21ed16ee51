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
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

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
    static final Duration QUOTE_LIFETIME = Duration.ofMinutes(2);
    /** Quotes kept at once (older ones are dropped; a page asks again). */
    static final int MAX_QUOTES = 32;
    /** Smallest units: PaymentChannels takes deposits below 2^96. */
    private static final BigInteger MAX_AMOUNT = BigInteger.ONE.shiftLeft(96).subtract(BigInteger.ONE);
    private static final Pattern UNITS = Pattern.compile("[0-9]{1,29}");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** A refusal for the page: the HTTP status and a message naming what was wrong. */
    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private record Quote(PayerChannels.Funding plan, BigInteger amount, Instant expires) {}

    private final DashboardSources sources;
    private final TimeSource clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Quote> quotes = new LinkedHashMap<>();

    private final Runnable funded;

    /** @param funded told after a channel was funded (the channel panel's cache is then stale) */
    ChannelFunding(DashboardSources sources, TimeSource clock, Runnable funded) {
        this.funded = Objects.requireNonNull(funded, "funded");
        this.sources = Objects.requireNonNull(sources, "sources");
        this.clock = Objects.requireNonNull(clock, "clock");
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
        PayerChannels channels = funding().orElseThrow(() -> new Refused(409,
                "this node runs no paying gateway, so it has no account to open channels from"));
        Address provider = address(text(body, "provider"));
        BigInteger amount = amount(text(body, "amount"));
        Address token = Address.parse(sources.contracts().deployment().address(PaymentTokenClient.NAME));
        Address payer = sources.payer().get().account();
        if (provider.equals(payer)) {
            throw new Refused(400, "provider " + provider.toChecksumString() + " is this node's own paying account");
        }
        PayerChannels.Funding plan;
        BigInteger balance;
        BigInteger budgetLeft;
        try {
            plan = channels.plan(provider, token);
            balance = sources.contracts().payment().balanceOf(payer.lowercaseHex());
            budgetLeft = channels.budgetLeft();
        } catch (HyphaException e) {
            throw new Refused(503, "cannot read the channel on chain: " + e.getMessage());
        }
        if (amount.compareTo(balance) > 0) {
            throw new Refused(400, "the account " + payer.toChecksumString() + " holds " + balance
                    + " token units, less than the " + amount + " asked for");
        }
        if (amount.compareTo(budgetLeft) > 0) {
            throw new Refused(400, "the budget leaves " + budgetLeft + " token units for channels, less than the "
                    + amount + " asked for (raise it with `hypha budget set`)");
        }
        String code = HexFormat.of().formatHex(bytes(16));
        synchronized (quotes) {
            dropExpired();
            while (quotes.size() >= MAX_QUOTES) {
                Iterator<String> oldest = quotes.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            quotes.put(code, new Quote(plan, amount, clock.now().plus(QUOTE_LIFETIME)));
        }
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
        PayerChannels channels = funding().orElseThrow(() -> new Refused(409,
                "this node runs no paying gateway, so it has no account to open channels from"));
        String code = text(body, "confirm");
        Quote quote;
        synchronized (quotes) {
            dropExpired();
            quote = quotes.remove(code); // one use, even when what follows fails
        }
        if (quote == null) {
            throw new Refused(400, "no such confirmation code, or it expired (" + QUOTE_LIFETIME.toSeconds()
                    + " s) or was used: ask for the cost again");
        }
        BigInteger deposit;
        try {
            deposit = channels.fund(quote.plan(), quote.amount());
        } catch (GatewayException e) {
            throw new Refused(e.kind() == GatewayException.Kind.BAD_REQUEST ? 409 : 502, e.getMessage());
        } catch (HyphaException e) {
            throw new Refused(502, "the transaction failed: " + e.getMessage());
        } finally {
            funded.run(); // even a failed top-up may have changed what the ledger tracks
        }
        return JSON.objectNode().put("action", quote.plan().opens() ? "opened" : "topped up")
                .put("channel", quote.plan().channel().id())
                .put("provider", quote.plan().channel().provider().toChecksumString())
                .put("amount", quote.amount().toString()).put("deposit", deposit.toString());
    }

    private void dropExpired() {
        Instant now = clock.now();
        quotes.values().removeIf(q -> !now.isBefore(q.expires()));
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body == null ? null : body.get(field);
        if (v == null || !v.isTextual()) {
            throw new Refused(400, "the request needs \"" + field + "\" as a string");
        }
        return v.asText();
    }

    private static Address address(String text) {
        try {
            return Address.parse(text);
        } catch (RuntimeException e) {
            throw new Refused(400, "provider: " + e.getMessage());
        }
    }

    private static BigInteger amount(String text) {
        if (!UNITS.matcher(text).matches()) {
            throw new Refused(400, "amount must be a whole number of the token's smallest units, was '"
                    + (text.length() > 32 ? text.substring(0, 32) + "…" : text) + "'");
        }
        BigInteger v = new BigInteger(text);
        if (v.signum() == 0 || v.compareTo(MAX_AMOUNT) > 0) {
            throw new Refused(400, "amount must be 1.." + MAX_AMOUNT + " smallest units, was " + v);
        }
        return v;
    }
}

package dev.hypha.node.x402;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PaymentHeaders;
import java.io.IOException;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Pays x402 {@code upto} offers ({@link UptoRequirement}) with one PaymentChannels channel. Per call it signs, through
 * the inference network's {@link PayerLedger} (which records the total before signing and never signs beyond the
 * deposit), a cumulative voucher for what the server has charged the channel so far plus the offer's maximum, or the
 * total already signed when that is more (a voucher never goes below one signed), and learns the new charged total
 * from the answer's {@value X402#PAYMENT_RESPONSE}. A server can therefore take at most one call's maximum more than
 * the work it reports, and a call costs no transaction.
 */
public final class UptoChannelClient {
    /**
     * An answer and what paying for it did.
     *
     * @param response the final answer
     * @param voucher  the voucher sent, if the server asked for payment
     * @param cost     what the server charged for the call (0 when it did not ask for payment)
     * @param charged  the channel's charged total after the call
     */
    public record Result(HttpResponse<byte[]> response, Optional<Voucher> voucher, BigInteger cost, BigInteger charged) {}

    private final HttpClient http;
    private final PayerLedger ledger;
    private final ChannelParams channel;
    private final long chainId;
    private final Address channelsContract;
    private final BigInteger maxPerCall;
    private final Function<TypedData, Signature> signer;
    private BigInteger charged;

    /**
     * @param ledger           the payer's ledger, tracking {@code channel}
     * @param channel          the channel to pay with (its provider must be the offer's {@code payTo})
     * @param channelsContract the PaymentChannels contract the channel lives on
     * @param maxPerCall       the largest maximum this client accepts for one call
     * @param signer           the channel signer's EIP-712 signing
     * @param charged          what the server has charged the channel so far (0 for a new channel)
     */
    public UptoChannelClient(HttpClient http, PayerLedger ledger, ChannelParams channel, long chainId,
                             Address channelsContract, BigInteger maxPerCall, Function<TypedData, Signature> signer,
                             BigInteger charged) {
        this.http = Objects.requireNonNull(http, "http");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.channel = Objects.requireNonNull(channel, "channel");
        this.chainId = chainId;
        this.channelsContract = Objects.requireNonNull(channelsContract, "channelsContract");
        this.maxPerCall = Objects.requireNonNull(maxPerCall, "maxPerCall");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.charged = Objects.requireNonNull(charged, "charged");
    }

    /** The channel's charged total as last reported by the server. */
    public synchronized BigInteger charged() {
        return charged;
    }

    /**
     * Sends {@code request}, paying once over the channel if it is answered 402.
     *
     * @throws HyphaException INPUT when the 402 offers nothing this client may pay (naming why) or the server's
     *                        {@value X402#PAYMENT_RESPONSE} is not believable; NETWORK when it cannot be reached
     */
    public synchronized Result send(HttpRequest request) {
        HttpResponse<byte[]> first = exchange(request);
        if (first.statusCode() != 402) {
            return new Result(first, Optional.empty(), BigInteger.ZERO, charged);
        }
        String header = first.headers().firstValue(X402.PAYMENT_REQUIRED).orElseThrow(() -> HyphaException.input(
                request.uri() + " answered 402 without a " + X402.PAYMENT_REQUIRED + " header: not an x402 v2 server"));
        UptoRequirement offer = choose(request, X402Json.header(X402.PAYMENT_REQUIRED + " header", header));
        // What was signed before this call: the most the server can have charged so far. The voucher below adds this
        // call's maximum, which nothing has been charged against yet.
        BigInteger signedBefore = ledger.signedTotal(channel.id());
        BigInteger total = signedBefore.max(charged.add(offer.maxAmount()));
        Voucher voucher = ledger.authorize(channel.id(), total, signer);
        HttpResponse<byte[]> second = exchange(paid(request, voucher));
        Optional<BigInteger> behind = second.statusCode() == 402 ? chargedBeyondKnown(second, signedBefore)
                : Optional.empty();
        if (behind.isPresent()) {
            // This client did not know all the channel was charged (a restart loses the figure): the refusal names it,
            // and one new voucher continues from there. Nothing was paid. The figure is believed only up to what was
            // signed before this call: a refusal claiming part of this call's own voucher would have the client sign
            // that part again and let the server take up to twice the maximum.
            charged = behind.get();
            total = ledger.signedTotal(channel.id()).max(charged.add(offer.maxAmount()));
            voucher = ledger.authorize(channel.id(), total, signer);
            second = exchange(paid(request, voucher));
        }
        if (second.statusCode() == 402) {
            return new Result(second, Optional.of(voucher), BigInteger.ZERO, charged);
        }
        Optional<String> response = second.headers().firstValue(X402.PAYMENT_RESPONSE);
        if (response.isEmpty()) {
            // A paid answer without a settlement: the server may have charged up to the voucher; assume it did.
            charged = total;
            return new Result(second, Optional.of(voucher), offer.maxAmount(), charged);
        }
        String where = X402.PAYMENT_RESPONSE + " header";
        ObjectNode settlement = X402Json.header(where, response.get());
        BigInteger cost = X402Json.uint(where, settlement, "amount");
        BigInteger after = X402Json.uint(where, X402Json.child(where, settlement, "extra"), "charged");
        if (cost.compareTo(offer.maxAmount()) > 0 || after.compareTo(charged) < 0 || after.compareTo(total) > 0) {
            throw HyphaException.input(request.uri() + " reports a cost of " + cost + " and a charged total of " + after
                    + "; the offer's maximum was " + offer.maxAmount() + ", " + charged + " was charged before and the"
                    + " voucher promised " + total);
        }
        charged = after;
        return new Result(second, Optional.of(voucher), cost, charged);
    }

    private HttpRequest paid(HttpRequest request, Voucher voucher) {
        return HttpRequest.newBuilder(request, (name, value) -> true).header(X402.PAYMENT_SIGNATURE,
                PaymentHeaders.paymentSignature(UptoRequirement.SCHEME, chainId, channel, voucher)).build();
    }

    /**
     * A refusal's {@code extra.charged} when it is above what this client knew and within {@code signedBefore}, what it
     * had signed before the refused call.
     */
    private Optional<BigInteger> chargedBeyondKnown(HttpResponse<byte[]> refusal, BigInteger signedBefore) {
        try {
            String header = refusal.headers().firstValue(X402.PAYMENT_REQUIRED).orElse(null);
            if (header == null) {
                return Optional.empty();
            }
            for (JsonNode a : accepts(X402Json.header(X402.PAYMENT_REQUIRED + " header", header))) {
                JsonNode c = a.path("extra").path("charged");
                if (UptoRequirement.isUptoChannel(a) && c.isTextual() && c.textValue().matches("[0-9]{1,78}")) {
                    BigInteger named = new BigInteger(c.textValue());
                    return named.compareTo(charged) > 0 && named.compareTo(signedBefore) <= 0 ? Optional.of(named)
                            : Optional.empty();
                }
            }
        } catch (MalformedPayment unreadable) {
            // an unreadable refusal is answered as any other refusal
        }
        return Optional.empty();
    }

    /**
     * The first {@code upto} channel offer of a 402 answer to {@code request}: whom, in what token, on which chain and
     * PaymentChannels contract, and the call's maximum (what a payer needs to open a channel before paying).
     *
     * @throws HyphaException INPUT when the answer is not a 402 offering {@code upto} over channels
     */
    public static UptoRequirement offerOf(HttpRequest request, HttpResponse<byte[]> answer) {
        String header = answer.statusCode() != 402 ? null : answer.headers().firstValue(X402.PAYMENT_REQUIRED).orElse(null);
        if (header == null) {
            throw HyphaException.input(request.uri() + " answered " + answer.statusCode() + " without an x402 "
                    + X402.PAYMENT_REQUIRED + ": not a paid endpoint");
        }
        List<JsonNode> accepts = accepts(X402Json.header(X402.PAYMENT_REQUIRED + " header", header));
        for (int i = 0; i < accepts.size(); i++) {
            if (UptoRequirement.isUptoChannel(accepts.get(i))) {
                return UptoRequirement.fromJson(X402.PAYMENT_REQUIRED + " accepts[" + i + "]", accepts.get(i));
            }
        }
        throw HyphaException.input(request.uri() + " offers no x402 upto over payment channels");
    }

    private UptoRequirement choose(HttpRequest request, JsonNode required) {
        List<JsonNode> accepts = accepts(required);
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < accepts.size(); i++) {
            JsonNode a = accepts.get(i);
            if (!UptoRequirement.isUptoChannel(a)) {
                seen.append(seen.isEmpty() ? "" : ", ").append(X402Json.shorten(a.path("scheme").asText("?")));
                continue;
            }
            UptoRequirement offer = UptoRequirement.fromJson(X402.PAYMENT_REQUIRED + " accepts[" + i + "]", a);
            seen.append(seen.isEmpty() ? "" : ", ").append("upto ").append(offer.maxAmount()).append(" to ")
                    .append(offer.payTo().toChecksumString()).append(" on ").append(offer.network());
            if (offer.chainId() == chainId && offer.payTo().equals(channel.provider())
                    && offer.asset().equals(channel.token()) && offer.channels().equals(channelsContract)
                    && offer.maxAmount().compareTo(maxPerCall) <= 0) {
                return offer;
            }
        }
        throw HyphaException.input(request.uri() + " asks for " + (seen.isEmpty() ? "nothing" : seen)
                + "; this client pays upto over channel " + channel.id() + " to " + channel.provider().toChecksumString()
                + " in " + channel.token().toChecksumString() + " on " + X402.network(chainId) + ", at most "
                + maxPerCall + " per call");
    }

    /** The first {@value PaymentRequired#MAX_ACCEPTS} {@code accepts} entries of a 402: a stranger's list is bounded. */
    private static List<JsonNode> accepts(JsonNode required) {
        JsonNode all = required.path("accepts");
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; all.isArray() && i < all.size() && i < PaymentRequired.MAX_ACCEPTS; i++) {
            out.add(all.get(i));
        }
        return out;
    }

    private HttpResponse<byte[]> exchange(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            // a refused connection has no message: its class says what happened
            throw new HyphaException(ErrorCategory.NETWORK, "cannot reach " + request.uri() + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.NETWORK, "interrupted while calling " + request.uri(), e);
        }
    }
}

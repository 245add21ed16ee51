package dev.hypha.node.x402;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PaymentHeaders;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The payer's side of x402 {@code upto} over one PaymentChannels channel, whatever carries the messages (HTTP headers
 * in {@link UptoChannelClient}, MCP {@code _meta} in {@code mcp.PayingMcpClient}). Per call: {@link #choose} an offer
 * from the server's PaymentRequired, {@link #sign} a cumulative voucher through the inference network's
 * {@link PayerLedger} (which records the total before signing and never signs beyond the deposit) for what the server
 * has charged the channel so far plus the offer's maximum, or the total already signed when that is more (a voucher
 * never goes below one signed); then {@link #settled} checks the server's settlement (cost within the maximum, the
 * charged total between the last one and the voucher) and advances. A server can therefore take at most one call's
 * maximum more than the work it reports, and a call costs no transaction.
 */
public final class UptoVouchers {
    /**
     * A voucher signed for one call.
     *
     * @param offer        the offer it pays
     * @param signedBefore what was signed on the channel before this call (the most the server can have charged)
     * @param voucher      the voucher (its total: max(signed before, charged + the offer's maximum))
     */
    public record Signed(UptoRequirement offer, BigInteger signedBefore, Voucher voucher) {
        /** The voucher's cumulative total. */
        public BigInteger total() {
            return voucher.cumulativeAmount();
        }
    }

    private final PayerLedger ledger;
    private final ChannelParams channel;
    private final long chainId;
    private final Address channelsContract;
    private final BigInteger maxPerCall;
    private final java.util.function.Function<TypedData, Signature> signer;
    private BigInteger charged;

    /**
     * @param ledger           the payer's ledger, tracking {@code channel}
     * @param channel          the channel to pay with (its provider must be the offer's {@code payTo})
     * @param channelsContract the PaymentChannels contract the channel lives on
     * @param maxPerCall       the largest maximum this payer accepts for one call
     * @param signer           the channel signer's EIP-712 signing
     * @param charged          what the server has charged the channel so far (0 for a new channel)
     */
    public UptoVouchers(PayerLedger ledger, ChannelParams channel, long chainId, Address channelsContract,
                        BigInteger maxPerCall, java.util.function.Function<TypedData, Signature> signer,
                        BigInteger charged) {
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

    /** The channel paid with. */
    public ChannelParams channel() {
        return channel;
    }

    /**
     * The first {@code upto} offer of a PaymentRequired object that this payer may pay: its channel's provider, token,
     * chain and PaymentChannels, within its per-call limit.
     *
     * @param resource what asked (for the error)
     * @throws HyphaException INPUT naming what was offered and what this payer pays
     */
    public UptoRequirement choose(String resource, JsonNode required) {
        List<JsonNode> accepts = accepts(required);
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < accepts.size(); i++) {
            JsonNode a = accepts.get(i);
            if (!UptoRequirement.isUptoChannel(a)) {
                seen.append(seen.isEmpty() ? "" : ", ").append(X402Json.shorten(a.path("scheme").asText("?")));
                continue;
            }
            UptoRequirement offer = UptoRequirement.fromJson("PaymentRequired accepts[" + i + "]", a);
            seen.append(seen.isEmpty() ? "" : ", ").append("upto ").append(offer.maxAmount()).append(" to ")
                    .append(offer.payTo().toChecksumString()).append(" on ").append(offer.network());
            if (offer.chainId() == chainId && offer.payTo().equals(channel.provider())
                    && offer.asset().equals(channel.token()) && offer.channels().equals(channelsContract)
                    && offer.maxAmount().compareTo(maxPerCall) <= 0) {
                return offer;
            }
        }
        throw HyphaException.input(resource + " asks for " + (seen.isEmpty() ? "nothing" : seen)
                + "; this client pays upto over channel " + channel.id() + " to " + channel.provider().toChecksumString()
                + " in " + channel.token().toChecksumString() + " on " + X402.network(chainId) + ", at most "
                + maxPerCall + " per call");
    }

    /**
     * Signs the call's voucher: max(signed so far, charged + the offer's maximum), recorded before it is signed.
     *
     * @throws HyphaException INPUT when that is beyond the channel's deposit (top it up first)
     */
    public synchronized Signed sign(UptoRequirement offer) {
        // What was signed before this call: the most the server can have charged so far. The voucher adds this call's
        // maximum, which nothing has been charged against yet.
        BigInteger signedBefore = ledger.signedTotal(channel.id());
        return new Signed(offer, signedBefore, ledger.authorize(channel.id(),
                signedBefore.max(charged.add(offer.maxAmount())), signer));
    }

    /**
     * After the server refused {@code refused}: when its PaymentRequired names a charged total ({@code extra.charged})
     * above what this payer knew and within what it had signed before the call (a restarted payer loses the figure),
     * believes it and signs one new voucher continuing from there. Nothing was paid. The figure is believed only up to
     * what was signed before the call: a refusal claiming part of the call's own voucher would have the payer sign that
     * part again and let the server take up to twice the maximum. A refusal that cannot be read is answered as any
     * other: no new voucher.
     */
    public synchronized Optional<Signed> afterRefusal(Signed refused, JsonNode required) {
        Optional<BigInteger> named = Optional.empty();
        try {
            for (JsonNode a : accepts(required)) {
                JsonNode c = a.path("extra").path("charged");
                if (UptoRequirement.isUptoChannel(a) && c.isTextual() && c.textValue().matches("[0-9]{1,78}")) {
                    named = Optional.of(new BigInteger(c.textValue()));
                    break;
                }
            }
        } catch (MalformedPayment unreadable) {
            return Optional.empty();
        }
        if (named.isEmpty() || named.get().compareTo(charged) <= 0
                || named.get().compareTo(refused.signedBefore()) > 0) {
            return Optional.empty();
        }
        charged = named.get();
        return Optional.of(sign(refused.offer()));
    }

    /**
     * Takes the server's settlement of a paid call (x402's SettleResponse: {@code amount} = the call's cost,
     * {@code extra.charged} = the channel's charged total) and advances to it. A paid answer without one may have
     * charged up to the voucher: that is assumed.
     *
     * @param resource   what was paid (for the error)
     * @param settlement the SettleResponse, if the answer carried one
     * @return the call's cost
     * @throws HyphaException INPUT when the settlement is unreadable, its cost is above the offer's maximum or its
     *                        charged total is below the last one or above the voucher (a server claiming more than
     *                        was authorised); this payer's charged total then stays as it was
     */
    public synchronized BigInteger settled(String resource, Signed paid, Optional<JsonNode> settlement) {
        if (settlement.isEmpty()) {
            charged = paid.total();
            return paid.offer().maxAmount();
        }
        String where = resource + " settlement";
        BigInteger cost = X402Json.uint(where, settlement.get(), "amount");
        BigInteger after = X402Json.uint(where, X402Json.child(where, settlement.get(), "extra"), "charged");
        if (cost.compareTo(paid.offer().maxAmount()) > 0 || after.compareTo(charged) < 0
                || after.compareTo(paid.total()) > 0) {
            throw HyphaException.input(resource + " reports a cost of " + cost + " and a charged total of " + after
                    + "; the offer's maximum was " + paid.offer().maxAmount() + ", " + charged + " was charged before"
                    + " and the voucher promised " + paid.total());
        }
        charged = after;
        return cost;
    }

    /** The PaymentPayload object of a signed voucher (MCP carries it as is; HTTP base64-encodes it). */
    public ObjectNode payload(Signed signed) {
        return PaymentHeaders.paymentPayload(UptoRequirement.SCHEME, chainId, channel, signed.voucher());
    }

    /** The {@value X402#PAYMENT_SIGNATURE} header of a signed voucher. */
    public String header(Signed signed) {
        return PaymentHeaders.paymentSignature(UptoRequirement.SCHEME, chainId, channel, signed.voucher());
    }

    /**
     * The first {@code upto} channel offer of a PaymentRequired object (what a payer needs to open a channel before
     * paying: whom, in what token, on which chain and PaymentChannels contract, and the call's maximum).
     *
     * @throws HyphaException INPUT when it offers no {@code upto} over channels
     */
    public static UptoRequirement firstOffer(String resource, JsonNode required) {
        List<JsonNode> accepts = accepts(required);
        for (int i = 0; i < accepts.size(); i++) {
            if (UptoRequirement.isUptoChannel(accepts.get(i))) {
                return UptoRequirement.fromJson("PaymentRequired accepts[" + i + "]", accepts.get(i));
            }
        }
        throw HyphaException.input(resource + " offers no x402 upto over payment channels");
    }

    /** Whether a PaymentRequired object offers {@code upto} over channels at all. */
    public static boolean offersUpto(JsonNode required) {
        return accepts(required).stream().anyMatch(UptoRequirement::isUptoChannel);
    }

    /** The first {@value PaymentRequired#MAX_ACCEPTS} {@code accepts} entries of a 402: a stranger's list is bounded. */
    private static List<JsonNode> accepts(JsonNode required) {
        JsonNode all = required == null ? null : required.path("accepts");
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; all != null && all.isArray() && i < all.size() && i < PaymentRequired.MAX_ACCEPTS; i++) {
            out.add(all.get(i));
        }
        return out;
    }
}

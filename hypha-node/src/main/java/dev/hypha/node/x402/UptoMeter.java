package dev.hypha.node.x402;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.node.payments.VoucherRejectedException;
import dev.hypha.node.provider.ChannelGate;
import dev.hypha.node.provider.ProviderTerms;
import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;

/**
 * The provider's side of x402 {@code upto} over its payment channels, whatever carries the messages (HTTP headers in
 * {@link UptoChannelPaywall}, MCP {@code _meta} in {@code mcp.McpToolServer}), in two steps around the work:
 * {@link #admit} checks the voucher through the provider's {@link ChannelGate} (network, provider, token, channel on
 * chain and open, the channel's signer, within the deposit, not stale, covering what is charged plus the maximum) and
 * reserves the maximum in the {@link ProviderLedger}, durably, before the work runs; {@link #charge} replaces the
 * reservation by what the work actually cost, durably, and returns the SettleResponse, so the caller releases the
 * result only after the charge is on disk. Nothing is sent to the chain per call: the provider redeems the ledger's
 * best vouchers for what was charged with the inference network's {@link dev.hypha.node.provider.Redeemer}.
 */
public final class UptoMeter {
    /**
     * A voucher admitted for one call.
     *
     * @param payment     what the call carried
     * @param reservation the ledger's reservation of the maximum
     * @param maxAmount   the call's maximum
     */
    public record Admitted(PaymentHeaders.ChannelPayment payment, ProviderLedger.Reservation reservation,
                           BigInteger maxAmount) {}

    private final ProviderTerms terms;
    private final ChannelGate gate;
    private final ProviderLedger ledger;

    /**
     * @param terms  whom, in what token, on which chain and channels contract calls are paid
     * @param gate   the provider's voucher admission (over {@code ledger})
     * @param ledger the provider's ledger (what is charged and what to redeem)
     */
    public UptoMeter(ProviderTerms terms, ChannelGate gate, ProviderLedger ledger) {
        this.terms = Objects.requireNonNull(terms, "terms");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
    }

    /** The {@code accepts[]} entry of a call costing at most {@code maxAmount}. */
    public UptoRequirement requirement(BigInteger maxAmount) {
        return new UptoRequirement(terms.chainId(), terms.token(), terms.provider(), maxAmount, terms.channels(),
                terms.timeoutSeconds());
    }

    /**
     * x402's PaymentRequired object for a call costing at most {@code maxAmount}; {@code charged} (a refusal's
     * {@link VoucherRejectedException#charged}) tells a payer whose books fell behind what its channel is charged.
     */
    public ObjectNode paymentRequired(String error, String resourceUrl, String description, BigInteger maxAmount,
                                      Optional<BigInteger> charged) {
        ObjectNode body = X402Json.JSON.createObjectNode();
        body.put("x402Version", X402.VERSION);
        body.put("error", error);
        ObjectNode resource = body.putObject("resource");
        resource.put("url", resourceUrl);
        resource.put("description", description);
        resource.put("mimeType", "application/json");
        ObjectNode accept = requirement(maxAmount).toJson();
        charged.ifPresent(c -> ((ObjectNode) accept.get("extra")).put("charged", c.toString()));
        body.putArray("accepts").add(accept);
        return body;
    }

    /**
     * Admits {@code payment} for a call costing at most {@code maxAmount}: the reservation is on disk when this returns.
     *
     * @throws VoucherRejectedException naming why the voucher cannot pay for the call
     */
    public Admitted admit(PaymentHeaders.ChannelPayment payment, BigInteger maxAmount) {
        return new Admitted(payment, gate.admit(payment, maxAmount), maxAmount);
    }

    /**
     * Charges what an admitted call cost, durably, and returns x402's SettleResponse for it ({@code amount} = the cost,
     * {@code transaction} = "", {@code extra: {channelId, charged}} = the channel's charged total). A cost outside
     * 0..maximum is the work breaking its promise: the payer authorised the maximum, so it is charged no more than
     * that, and the call fails.
     *
     * @throws IllegalStateException when {@code cost} is outside 0..maximum (after charging the maximum)
     */
    public ObjectNode charge(Admitted call, BigInteger cost) {
        if (cost == null || cost.signum() < 0 || cost.compareTo(call.maxAmount()) > 0) {
            ledger.charge(call.reservation(), call.maxAmount());
            throw new IllegalStateException("metered work reported cost " + cost + ", outside 0.." + call.maxAmount());
        }
        BigInteger charged = ledger.charge(call.reservation(), cost);
        ObjectNode response = new Settlement(true, "", "", call.payment().channel().payer().toChecksumString(), "",
                terms.network(), cost.toString()).toJson();
        ObjectNode extra = response.putObject("extra");
        extra.put("channelId", call.reservation().channelId());
        extra.put("charged", charged.toString());
        return response;
    }

    /** Releases an admitted call whose work failed: the payer owes nothing for it. */
    public void failed(Admitted call) {
        ledger.charge(call.reservation(), BigInteger.ZERO);
    }
}

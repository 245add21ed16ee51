package dev.hypha.node.x402;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.http.ApiRoutes;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.node.payments.VoucherRejectedException;
import dev.hypha.node.provider.ChannelGate;
import dev.hypha.node.provider.ProviderTerms;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Makes Hypha HTTP endpoints metered: x402 {@code upto} paid with the inference network's payment channels. A request
 * without {@value X402#PAYMENT_SIGNATURE} gets 402 offering an {@link UptoRequirement} (the endpoint's maximum); a
 * payment that cannot be read gets 400 naming the field; a voucher the provider's {@link ChannelGate} refuses (wrong
 * network, provider or token, unknown or closing channel, forged signer, beyond the deposit, stale, or short of what is
 * charged plus the maximum, which is what a replayed voucher is) gets 402 naming why and, where known, what the
 * channel is charged already ({@code extra.charged}). An admitted voucher reserves the maximum in the
 * {@link ProviderLedger} (durably, before the work runs); the endpoint then says what it actually cost, which replaces
 * the reservation, and the answer's {@value X402#PAYMENT_RESPONSE} reports that cost ({@code amount}) and the
 * channel's charged total ({@code extra.charged}), from which the payer's next voucher continues. Nothing is sent to
 * the chain per request: the provider redeems the ledger's best vouchers for what was charged with the inference
 * network's {@link dev.hypha.node.provider.Redeemer}. Admission and charge are {@link UptoMeter}'s (shared with MCP);
 * this class is the HTTP around them.
 */
public final class UptoChannelPaywall {
    /** An endpoint that reports what its answer cost (0 to the route's maximum), after writing the answer. */
    @FunctionalInterface
    public interface MeteredHandler {
        BigInteger handle(Context ctx) throws Exception;
    }

    /**
     * One metered endpoint.
     *
     * @param method      the HTTP method
     * @param path        the path (Javalin syntax)
     * @param maxAmount   the most one request can cost, in the channel token's smallest units
     * @param description what the payer buys (shown in PaymentRequired)
     * @param handler     the endpoint, run only after its maximum is reserved
     */
    public record MeteredRoute(HandlerType method, String path, BigInteger maxAmount, String description,
                               MeteredHandler handler) {
        public MeteredRoute {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(maxAmount, "maxAmount");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(handler, "handler");
        }
    }

    private final UptoMeter meter;

    /**
     * @param terms  whom, in what token, on which chain and channels contract the endpoints are paid
     * @param gate   the provider's voucher admission (over {@code ledger})
     * @param ledger the provider's ledger (what is charged and what to redeem)
     */
    public UptoChannelPaywall(ProviderTerms terms, ChannelGate gate, ProviderLedger ledger) {
        this.meter = new UptoMeter(terms, gate, ledger);
    }

    /** The routes, each metered, to add to an {@link dev.hypha.node.http.ApiServer}. */
    public ApiRoutes routes(List<MeteredRoute> routes) {
        List<MeteredRoute> copy = List.copyOf(routes);
        return (Javalin api) -> copy.forEach(r -> api.addHttpHandler(r.method(), r.path(), ctx -> serve(ctx, r)));
    }

    /** The {@code accepts[]} entry of a route. */
    public UptoRequirement requirement(MeteredRoute route) {
        return meter.requirement(route.maxAmount());
    }

    private void serve(Context ctx, MeteredRoute route) throws Exception {
        String header = ctx.header(X402.PAYMENT_SIGNATURE);
        if (header == null) {
            required(ctx, route, "", Optional.empty());
            return;
        }
        PaymentHeaders.ChannelPayment payment;
        try {
            payment = PaymentHeaders.parsePaymentSignature(UptoRequirement.SCHEME, header);
        } catch (PaymentHeaders.Malformed e) {
            ctx.status(400).contentType("application/json")
                    .result(X402Json.bytes(X402Json.JSON.createObjectNode().put("error", e.getMessage())));
            return;
        }
        UptoMeter.Admitted call;
        try {
            call = meter.admit(payment, route.maxAmount());
        } catch (VoucherRejectedException e) {
            required(ctx, route, e.getMessage(), e.charged());
            return;
        }
        BigInteger cost;
        try {
            cost = route.handler().handle(ctx);
        } catch (Exception | Error e) {
            meter.failed(call); // the work failed: the payer owes nothing for it
            throw e;
        }
        // Javalin sends the answer after this handler returns: the charge is on disk before the payer sees it.
        ObjectNode settlement;
        try {
            settlement = meter.charge(call, cost);
        } catch (IllegalStateException broken) {
            throw new IllegalStateException("metered endpoint " + route.path() + ": " + broken.getMessage(), broken);
        }
        ctx.header(X402.PAYMENT_RESPONSE, X402Json.encodeHeader(settlement));
    }

    private void required(Context ctx, MeteredRoute route, String error, Optional<BigInteger> charged) {
        ObjectNode body = meter.paymentRequired(error, ctx.fullUrl(), route.description(), route.maxAmount(), charged);
        ctx.status(402).header(X402.PAYMENT_REQUIRED, X402Json.encodeHeader(body)).contentType("application/json")
                .result(X402Json.bytes(body));
    }
}

package dev.hypha.node.x402;

import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Objects;

/**
 * Makes Hypha HTTP endpoints require an x402 {@code exact} payment. A request without {@value X402#PAYMENT_SIGNATURE}
 * gets 402 with {@value X402#PAYMENT_REQUIRED} (and the same JSON as the body); a header that cannot be read gets 400
 * naming the field; a payment the facilitator refuses gets 402 naming the reason. An accepted payment is settled on
 * chain before the endpoint runs (decision: settle first, so a payment that fails to settle, or a replay racing it,
 * never gets the answer for free), and the answer carries {@value X402#PAYMENT_RESPONSE} with the transaction.
 */
public final class Paywall {
    /**
     * One paid endpoint.
     *
     * @param method      the HTTP method
     * @param path        the path (Javalin syntax)
     * @param price       what one request costs and whom it pays
     * @param description what the payer buys (shown in PaymentRequired)
     * @param handler     the endpoint, run only after payment settled
     */
    public record PaidRoute(HandlerType method, String path, ExactRequirement price, String description, Handler handler) {
        public PaidRoute {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(price, "price");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(handler, "handler");
        }
    }

    private final ExactFacilitator facilitator;

    public Paywall(ExactFacilitator facilitator) {
        this.facilitator = Objects.requireNonNull(facilitator, "facilitator");
    }

    /** The routes, each behind this paywall, to add to an {@link dev.hypha.node.http.ApiServer}. */
    public ApiRoutes routes(List<PaidRoute> routes) {
        List<PaidRoute> copy = List.copyOf(routes);
        return (Javalin api) -> copy.forEach(r -> api.addHttpHandler(r.method(), r.path(), protect(r)));
    }

    /** {@code route}'s handler behind the paywall. */
    public Handler protect(PaidRoute route) {
        return ctx -> {
            String header = ctx.header(X402.PAYMENT_SIGNATURE);
            if (header == null) {
                required(ctx, route, "");
                return;
            }
            ExactPayment payment;
            try {
                payment = ExactPayment.parseHeader(header);
            } catch (MalformedPayment e) {
                ctx.status(400).contentType("application/json")
                        .result(X402Json.bytes(X402Json.JSON.createObjectNode().put("error", e.getMessage())));
                return;
            }
            Settlement settlement = facilitator.settle(payment, route.price());
            if (!settlement.success()) {
                required(ctx, route, settlement.reason() + ": " + settlement.message());
                return;
            }
            ctx.header(X402.PAYMENT_RESPONSE, settlement.toHeader());
            route.handler().handle(ctx);
        };
    }

    private static void required(Context ctx, PaidRoute route, String error) {
        PaymentRequired required = new PaymentRequired(error, ctx.fullUrl(), route.description(), List.of(route.price()));
        ctx.status(402).header(X402.PAYMENT_REQUIRED, required.toHeader()).contentType("application/json")
                .result(X402Json.bytes(required.toJson()));
    }
}

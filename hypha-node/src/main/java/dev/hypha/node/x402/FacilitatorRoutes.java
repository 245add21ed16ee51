package dev.hypha.node.x402;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.Objects;

/**
 * x402's facilitator API over an {@link ExactFacilitator}, under {@value #PREFIX}: {@code POST /verify} and
 * {@code POST /settle} take {@code {x402Version, paymentPayload, paymentRequirements}} and answer a VerifyResponse /
 * SettleResponse (200 also for a refused payment, as x402 does; 400 only for a body that cannot be read);
 * {@code GET /supported} lists the exact scheme on this chain and the relayer. An x402 server configured with
 * {@code http://<node>/x402} as its facilitator URL settles through this node.
 */
public final class FacilitatorRoutes implements ApiRoutes {
    /** Where the API lives on the node. */
    public static final String PREFIX = "/x402";

    private final ExactFacilitator facilitator;

    public FacilitatorRoutes(ExactFacilitator facilitator) {
        this.facilitator = Objects.requireNonNull(facilitator, "facilitator");
    }

    @Override
    public void addTo(Javalin api) {
        api.get(PREFIX + "/supported", this::supported);
        api.post(PREFIX + "/verify", ctx -> answer(ctx, false));
        api.post(PREFIX + "/settle", ctx -> answer(ctx, true));
    }

    private void supported(Context ctx) {
        ObjectNode root = X402Json.JSON.createObjectNode();
        ArrayNode kinds = root.putArray("kinds");
        for (String network : facilitator.networks()) {
            ObjectNode kind = kinds.addObject();
            kind.put("x402Version", X402.VERSION);
            kind.put("scheme", X402.EXACT);
            kind.put("network", network);
        }
        root.putArray("extensions");
        root.putObject("signers").putArray("eip155:*").add(facilitator.relayer().toChecksumString());
        json(ctx, 200, root);
    }

    private void answer(Context ctx, boolean settle) {
        String where = "facilitator " + (settle ? "settle" : "verify") + " body";
        FacilitatorBodies.Request request;
        try {
            request = FacilitatorBodies.read(bodyBytes(ctx, where));
        } catch (MalformedPayment e) {
            ObjectNode refusal = X402Json.JSON.createObjectNode();
            if (settle) {
                refusal.put("success", false).put("errorReason", "invalid_payload").put("errorMessage", e.getMessage())
                        .put("transaction", "").put("network", "");
            } else {
                refusal.put("isValid", false).put("invalidReason", "invalid_payload").put("invalidMessage", e.getMessage());
            }
            json(ctx, 400, refusal);
            return;
        }
        json(ctx, 200, settle ? facilitator.settle(request.payment(), request.requirement()).toJson()
                : facilitator.verify(request.payment(), request.requirement()).toJson());
    }

    /** The body, read no further than the limit (a larger one is refused without being buffered). */
    static byte[] bodyBytes(Context ctx, String where) {
        long declared = ctx.contentLength();
        if (declared > X402Json.MAX_BODY_BYTES) {
            throw new MalformedPayment(where, declared + " bytes, more than the " + X402Json.MAX_BODY_BYTES + " accepted");
        }
        try (var in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes(X402Json.MAX_BODY_BYTES + 1);
            if (bytes.length > X402Json.MAX_BODY_BYTES) {
                throw new MalformedPayment(where, "more than the " + X402Json.MAX_BODY_BYTES + " bytes accepted");
            }
            return bytes;
        } catch (java.io.IOException e) {
            throw new MalformedPayment(where, "could not be read: " + e.getMessage());
        }
    }

    private static void json(Context ctx, int status, JsonNode node) {
        ctx.status(status).contentType("application/json").result(X402Json.bytes(node));
    }
}

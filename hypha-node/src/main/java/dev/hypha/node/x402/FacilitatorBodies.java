package dev.hypha.node.x402;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reads the body of a facilitator {@code /verify} or {@code /settle} request: {@code {x402Version, paymentPayload, paymentRequirements}}. */
final class FacilitatorBodies {
    /** A facilitator request: the payment and the requirement it should pay. */
    record Request(ExactPayment payment, ExactRequirement requirement) {}

    private FacilitatorBodies() {}

    /**
     * Reads a request body.
     *
     * @throws MalformedPayment naming what is wrong
     */
    static Request read(byte[] body) {
        String where = "facilitator request body";
        ObjectNode root = X402Json.object(where, body);
        X402Json.version(where, root);
        ExactPayment payment = ExactPayment.parse(where + " paymentPayload", root.get("paymentPayload"));
        ExactRequirement requirement = ExactRequirement.parse(where + " paymentRequirements", root.get("paymentRequirements"));
        return new Request(payment, requirement);
    }
}

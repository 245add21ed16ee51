package dev.hypha.node.x402;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.crypto.Address;
import java.util.Objects;
import java.util.Optional;

/**
 * A facilitator's verdict on a payment, as x402's VerifyResponse: valid, or the reason code (the names the official
 * {@code @x402/evm} facilitator uses, e.g. {@code invalid_exact_evm_nonce_already_used}) and a sentence for people.
 *
 * @param valid   whether settling it would pay the requirement
 * @param reason  the machine-readable reason ("" when valid)
 * @param message what was wrong, for people ("" when valid)
 * @param payer   who signed, when known
 */
public record VerifyResult(boolean valid, String reason, String message, Optional<Address> payer) {
    public VerifyResult {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(payer, "payer");
    }

    static VerifyResult ok(Address payer) {
        return new VerifyResult(true, "", "", Optional.of(payer));
    }

    static VerifyResult refused(String reason, String message, Address payer) {
        return new VerifyResult(false, reason, message, Optional.ofNullable(payer));
    }

    /** x402's VerifyResponse JSON. */
    public ObjectNode toJson() {
        ObjectNode o = X402Json.JSON.createObjectNode();
        o.put("isValid", valid);
        if (!valid) {
            o.put("invalidReason", reason);
            o.put("invalidMessage", message);
        }
        payer.ifPresent(p -> o.put("payer", p.toChecksumString()));
        return o;
    }
}

package dev.hypha.node.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.x402.ExactPayment;
import dev.hypha.node.x402.ExactRequirement;

/**
 * Signs an x402 {@code exact} payment for one offer. An account key signs for itself
 * ({@link dev.hypha.node.x402.X402Client#pay}); an agent's runtime signs for its AgentAccount, which books the
 * transfer on chain within its policy first.
 */
@FunctionalInterface
public interface X402Payer {
    /**
     * @param offer       the accepted requirement
     * @param offerJson   the same, exactly as the server wrote it (echoed in the payment)
     * @param resourceUrl what is paid for
     */
    ExactPayment pay(ExactRequirement offer, ObjectNode offerJson, String resourceUrl);
}

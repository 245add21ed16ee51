package dev.hypha.node.agents;

import dev.hypha.core.crypto.Address;
import dev.hypha.node.x402.ExactRequirement;
import dev.hypha.node.x402.PaymentRequired;
import dev.hypha.node.x402.X402;
import java.math.BigInteger;
import java.util.List;

/**
 * The runtime's own rules for paying a fetched page's x402 offer, checked before anything is signed or booked: the
 * offer is on the account's chain, costs at most the account's per-call maximum, and pays an address the spec's
 * {@code budget.allow} lists (a page may name any payee; only those the owner listed are paid, as only those are the
 * account's counterparties). The budget itself is the chain's to judge when the transfer is booked.
 */
final class FetchPayments {
    private FetchPayments() {}

    /** Why {@code offer} is not paid, or "" when it may be. */
    static String refusal(ExactRequirement offer, long chainId, BigInteger maxPerCall, List<String> allowedPayees) {
        if (offer.chainId() != chainId) {
            return "offer on " + offer.network() + ", the account pays on " + X402.network(chainId);
        }
        if (offer.amount().compareTo(maxPerCall) > 0) {
            return "price " + offer.amount() + " is above the per-call maximum " + maxPerCall;
        }
        boolean allowed = allowedPayees.stream().map(Address::parse).anyMatch(offer.payTo()::equals);
        if (!allowed) {
            return "payee " + offer.payTo().toChecksumString() + " is not in the spec's budget.allow";
        }
        return "";
    }

    /** The offers, for the log. */
    static String describe(PaymentRequired asked) {
        StringBuilder s = new StringBuilder();
        for (ExactRequirement a : asked.accepts()) {
            s.append(s.isEmpty() ? "" : ", ").append(a.amount()).append(" of ").append(a.asset().toChecksumString())
                    .append(" on ").append(a.network()).append(" to ").append(a.payTo().toChecksumString());
        }
        return s.isEmpty() ? "nothing payable" : s.toString();
    }
}

package dev.hypha.node.agents;

import dev.hypha.chain.agents.Feedback;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.ReputationRegistryClient;
import dev.hypha.core.crypto.Hex;
import java.math.BigInteger;
import java.util.Objects;

/**
 * Rates an agent the AgentAccount paid, with that payment as proof (ERC-8004 reputation, payment-weighted). The rater
 * must be the payer, i.e. the account; session keys may only spend, so the account's owner sends the rating through the
 * account's {@code execute}.
 */
public final class AccountRater {
    /** What a rating did. */
    public record Rated(long feedbackIndex, String transaction) {}

    private final HyphaContracts asOwner;
    private final String account;

    /**
     * @param asOwner the contracts driven by the account's owner
     * @param account the agent's account (the payer)
     */
    public AccountRater(HyphaContracts asOwner, String account) {
        this.asOwner = Objects.requireNonNull(asOwner, "asOwner");
        this.account = Objects.requireNonNull(account, "account");
    }

    /** Rates {@code agentId} {@code value}/100 under {@code tag} for the payment whose EIP-3009 nonce is {@code nonce}. */
    public Rated rate(BigInteger agentId, String nonce, int value, String tag, String endpoint) {
        byte[] receiptId = asOwner.receipts().receiptIdOf(account, Hex.decode(nonce));
        Feedback feedback = new Feedback(BigInteger.valueOf(value), 0, tag, "", endpoint, "", new byte[32]);
        ReputationRegistryClient reputation = asOwner.reputation();
        var receipt = asOwner.agentAccounts().at(account).execute(reputation.registryAddress(),
                reputation.rateWithReceiptCall(agentId, feedback, receiptId));
        return new Rated(ReputationRegistryClient.feedbackIndex(receipt), receipt.getTransactionHash());
    }
}

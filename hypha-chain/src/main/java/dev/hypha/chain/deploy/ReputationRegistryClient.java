package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.address;
import static dev.hypha.chain.deploy.ContractCalls.bytes32;
import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.agents.Feedback;
import dev.hypha.chain.agents.ReputationSummary;
import dev.hypha.chain.contracts.ReputationRegistry;
import java.math.BigInteger;
import java.util.List;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tuples.generated.Tuple3;

/**
 * ReputationRegistry (ERC-8004 reputation, payment-weighted): a rater's feedback counts only with proof that it paid
 * the agent, here a PaymentReceipts receipt (an x402 {@code exact} payment settled through the Hypha facilitator) or
 * a ServiceEscrow agreement; each payment rates once.
 */
public final class ReputationRegistryClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "ReputationRegistry";
    /** Most raters one summary reads. */
    public static final int MAX_RATERS = 256;

    /** ReputationRegistry.ProofKind, in the contract's order. */
    private static final BigInteger RECEIPT = BigInteger.ONE;
    private static final BigInteger ESCROW = BigInteger.TWO;
    private static final String ZERO = "0x0000000000000000000000000000000000000000";

    private final ContractCalls calls;
    private final ReputationRegistry binding;

    ReputationRegistryClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, ReputationRegistry::load);
    }

    /** The registry's address. */
    public String registryAddress() {
        return binding.getContractAddress();
    }

    /** Rates agent {@code agentId} with proof of the x402 payment whose PaymentReceipts receipt is {@code receiptId}. */
    public long rateWithReceipt(BigInteger agentId, Feedback feedback, byte[] receiptId) {
        return rate(agentId, feedback, RECEIPT, bytes32("receipt id", receiptId));
    }

    /** Rates agent {@code agentId} with proof of the ServiceEscrow agreement {@code agreementId} this account paid. */
    public long rateWithAgreement(BigInteger agentId, Feedback feedback, BigInteger agreementId) {
        byte[] ref = org.web3j.utils.Numeric.toBytesPadded(agreementId, 32);
        return rate(agentId, feedback, ESCROW, ref);
    }

    /**
     * The calldata of a receipt-proven rating, for a payer that is a contract (an AgentAccount's owner sends it through
     * the account's {@code execute}, so the account, which paid, is the rater).
     */
    public String rateWithReceiptCall(BigInteger agentId, Feedback feedback, byte[] receiptId) {
        return feedbackCall(agentId, feedback, RECEIPT, bytes32("receipt id", receiptId)).encodeFunctionCall();
    }

    /** The feedback index a rating transaction's receipt reports (whoever sent it). */
    public static long feedbackIndex(TransactionReceipt receipt) {
        List<ReputationRegistry.FeedbackPaymentEventResponse> events = ReputationRegistry.getFeedbackPaymentEvents(receipt);
        if (events.size() != 1) {
            throw ChainErrors.chain("ReputationRegistry.giveFeedbackWithPayment: receipt " + receipt.getTransactionHash()
                    + " has " + events.size() + " FeedbackPayment events, expected 1");
        }
        return events.getFirst().feedbackIndex.longValueExact();
    }

    private org.web3j.protocol.core.RemoteFunctionCall<TransactionReceipt> feedbackCall(BigInteger agentId, Feedback f,
                                                                                         BigInteger kind, byte[] ref) {
        ReputationRegistry.FeedbackInput input = new ReputationRegistry.FeedbackInput(f.value(),
                BigInteger.valueOf(f.valueDecimals()), f.tag1(), f.tag2(), f.endpoint(), f.feedbackUri(), f.feedbackHash());
        ReputationRegistry.PaymentProof proof = new ReputationRegistry.PaymentProof(kind, ref,
                new ReputationRegistry.Channel(ZERO, ZERO, ZERO, ZERO, new byte[32]));
        return binding.giveFeedbackWithPayment(agentId, input, proof);
    }

    private long rate(BigInteger agentId, Feedback f, BigInteger kind, byte[] ref) {
        return feedbackIndex(calls.write(NAME, "giveFeedbackWithPayment", feedbackCall(agentId, f, kind, ref)));
    }

    /** The weight (what was paid) behind one feedback. */
    public BigInteger weight(BigInteger agentId, String rater, long index) {
        return read(NAME + ".feedbackWeight", () -> binding.feedbackWeight(agentId, address(rater),
                BigInteger.valueOf(index)).send());
    }

    /** The payment-weighted summary over {@code raters} (1..256 of them, as ERC-8004 requires), optionally by tags. */
    public ReputationSummary summary(BigInteger agentId, List<String> raters, String tag1, String tag2) {
        if (raters.isEmpty() || raters.size() > MAX_RATERS) {
            throw ChainErrors.input("a reputation summary reads 1 to " + MAX_RATERS + " raters (ERC-8004: the reader picks"
                    + " whom to trust), got " + raters.size());
        }
        List<String> checked = raters.stream().map(ContractCalls::address).toList();
        Tuple3<BigInteger, BigInteger, BigInteger> t = read(NAME + ".getSummary",
                () -> binding.getSummary(agentId, checked, tag1, tag2).send());
        return new ReputationSummary(t.component1().longValueExact(), t.component2(), t.component3().intValueExact());
    }

    /** Whether a payment proof id was used to rate already. */
    public boolean proofUsed(byte[] proofId) {
        return read(NAME + ".proofUsed", () -> binding.proofUsed(bytes32("proof id", proofId)).send());
    }

    /** The raters of an agent. */
    @SuppressWarnings("unchecked")
    public List<String> raters(BigInteger agentId) {
        return read(NAME + ".getClients", () -> (List<String>) binding.getClients(agentId).send());
    }
}

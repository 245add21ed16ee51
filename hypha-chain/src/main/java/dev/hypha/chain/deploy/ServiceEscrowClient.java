package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.address;
import static dev.hypha.chain.deploy.ContractCalls.bytes32;
import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.agents.Agreement;
import dev.hypha.chain.agents.Milestone;
import dev.hypha.chain.contracts.ServiceEscrow;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * ServiceEscrow: service agreements with milestones. The client escrows the whole price ({@link #create}, approving
 * the token when short); the provider {@link #submit}s each deliverable; the client {@link #accept}s (pays the
 * provider) or the named validator rules; unanswered milestones go back to the client ({@link #refund}, anyone).
 */
public final class ServiceEscrowClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "ServiceEscrow";
    /** Most milestones per agreement. */
    public static final int MAX_MILESTONES = 32;

    private final ContractCalls calls;
    private final ServiceEscrow binding;

    ServiceEscrowClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, ServiceEscrow::load);
    }

    /**
     * Escrows {@code amounts} (one per milestone, due by the matching {@code deadlines}) of {@code token} for
     * {@code provider}; returns the agreement id.
     *
     * @param validator the party that may rule on a submitted milestone, or the zero address for none
     */
    public BigInteger create(String provider, String validator, String token, List<BigInteger> amounts, List<Long> deadlines,
                             long reviewPeriodSeconds, byte[] termsHash) {
        if (amounts.isEmpty() || amounts.size() > MAX_MILESTONES || amounts.size() != deadlines.size()) {
            throw ChainErrors.input("an agreement has 1 to " + MAX_MILESTONES + " milestones, each with an amount and a"
                    + " deadline; got " + amounts.size() + " amounts and " + deadlines.size() + " deadlines");
        }
        BigInteger total = amounts.stream().reduce(BigInteger.ZERO, BigInteger::add);
        calls.approveIfShort(NAME, Address.parse(token), total);
        TransactionReceipt receipt = calls.write(NAME, "create", binding.create(address(provider), address(validator),
                address(token), amounts, deadlines.stream().map(BigInteger::valueOf).toList(),
                BigInteger.valueOf(reviewPeriodSeconds), bytes32("terms hash", termsHash)));
        List<ServiceEscrow.AgreementCreatedEventResponse> events = ServiceEscrow.getAgreementCreatedEvents(receipt);
        if (events.size() != 1) {
            throw ChainErrors.chain("ServiceEscrow.create: receipt " + receipt.getTransactionHash() + " has " + events.size()
                    + " AgreementCreated events, expected 1");
        }
        return events.getFirst().id;
    }

    /** The provider submits milestone {@code index}'s deliverable. */
    public TransactionReceipt submit(BigInteger id, int index, byte[] deliverableHash) {
        return calls.write(NAME, "submit", binding.submit(id, BigInteger.valueOf(index), bytes32("deliverable hash",
                deliverableHash)));
    }

    /** The client accepts milestone {@code index}: the provider is paid it. */
    public TransactionReceipt accept(BigInteger id, int index) {
        return calls.write(NAME, "accept", binding.accept(id, BigInteger.valueOf(index)));
    }

    /** Returns an overdue milestone to the client (anyone may). */
    public TransactionReceipt refund(BigInteger id, int index) {
        return calls.write(NAME, "refund", binding.refund(id, BigInteger.valueOf(index)));
    }

    /** The agreement. */
    public Agreement agreement(BigInteger id) {
        ServiceEscrow.Agreement a = read(NAME + ".agreement", () -> binding.agreement(id).send());
        return new Agreement(a.client.toLowerCase(Locale.ROOT), a.provider.toLowerCase(Locale.ROOT),
                a.validator.toLowerCase(Locale.ROOT), a.token.toLowerCase(Locale.ROOT), a.reviewPeriod.longValueExact(),
                a.milestoneCount.intValueExact(), a.total, a.paidToProvider, a.refundedToClient);
    }

    /** One milestone. */
    public Milestone milestone(BigInteger id, int index) {
        ServiceEscrow.Milestone m = read(NAME + ".milestone", () -> binding.milestone(id, BigInteger.valueOf(index)).send());
        return new Milestone(m.amount, m.deadline.longValueExact(), Milestone.Status.values()[m.status.intValueExact()]);
    }

    /** What the contract still holds for the agreement. */
    public BigInteger held(BigInteger id) {
        return read(NAME + ".held", () -> binding.held(id).send());
    }
}

package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.contracts.InferenceCoordinator;
import dev.hypha.chain.coordinator.CoordinatorDomain;
import dev.hypha.chain.coordinator.Fulfilment;
import dev.hypha.chain.coordinator.InferenceReceipt;
import dev.hypha.chain.coordinator.RequestParams;
import dev.hypha.chain.coordinator.RequestState;
import dev.hypha.chain.coordinator.RequestStatus;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.List;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * InferenceCoordinator (inference requested by contracts): request an inference (approving the payment token when the
 * allowance is short), answer one as a provider, refund an unanswered one, pay out a held fee, challenge an answer; and
 * the reads a requester or provider needs. Requests, answers and receipts are {@code dev.hypha.chain.coordinator}'s
 * types.
 */
public final class InferenceCoordinatorClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "InferenceCoordinator";

    private final ContractCalls calls;
    private final InferenceCoordinator binding;

    InferenceCoordinatorClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, InferenceCoordinator::load);
    }

    /** The generated binding, for reads not wrapped here. */
    public InferenceCoordinator binding() {
        return binding;
    }

    /** The contract's address. */
    public Address address() {
        return Address.parse(calls.deployment().address(NAME));
    }

    /**
     * The account this client sends from (a provider's answers name it as the provider).
     *
     * @throws dev.hypha.chain.ChainException for read-only contracts, which have no account
     */
    public String account() {
        return calls.account();
    }

    /** The EIP-712 domain providers sign receipts in. */
    public CoordinatorDomain domain() {
        return new CoordinatorDomain(calls.deployment().chainId(), address());
    }

    /** Seconds an answer stays challengeable before its fee can be paid out. */
    public long challengePeriod() {
        return read(NAME + ".challengePeriod", () -> binding.challengePeriod().send()).longValueExact();
    }

    /** The token fees are escrowed and paid in. */
    public Address token() {
        return Address.parse(read(NAME + ".token", () -> binding.token().send()));
    }

    /** A request's record (status NONE for an id never used). */
    public RequestState state(BigInteger requestId) {
        InferenceCoordinator.Request r = read(NAME + ".getRequest", () -> binding.getRequest(requestId).send());
        return new RequestState(Address.parse(r.requester), r.deadline.longValueExact(), r.callbackGasLimit.longValueExact(),
                Address.parse(r.callback), r.maxFee, Numeric.toHexString(r.model), Numeric.toHexString(r.requestHash),
                Address.parse(r.provider), r.fee, r.challengeEndsAt.longValueExact(), r.maxOutputTokens.intValueExact(),
                RequestStatus.of(r.status.intValueExact()), r.callbackSucceeded);
    }

    /** The contract's digest of a receipt (to check {@link CoordinatorDomain} against the chain). */
    public byte[] receiptDigest(InferenceReceipt r) {
        return read(NAME + ".receiptDigest", () -> binding.receiptDigest(Numeric.hexStringToByteArray(r.requestHash()),
                r.provider().lowercaseHex(), Numeric.hexStringToByteArray(r.modelId()), BigInteger.valueOf(r.tokensIn()),
                BigInteger.valueOf(r.tokensOut()), Numeric.hexStringToByteArray(r.outputHash()), r.fee()).send());
    }

    /**
     * Requests an inference from this account, first approving the payment token for {@code maxFee} when the allowance
     * is short.
     *
     * @return the new request's id
     */
    public BigInteger request(RequestParams p) {
        if (p.maxFee().signum() > 0) {
            calls.approveIfShort(NAME, token(), p.maxFee());
        }
        TransactionReceipt receipt = calls.write(NAME, "request", binding.request(struct(p)));
        List<InferenceCoordinator.InferenceRequestedEventResponse> events = InferenceCoordinator.getInferenceRequestedEvents(receipt);
        if (events.size() != 1) {
            throw ChainErrors.chain("request transaction " + receipt.getTransactionHash() + " emitted " + events.size()
                    + " InferenceRequested events, expected 1");
        }
        return events.getFirst().requestId;
    }

    /** Answers request {@code requestId} as this account (an active provider whose signing key signed the receipt). */
    public TransactionReceipt fulfil(BigInteger requestId, Fulfilment f) {
        InferenceReceipt r = f.receipt();
        if (!r.provider().lowercaseHex().equals(calls.account().toLowerCase(java.util.Locale.ROOT))) {
            throw ChainErrors.input("receipt names provider " + r.provider() + " but the answer would be sent by "
                    + calls.account());
        }
        return calls.write(NAME, "fulfil", binding.fulfil(requestId, new InferenceCoordinator.Fulfilment(f.output(),
                BigInteger.valueOf(f.outputKind().code()), BigInteger.valueOf(r.tokensIn()),
                BigInteger.valueOf(r.tokensOut()), r.fee(), f.signature().toBytes())));
    }

    /** Returns an unanswered request's escrow to its requester (anyone may, after the deadline). */
    public TransactionReceipt refund(BigInteger requestId) {
        return calls.write(NAME, "refund", binding.refund(requestId));
    }

    /** Pays a held fee to the provider that earned it (anyone may, after the challenge window). */
    public TransactionReceipt withdrawFee(BigInteger requestId) {
        return calls.write(NAME, "withdrawFee", binding.withdrawFee(requestId));
    }

    /** Disputes an answer within its challenge window (only its requester); the fee stays locked. */
    public TransactionReceipt challenge(BigInteger requestId, byte[] reason) {
        return calls.write(NAME, "challenge", binding.challenge(requestId, ContractCalls.bytes32("reason", reason)));
    }

    /** The struct the generated binding passes to the contract. */
    static InferenceCoordinator.RequestParams struct(RequestParams p) {
        return new InferenceCoordinator.RequestParams(Numeric.hexStringToByteArray(p.model()), p.input(),
                BigInteger.valueOf(p.inputKind().code()), p.maxFee(), BigInteger.valueOf(p.maxOutputTokens()),
                p.callback().lowercaseHex(), BigInteger.valueOf(p.callbackGasLimit()), BigInteger.valueOf(p.deadline()));
    }
}

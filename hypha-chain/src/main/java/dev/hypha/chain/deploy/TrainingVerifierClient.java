package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.compute.DisputeOutcome;
import dev.hypha.chain.compute.DisputePhase;
import dev.hypha.chain.compute.StateCommitment;
import dev.hypha.chain.compute.VerifierDispute;
import dev.hypha.chain.contracts.TrainingVerifier;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.List;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * TrainingVerifier (verification of training leases): the provider's state commitments, a verifier's bonded challenge
 * (approving the bond in HYP when the allowance is short), the parties' moves in the bisection and the tree descent,
 * referees' votes, resolution; and the reads each role needs to play.
 */
public final class TrainingVerifierClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "TrainingVerifier";

    private final ContractCalls calls;
    private final TrainingVerifier binding;

    TrainingVerifierClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, TrainingVerifier::load);
    }

    public Address address() {
        return Address.parse(calls.deployment().address(NAME));
    }

    /** The lease's provider commits its state root after {@code step} steps (the first commitment is step 0). */
    public TransactionReceipt commit(BigInteger orderId, long step, byte[] root, int depth) {
        return calls.write(NAME, "commit", binding.commit(orderId, BigInteger.valueOf(step),
                ContractCalls.bytes32("root", root), BigInteger.valueOf(depth)));
    }

    /**
     * Disputes commitment {@code index} of a lease with the root this account re-executed; bonds
     * {@link #challengeBond()} HYP (approved first when short).
     *
     * @return the dispute's id
     */
    public BigInteger challenge(BigInteger orderId, long index, byte[] root) {
        calls.approveIfShort(NAME, Address.parse(read(NAME + ".bondToken", () -> binding.bondToken().send())), challengeBond());
        TransactionReceipt receipt = calls.write(NAME, "challenge", binding.challenge(orderId, BigInteger.valueOf(index),
                ContractCalls.bytes32("root", root)));
        List<TrainingVerifier.ChallengedEventResponse> events = TrainingVerifier.getChallengedEvents(receipt);
        if (events.size() != 1) {
            throw ChainErrors.chain("challenge transaction " + receipt.getTransactionHash() + " emitted " + events.size()
                    + " Challenged events, expected 1");
        }
        return events.getFirst().disputeId;
    }

    /** A bisection move: this account's root at the dispute's middle step. */
    public TransactionReceipt postRoot(BigInteger disputeId, byte[] root) {
        return calls.write(NAME, "move", binding.move(disputeId, ContractCalls.bytes32("root", root), new byte[32]));
    }

    /** A descent move: the two children of this account's disputed node. */
    public TransactionReceipt revealChildren(BigInteger disputeId, byte[] left, byte[] right) {
        return calls.write(NAME, "move", binding.move(disputeId, ContractCalls.bytes32("left", left),
                ContractCalls.bytes32("right", right)));
    }

    /** A referee's vote: the disputed leaf's hash after re-executing the disputed step. */
    public TransactionReceipt vote(BigInteger disputeId, byte[] leafHash) {
        return calls.write(NAME, "vote", binding.vote(disputeId, ContractCalls.bytes32("leaf hash", leafHash)));
    }

    /** Ends a dispute whose round deadline has passed (anyone). */
    public TransactionReceipt resolve(BigInteger disputeId) {
        return calls.write(NAME, "resolve", binding.resolve(disputeId));
    }

    public VerifierDispute dispute(BigInteger disputeId) {
        TrainingVerifier.Dispute d = read(NAME + ".getDispute", () -> binding.getDispute(disputeId).send());
        return new VerifierDispute(d.orderId, Address.parse(d.provider), Address.parse(d.challenger),
                d.commitmentIndex.longValueExact(), DisputePhase.of(d.phase.intValueExact()),
                DisputeOutcome.of(d.outcome.intValueExact()), d.depth.intValueExact(), d.level.intValueExact(),
                d.lo.longValueExact(), d.hi.longValueExact(), d.nodeIndex.longValueExact(), d.deadline.longValueExact(),
                d.agreedRoot, d.providerHash, d.challengerHash, d.providerMoved, d.challengerMoved,
                d.votesProvider.longValueExact(), d.votesChallenger.longValueExact(), d.votesOther.longValueExact(), d.bond);
    }

    /** The id the next dispute will get (ids count up from 1, so disputes 1 .. this - 1 exist). */
    public BigInteger nextDisputeId() {
        return read(NAME + ".nextDisputeId", () -> binding.nextDisputeId().send());
    }

    public long commitmentCount(BigInteger orderId) {
        return read(NAME + ".commitmentCount", () -> binding.commitmentCount(orderId).send()).longValueExact();
    }

    public StateCommitment commitment(BigInteger orderId, long index) {
        TrainingVerifier.Commitment c = read(NAME + ".getCommitment",
                () -> binding.getCommitment(orderId, BigInteger.valueOf(index)).send());
        return new StateCommitment(c.step.longValueExact(), c.time.longValueExact(), c.root);
    }

    /** The open dispute of commitment {@code index} of a lease (0: none). */
    public BigInteger openDispute(BigInteger orderId, long index) {
        return read(NAME + ".openDispute", () -> binding.openDispute(orderId, BigInteger.valueOf(index)).send());
    }

    /** Disputes over the lease's training not yet resolved. */
    public long openDisputes(BigInteger orderId) {
        return read(NAME + ".openDisputes", () -> binding.openDisputes(orderId).send()).longValueExact();
    }

    /**
     * The chain time up to which the lease's work is beyond dispute (the market releases pay accrued before it):
     * 0 while a dispute is open, {@code 2^256 - 1} once all of it is final.
     */
    public BigInteger finalUntil(BigInteger orderId) {
        return read(NAME + ".finalUntil", () -> binding.finalUntil(orderId).send());
    }

    /** Chain seconds after a commitment during which it may be challenged. */
    public long challengeWindow() {
        return read(NAME + ".challengeWindow", () -> binding.challengeWindow().send()).longValueExact();
    }

    public BigInteger challengeBond() {
        return read(NAME + ".challengeBond", () -> binding.challengeBond().send());
    }

    public BigInteger slashAmount() {
        return read(NAME + ".slashAmount", () -> binding.slashAmount().send());
    }

    public BigInteger minVerifierStake() {
        return read(NAME + ".minVerifierStake", () -> binding.minVerifierStake().send());
    }

    /** HYP held as bonds of open disputes. */
    public BigInteger bondsHeld() {
        return read(NAME + ".bondsHeld", () -> binding.bondsHeld().send());
    }
}

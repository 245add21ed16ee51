package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.contracts.HyphaToken;
import dev.hypha.chain.contracts.SubnetEmissions;
import dev.hypha.chain.contracts.SubnetEpochs;
import dev.hypha.chain.contracts.SubnetRegistry;
import dev.hypha.chain.subnets.ChallengeData;
import dev.hypha.chain.subnets.EpochTree;
import dev.hypha.chain.subnets.SubnetLeaf;
import dev.hypha.chain.subnets.SubnetParams;
import dev.hypha.chain.subnets.UidInput;
import dev.hypha.chain.subnets.WeightRow;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The subnet contracts: SubnetRegistry (create, register by burn, commit and reveal weights, close epochs),
 * SubnetEpochs (post, challenge, finalize, claim) and SubnetEmissions (owner claims, the schedule), approving HYP
 * where a contract pulls it.
 */
public final class SubnetsClient {
    public static final String REGISTRY = "SubnetRegistry";
    public static final String EMISSIONS = "SubnetEmissions";
    public static final String EPOCHS = "SubnetEpochs";
    /** HyphaToken's MINTER_ROLE, which SubnetEmissions needs before anything can be claimed. */
    public static final byte[] MINTER_ROLE = Hash.sha3("MINTER_ROLE".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    private final ContractCalls calls;
    private final SubnetRegistry registry;
    private final SubnetEpochs epochs;
    private final SubnetEmissions emissions;
    private final HyphaTokenClient hyp;

    SubnetsClient(ContractCalls calls, HyphaTokenClient hyp) {
        this.calls = calls;
        this.hyp = hyp;
        this.registry = calls.binding(REGISTRY, SubnetRegistry::load);
        this.epochs = calls.binding(EPOCHS, SubnetEpochs::load);
        this.emissions = calls.binding(EMISSIONS, SubnetEmissions::load);
    }

    private Address hypAddress() {
        return Address.parse(hyp.address());
    }

    // ---- subnets and UIDs ----------------------------------------------------------------------------------

    /** Creates a subnet owned by this account, locking {@link #subnetLock()} HYP; returns its netuid. */
    public long createSubnet(SubnetParams params) {
        calls.approveIfShort(REGISTRY, hypAddress(), subnetLock());
        TransactionReceipt r = calls.writeEncoded(REGISTRY, "createSubnet", FunctionEncoder.encode(
                new Function("createSubnet", List.<Type>of(params.toStruct()), List.of())));
        List<SubnetRegistry.SubnetCreatedEventResponse> events = SubnetRegistry.getSubnetCreatedEvents(r);
        if (events.size() != 1) throw ChainErrors.chain("createSubnet " + r.getTransactionHash() + " emitted " + events.size() + " SubnetCreated events");
        return events.getFirst().netuid.longValueExact();
    }

    /** Registers this account on a UID of {@code netuid}, burning at most {@code maxBurn} wei of HYP; returns the UID. */
    public int register(long netuid, BigInteger maxBurn) {
        calls.approveIfShort(REGISTRY, hypAddress(), maxBurn);
        TransactionReceipt r = calls.write(REGISTRY, "register", registry.register(BigInteger.valueOf(netuid), maxBurn));
        return SubnetRegistry.getUidRegisteredEvents(r).getFirst().uid.intValueExact();
    }

    /** The hash to commit: keccak256(abi.encode(netuid, account, uids, values, salt)) as the registry computes it. */
    public byte[] weightsHash(long netuid, String account, WeightRow weights, byte[] salt) {
        return read(REGISTRY + ".weightsHash", () -> registry.weightsHash(BigInteger.valueOf(netuid), account,
                toBig(weights.uids()), toBig(weights.values()), salt).send());
    }

    public TransactionReceipt commitWeights(long netuid, byte[] hash) {
        return calls.write(REGISTRY, "commitWeights", registry.commitWeights(BigInteger.valueOf(netuid),
                ContractCalls.bytes32("hash", hash)));
    }

    public TransactionReceipt revealWeights(long netuid, WeightRow weights, byte[] salt) {
        return calls.write(REGISTRY, "revealWeights", registry.revealWeights(BigInteger.valueOf(netuid),
                toBig(weights.uids()), toBig(weights.values()), ContractCalls.bytes32("salt", salt)));
    }

    /** A closed epoch: its index and the inputs it froze. */
    public record ClosedEpoch(long epoch, List<UidInput> inputs, long block, BigInteger pool) {}

    /** Closes the subnet's due epoch (anyone) and returns what it froze. */
    public ClosedEpoch closeEpoch(long netuid) {
        TransactionReceipt r = calls.write(REGISTRY, "closeEpoch", registry.closeEpoch(BigInteger.valueOf(netuid)));
        SubnetRegistry.EpochClosedEventResponse closed = SubnetRegistry.getEpochClosedEvents(r).getFirst();
        byte[] inputs = SubnetRegistry.getEpochInputsEvents(r).getFirst().inputs;
        return new ClosedEpoch(closed.epoch.longValueExact(), UidInput.decodeArray(inputs), closed.block.longValueExact(),
                closed.pool);
    }

    // ---- epochs --------------------------------------------------------------------------------------------

    /** Posts a closed epoch's leaves, bonding {@link #postBond()} HYP. */
    public TransactionReceipt post(long netuid, long epoch, List<SubnetLeaf> leaves) {
        calls.approveIfShort(EPOCHS, hypAddress(), postBond());
        return calls.writeEncoded(EPOCHS, "post", FunctionEncoder.encode(new Function("post", List.<Type>of(
                new Uint256(netuid), new Uint256(epoch),
                new DynamicArray<>(StaticStruct.class, leaves.stream().map(SubnetLeaf::toStruct).toList())), List.of())));
    }

    /**
     * Challenges one UID of an open post; returns the fault SubnetEpochs found (its Fault enum's ordinal). A post that
     * matches the recomputation makes the transaction revert with PostIsCorrect.
     */
    public Challenged challenge(long netuid, long epoch, ChallengeData data) {
        TransactionReceipt r = calls.writeEncoded(EPOCHS, "challenge", FunctionEncoder.encode(new Function("challenge",
                List.<Type>of(new Uint256(netuid), new Uint256(epoch), new DynamicBytes(data.encode())), List.of())));
        return new Challenged(SubnetEpochs.getChallengedEvents(r).getFirst().fault.intValueExact(),
                r.getGasUsed().longValueExact());
    }

    /** A successful challenge: the fault found (SubnetEpochs.Fault ordinal) and the gas the transaction used. */
    public record Challenged(int fault, long gasUsed) {}

    public TransactionReceipt finalizeEpoch(long netuid, long epoch) {
        return calls.write(EPOCHS, "finalize", epochs.finalize(BigInteger.valueOf(netuid), BigInteger.valueOf(epoch)));
    }

    /** This account pulls its emission of a final epoch with its leaf; returns the wei paid. */
    public BigInteger claim(long netuid, long epoch, List<SubnetLeaf> leaves, int uid) {
        List<Bytes32> proof = new EpochTree(leaves).proof(uid).stream().map(Bytes32::new).toList();
        TransactionReceipt r = calls.writeEncoded(EPOCHS, "claim", FunctionEncoder.encode(new Function("claim",
                List.<Type>of(new Uint256(netuid), new Uint256(epoch), leaves.get(uid).toStruct(),
                        new DynamicArray<>(Bytes32.class, proof)), List.of())));
        return SubnetEpochs.getClaimedEvents(r).getFirst().amount;
    }

    public TransactionReceipt claimOwner(long netuid) {
        return calls.write(EMISSIONS, "claimOwner", emissions.claimOwner(BigInteger.valueOf(netuid)));
    }

    // ---- reads ---------------------------------------------------------------------------------------------

    public long subnetCount() {
        return read(REGISTRY + ".subnetCount", () -> registry.subnetCount().send()).longValueExact();
    }

    public SubnetRegistry.Subnet subnet(long netuid) {
        return read(REGISTRY + ".getSubnet", () -> registry.getSubnet(BigInteger.valueOf(netuid)).send());
    }

    public SubnetRegistry.Hyperparameters hyperparameters(long netuid) {
        return read(REGISTRY + ".getHyperparameters", () -> registry.getHyperparameters(BigInteger.valueOf(netuid)).send());
    }

    /** The hyper-parameters as {@link SubnetParams} (what {@link dev.hypha.chain.subnets.YumaPost} reads). */
    public SubnetParams params(long netuid) {
        SubnetRegistry.Hyperparameters h = hyperparameters(netuid);
        return new SubnetParams(h.tempo.longValueExact(), h.maxUids.intValueExact(), h.maxValidators.intValueExact(),
                h.immunityPeriod.longValueExact(), h.kappa.intValueExact(), h.bondsPenalty.intValueExact(),
                h.bondsMovingAverage.longValueExact(), h.weightsRateLimit.longValueExact(),
                h.commitRevealInterval.longValueExact(), h.activityCutoff.longValueExact(), h.minBurn, h.maxBurn);
    }

    public SubnetRegistry.Uid uid(long netuid, int uid) {
        return read(REGISTRY + ".getUid", () -> registry.getUid(BigInteger.valueOf(netuid), BigInteger.valueOf(uid)).send());
    }

    public SubnetRegistry.EpochSnapshot snapshot(long netuid, long epoch) {
        return read(REGISTRY + ".getSnapshot", () -> registry.getSnapshot(BigInteger.valueOf(netuid), BigInteger.valueOf(epoch)).send());
    }

    public BigInteger burnPrice(long netuid) {
        return read(REGISTRY + ".burnPrice", () -> registry.burnPrice(BigInteger.valueOf(netuid)).send());
    }

    public BigInteger subnetLock() {
        return read(REGISTRY + ".subnetLock", () -> registry.subnetLock().send());
    }

    public BigInteger postBond() {
        return read(EPOCHS + ".postBond", () -> epochs.postBond().send());
    }

    /** Blocks after a post during which it can be challenged. */
    public long challengeBlocks() {
        return read(EPOCHS + ".challengeBlocks", () -> epochs.challengeBlocks().send()).longValueExact();
    }

    public SubnetEpochs.Post post(long netuid, long epoch) {
        return read(EPOCHS + ".getPost", () -> epochs.getPost(BigInteger.valueOf(netuid), BigInteger.valueOf(epoch)).send());
    }

    public long acceptedEpochs(long netuid) {
        return read(EPOCHS + ".acceptedEpochs", () -> epochs.acceptedEpochs(BigInteger.valueOf(netuid)).send()).longValueExact();
    }

    public BigInteger ownerOwed(long netuid) {
        return read(EMISSIONS + ".ownerOwed", () -> emissions.ownerOwed(BigInteger.valueOf(netuid)).send());
    }

    public BigInteger minted() {
        return read(EMISSIONS + ".minted", () -> emissions.minted().send());
    }

    /** Whether SubnetEmissions holds HyphaToken's MINTER_ROLE (claims revert until governance grants it). */
    public boolean emissionsCanMint() {
        HyphaToken token = hyp.binding();
        String minter = calls.deployment().address(EMISSIONS);
        return read(HyphaTokenClient.NAME + ".hasRole", () -> token.hasRole(MINTER_ROLE, minter).send());
    }

    private static List<BigInteger> toBig(int[] values) {
        return java.util.Arrays.stream(values).mapToObj(BigInteger::valueOf).toList();
    }
}

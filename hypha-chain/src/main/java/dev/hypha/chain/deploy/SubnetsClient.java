package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.contracts.HyphaToken;
import dev.hypha.chain.contracts.SubnetEmissions;
import dev.hypha.chain.contracts.SubnetEpochs;
import dev.hypha.chain.contracts.SubnetRegistry;
import dev.hypha.chain.subnets.ChallengeData;
import dev.hypha.chain.subnets.DividendsChallengeData;
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
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;
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
    // ---- evaluation seeds (committed before a validator's evaluation requests, revealed after) ----------------

    /** keccak256(abi.encode(netuid, account, seed)) as the registry computes it. */
    public byte[] seedHash(long netuid, String account, byte[] seed) {
        return read(REGISTRY + ".seedHash", () -> registry.seedHash(BigInteger.valueOf(netuid), account,
                ContractCalls.bytes32("seed", seed)).send());
    }

    /** Commits the hash of this account's next evaluation seed; the receipt's block is the commit block. */
    public TransactionReceipt commitSeed(long netuid, byte[] hash) {
        return calls.write(REGISTRY, "commitSeed", registry.commitSeed(BigInteger.valueOf(netuid),
                ContractCalls.bytes32("hash", hash)));
    }

    /** Reveals the seed of this account's pending commit (from the block after the commit). */
    public TransactionReceipt revealSeed(long netuid, byte[] seed) {
        return calls.write(REGISTRY, "revealSeed", registry.revealSeed(BigInteger.valueOf(netuid),
                ContractCalls.bytes32("seed", seed)));
    }

    /** A UID's pending seed commit (a zero hash: none). */
    public SubnetRegistry.Commit seedCommit(long netuid, int uid) {
        return read(REGISTRY + ".getSeedCommit", () -> registry.getSeedCommit(BigInteger.valueOf(netuid),
                BigInteger.valueOf(uid)).send());
    }

    /** The seeds a UID revealed on the subnet, oldest first, each with the block it was committed at. */
    public List<RevealedSeed> revealedSeeds(long netuid, int uid) {
        EthFilter f = filter(REGISTRY, SubnetRegistry.SEEDREVEALED_EVENT, topic(netuid), topic(uid));
        return calls.client().logs(f).stream().map(SubnetRegistry::getSeedRevealedEventFromLog)
                .map(e -> new RevealedSeed(e.seed, e.commitBlock.longValueExact())).toList();
    }

    /** A revealed evaluation seed and the block its hash was committed at. */
    public record RevealedSeed(byte[] seed, long commitBlock) {}

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

    /**
     * Challenges one UID's dividends of an open post; returns the fault found (Dividends). Dividends that match the
     * recomputation make the transaction revert with PostIsCorrect.
     */
    public Challenged challengeDividends(long netuid, long epoch, DividendsChallengeData data) {
        TransactionReceipt r = calls.writeEncoded(EPOCHS, "challengeDividends", FunctionEncoder.encode(new Function(
                "challengeDividends", List.<Type>of(new Uint256(netuid), new Uint256(epoch),
                        new DynamicBytes(data.encode())), List.of())));
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

    /** Where SubnetEmissions mints the apps' share (EmissionAuction), or the zero address until governance binds it. */
    public Address appRecipient() {
        return Address.parse(read(EMISSIONS + ".appRecipient", () -> emissions.appRecipient().send()));
    }

    /** Whether SubnetEmissions holds HyphaToken's MINTER_ROLE (claims revert until governance grants it). */
    public boolean emissionsCanMint() {
        HyphaToken token = hyp.binding();
        String minter = calls.deployment().address(EMISSIONS);
        return read(HyphaTokenClient.NAME + ".hasRole", () -> token.hasRole(MINTER_ROLE, minter).send());
    }

    // ---- history from the chain's logs (what a validator, challenger or claimer needs) --------------------------

    /** A closed epoch's frozen inputs, read from its EpochInputs log; empty when the epoch is not closed. */
    public java.util.Optional<ClosedEpoch> closedEpoch(long netuid, long epoch) {
        EthFilter filter = filter(REGISTRY, SubnetRegistry.EPOCHINPUTS_EVENT, topic(netuid), topic(epoch));
        List<Log> logs = calls.client().logs(filter);
        if (logs.isEmpty()) return java.util.Optional.empty();
        if (logs.size() != 1) throw ChainErrors.chain("subnet " + netuid + " epoch " + epoch + ": " + logs.size() + " EpochInputs logs");
        byte[] inputs = SubnetRegistry.getEpochInputsEventFromLog(logs.getFirst()).inputs;
        SubnetRegistry.EpochSnapshot snap = snapshot(netuid, epoch);
        return java.util.Optional.of(new ClosedEpoch(epoch, UidInput.decodeArray(inputs), snap.block.longValueExact(), snap.pool));
    }

    /**
     * The revealed weight row of every UID of a closed epoch: for each input with a weights hash, the newest
     * WeightsRevealed row of that UID up to the close block whose hash matches (EMPTY for a UID without weights).
     */
    public List<WeightRow> revealedRows(long netuid, List<UidInput> inputs, long closeBlock) {
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(calls.deployment().deployBlock())),
                DefaultBlockParameter.valueOf(BigInteger.valueOf(closeBlock)), calls.deployment().address(REGISTRY));
        filter.addSingleTopic(EventEncoder.encode(SubnetRegistry.WEIGHTSREVEALED_EVENT));
        filter.addSingleTopic(topic(netuid));
        List<WeightRow> rows = new java.util.ArrayList<>(java.util.Collections.nCopies(inputs.size(), WeightRow.EMPTY));
        boolean[] found = new boolean[inputs.size()];
        List<Log> logs = calls.client().logs(filter);
        for (Log log : logs.reversed()) { // newest first: a UID's latest matching reveal wins
            SubnetRegistry.WeightsRevealedEventResponse e = SubnetRegistry.getWeightsRevealedEventFromLog(log);
            int uid = e.uid.intValueExact();
            if (uid >= inputs.size() || found[uid] || !inputs.get(uid).hasWeights()) continue;
            WeightRow row = new WeightRow(e.uids.stream().mapToInt(BigInteger::intValueExact).toArray(),
                    e.values.stream().mapToInt(BigInteger::intValueExact).toArray());
            if (java.util.Arrays.equals(row.hash(), inputs.get(uid).weightsHash())) {
                rows.set(uid, row);
                found[uid] = true;
            }
        }
        for (int uid = 0; uid < inputs.size(); uid++) {
            if (inputs.get(uid).hasWeights() && !found[uid]) {
                throw ChainErrors.chain("subnet " + netuid + ": no WeightsRevealed log of UID " + uid + " matches its frozen weights hash");
            }
        }
        return rows;
    }

    /**
     * The leaves of the current post of an epoch (open or final), read back from the post transaction's calldata
     * (the Posted log has only the root); empty when nothing is posted. The decoded leaves are checked against the
     * post's root, so a post sent through another contract (not decodable here) is refused, never misread.
     */
    public java.util.Optional<List<SubnetLeaf>> postedLeaves(long netuid, long epoch) {
        SubnetEpochs.Post p = post(netuid, epoch);
        if (p.poster.equals("0x0000000000000000000000000000000000000000")) return java.util.Optional.empty();
        EthFilter filter = filter(EPOCHS, SubnetEpochs.POSTED_EVENT, topic(netuid), topic(epoch));
        for (Log log : calls.client().logs(filter).reversed()) {
            if (!java.util.Arrays.equals(SubnetEpochs.getPostedEventFromLog(log).root, p.root)) continue;
            var tx = calls.client().send("eth_getTransactionByHash",
                    calls.client().web3j().ethGetTransactionByHash(log.getTransactionHash())).getTransaction()
                    .orElseThrow(() -> ChainErrors.chain("post transaction " + log.getTransactionHash() + " not found"));
            List<SubnetLeaf> leaves = dev.hypha.chain.subnets.PostCalldata.decode(tx.getInput()).leaves();
            if (!java.util.Arrays.equals(new EpochTree(leaves).root(), p.root)) {
                throw ChainErrors.chain("post transaction " + log.getTransactionHash() + " does not carry leaves of root "
                        + Numeric.toHexString(p.root) + " (sent through another contract?)");
            }
            return java.util.Optional.of(leaves);
        }
        throw ChainErrors.chain("subnet " + netuid + " epoch " + epoch + ": no Posted log with the post's root");
    }

    /** Whether UID {@code uid} already claimed its emission of a final epoch. */
    public boolean claimed(long netuid, long epoch, int uid) {
        return read(EPOCHS + ".claimed", () -> epochs.claimed(BigInteger.valueOf(netuid), BigInteger.valueOf(epoch),
                BigInteger.valueOf(uid)).send());
    }

    /** The UID {@code account} holds on the subnet, if any. */
    public java.util.OptionalInt uidOf(long netuid, String account) {
        var t = read(REGISTRY + ".uidOf", () -> registry.uidOf(BigInteger.valueOf(netuid), account).send());
        return t.component1() ? java.util.OptionalInt.of(t.component2().intValueExact()) : java.util.OptionalInt.empty();
    }

    private EthFilter filter(String contract, org.web3j.abi.datatypes.Event event, String... topics) {
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(calls.deployment().deployBlock())),
                DefaultBlockParameterName.LATEST, calls.deployment().address(contract));
        filter.addSingleTopic(EventEncoder.encode(event));
        for (String t : topics) filter.addSingleTopic(t);
        return filter;
    }

    private static String topic(long value) {
        return Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(value), 64);
    }

    private static List<BigInteger> toBig(int[] values) {
        return java.util.Arrays.stream(values).mapToObj(BigInteger::valueOf).toList();
    }
}

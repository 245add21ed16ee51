package dev.hypha.chain.deploy;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.opml.ChallengeCalldata;
import dev.hypha.chain.opml.OpmlCommitment;
import dev.hypha.chain.opml.OpmlDispute;
import dev.hypha.chain.opml.OpmlReceipt;
import dev.hypha.chain.opml.OpmlWitness;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.DynamicStruct;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * OpmlVerifier (optimistic verification of IntLm inference): a challenger's bonded challenge of a provider's receipt
 * (approving the HYP bond when short), both parties' descent moves and reveals, the resolution of one operation, a
 * timeout, the direct proof that a receipt's trace contradicts its output, and the reads the players need.
 * Calls are ABI-encoded here (tuples with dynamic members) and sent through {@link ContractCalls#writeEncoded}, so
 * reverts are decoded by name like every other client's.
 */
public final class OpmlVerifierClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "OpmlVerifier";
    private static final String CHALLENGED_TOPIC =
            org.web3j.crypto.Hash.sha3String("Challenged(uint256,bytes32,address,address,bytes32,bytes32,uint8)");

    private static final String REVEALED_TOPIC = org.web3j.crypto.Hash.sha3String("Revealed(uint256,address,bytes)");

    private final ContractCalls calls;

    OpmlVerifierClient(ContractCalls calls) {
        this.calls = calls;
    }

    /** OpmlVerifier's address in {@code deployment}, empty where it was deployed without one (an older deployment). */
    public static Optional<Address> addressIn(Deployment deployment) {
        return deployment.contracts().containsKey(NAME) ? Optional.of(Address.parse(deployment.address(NAME)))
                : Optional.empty();
    }

    public Address address() {
        return Address.parse(calls.deployment().address(NAME));
    }

    /**
     * Challenges {@code receipt} with the trace root this account re-computed; bonds {@link #challengeBond()} HYP
     * (approved first when short).
     *
     * @return the dispute opened (its id and the block it opened in)
     */
    public Challenged challenge(OpmlReceipt receipt, byte[] signature, byte[] prompt, byte[] output, byte[] root) {
        calls.approveIfShort(NAME, Address.parse(readAddress("bondToken")), challengeBond());
        TransactionReceipt tx = write("challenge", receipt.abi(), new DynamicBytes(signature), new DynamicBytes(prompt),
                new DynamicBytes(output), new Bytes32(ContractCalls.bytes32("root", root)));
        String verifier = address().lowercaseHex();
        List<Log> events = tx.getLogs().stream().filter(l -> l.getAddress().equalsIgnoreCase(verifier)
                && !l.getTopics().isEmpty() && l.getTopics().getFirst().equalsIgnoreCase(CHALLENGED_TOPIC)).toList();
        if (events.size() != 1) {
            throw ChainErrors.chain("challenge transaction " + tx.getTransactionHash() + " emitted " + events.size()
                    + " Challenged events, expected 1");
        }
        return challenged(events.getFirst());
    }

    /** A descent move: the two children of this account's disputed node. */
    public TransactionReceipt move(BigInteger disputeId, byte[] left, byte[] right) {
        return write("move", new Uint256(disputeId), new Bytes32(ContractCalls.bytes32("left", left)),
                new Bytes32(ContractCalls.bytes32("right", right)));
    }

    /** Publishes the output behind this account's disputed leaf. */
    public TransactionReceipt reveal(BigInteger disputeId, byte[] output) {
        return write("reveal", new Uint256(disputeId), new DynamicBytes(output));
    }

    /** Settles the disputed operation from its inputs (anyone). */
    public TransactionReceipt resolve(BigInteger disputeId, OpmlWitness witness) {
        return write("resolve", new Uint256(disputeId), witness.abi());
    }

    /** Ends a dispute whose round deadline has passed (anyone). */
    public TransactionReceipt timeout(BigInteger disputeId) {
        return write("timeout", new Uint256(disputeId));
    }

    /**
     * Proves that the receipt's own trace holds, at SAMPLE {@code position}, a token other than the output it claims
     * ({@code sampled} with its proof against the receipt's trace root): the provider is slashed at once.
     */
    public TransactionReceipt proveOutputMismatch(OpmlReceipt receipt, byte[] signature, byte[] prompt, byte[] output,
            long position, byte[] sampled, List<byte[]> proof) {
        DynamicStruct mismatch = new DynamicStruct(new Uint256(position), new DynamicBytes(sampled),
                new DynamicArray<>(Bytes32.class, proof.stream().map(Bytes32::new).toList()));
        return write("proveOutputMismatch", receipt.abi(), new DynamicBytes(signature), new DynamicBytes(prompt),
                new DynamicBytes(output), mismatch);
    }

    /**
     * The output {@code party} revealed in dispute {@code disputeId} (from its Revealed event), or null if none yet.
     *
     * @param openedAt the block the dispute opened in (or any earlier one): logs are read from there, not from block 0
     */
    public byte[] revealed(BigInteger disputeId, Address party, long openedAt) {
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(openedAt)),
                DefaultBlockParameterName.LATEST, address().lowercaseHex());
        filter.addSingleTopic(REVEALED_TOPIC);
        filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(disputeId, 64));
        filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(new BigInteger(1, party.bytes()), 64));
        List<Log> logs = calls.client().logs(filter);
        if (logs.isEmpty()) {
            return null;
        }
        byte[] data = Numeric.hexStringToByteArray(logs.getLast().getData());
        int length = new BigInteger(1, java.util.Arrays.copyOfRange(data, 32, 64)).intValueExact();
        return java.util.Arrays.copyOfRange(data, 64, 64 + length);
    }

    /**
     * The block dispute {@code disputeId} opened in, from its Challenged event (read from the verifier's deployment
     * block on: for a player taking up a dispute whose opening it did not see, once).
     */
    public long openedAt(BigInteger disputeId) {
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(deployedAt())),
                DefaultBlockParameterName.LATEST, address().lowercaseHex());
        filter.addSingleTopic(CHALLENGED_TOPIC);
        filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(disputeId, 64));
        List<Log> logs = calls.client().logs(filter, 1);
        if (logs.isEmpty()) {
            throw ChainErrors.chain("no Challenged event of dispute " + disputeId + " on " + NAME + " " + address());
        }
        return logs.getFirst().getBlockNumber().longValueExact();
    }

    private long deployedAt() {
        return calls.deployment().contracts().get(NAME).block();
    }

    /**
     * The receipt, signature and tokens the challenge that opened {@code c} carried, read back from its transaction's
     * input ({@link ChallengeCalldata}); empty when that transaction is not a direct call of this verifier's
     * {@code challenge} (one sent through another contract) or does not carry the challenged receipt.
     */
    public Optional<OpmlCommitment> challengedAnswer(Challenged c) {
        Optional<org.web3j.protocol.core.methods.response.Transaction> tx = calls.client().send(
                "eth_getTransactionByHash", calls.client().web3j().ethGetTransactionByHash(c.transactionHash()))
                .getTransaction();
        if (tx.isEmpty() || tx.get().getTo() == null || !tx.get().getTo().equalsIgnoreCase(address().lowercaseHex())) {
            return Optional.empty();
        }
        OpmlCommitment answer;
        try {
            answer = ChallengeCalldata.decode(tx.get().getInput());
        } catch (IllegalArgumentException notOurs) {
            return Optional.empty();
        }
        byte[] digest = answer.receipt().digest(calls.client().chainId(), address());
        return java.util.Arrays.equals(digest, c.receiptDigest()) ? Optional.of(answer) : Optional.empty();
    }

    public OpmlDispute dispute(BigInteger disputeId) {
        return OpmlDispute.decode(call(new Function("getDispute", List.of(new Uint256(disputeId)), List.of())));
    }

    /** The receipt's EIP-712 digest as the contract computes it. */
    public byte[] receiptDigest(OpmlReceipt receipt) {
        return Numeric.hexStringToByteArray(call(new Function("receiptDigest", List.of(receipt.abi()), List.of())));
    }

    public boolean isFaulted(byte[] receiptDigest) {
        return word(new Function("isFaulted", List.of(new Bytes32(receiptDigest)), List.of())).signum() != 0;
    }

    public BigInteger openDisputeOf(byte[] receiptDigest) {
        return word(new Function("openDisputeOf", List.of(new Bytes32(receiptDigest)), List.of()));
    }

    public BigInteger challengeBond() {
        return word(new Function("challengeBond", List.of(), List.of()));
    }

    public BigInteger slashAmount() {
        return word(new Function("slashAmount", List.of(), List.of()));
    }

    public BigInteger bondsHeld() {
        return word(new Function("bondsHeld", List.of(), List.of()));
    }

    public BigInteger minChallengerStake() {
        return word(new Function("minChallengerStake", List.of(), List.of()));
    }

    /**
     * One {@code Challenged} event: who challenged which receipt of which provider, in which block and transaction.
     */
    public record Challenged(BigInteger disputeId, byte[] receiptDigest, Address challenger, Address provider,
            long block, String transactionHash) {}

    /**
     * The disputes opened from {@code fromBlock} on, oldest first, at most {@code limit} (asked for in bounded block
     * ranges, as public nodes require).
     */
    public List<Challenged> challengedSince(long fromBlock, int limit) {
        return calls.client().logs(challengedFilter(fromBlock, DefaultBlockParameterName.LATEST), limit).stream()
                .map(OpmlVerifierClient::challenged).toList();
    }

    /**
     * Every dispute opened in {@code block}, oldest first: one call, bounded by what one block's gas can hold (a
     * follower whose bounded read ends inside a block reads that block whole).
     */
    public List<Challenged> challengedIn(long block) {
        return calls.client().logs(challengedFilter(block, DefaultBlockParameter.valueOf(BigInteger.valueOf(block))))
                .stream().map(OpmlVerifierClient::challenged).toList();
    }

    private EthFilter challengedFilter(long fromBlock, DefaultBlockParameter toBlock) {
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(fromBlock)), toBlock,
                address().lowercaseHex());
        filter.addSingleTopic(CHALLENGED_TOPIC);
        return filter;
    }

    private static Challenged challenged(Log l) {
        byte[] data = Numeric.hexStringToByteArray(l.getData());
        return new Challenged(Numeric.toBigInt(l.getTopics().get(1)), Numeric.hexStringToByteArray(l.getTopics().get(2)),
                Address.parse("0x" + Numeric.cleanHexPrefix(l.getTopics().get(3)).substring(24)),
                Address.parse(Numeric.toHexString(java.util.Arrays.copyOfRange(data, 12, 32))),
                l.getBlockNumber().longValueExact(), l.getTransactionHash());
    }

    /** The chain's newest block number (where a follower of {@link #challengedSince} starts and has read up to). */
    public long headBlock() {
        return calls.client().blockNumber();
    }

    public long moveTimeout() {
        return word(new Function("moveTimeout", List.of(), List.of())).longValueExact();
    }

    private String readAddress(String getter) {
        String hex = call(new Function(getter, List.of(), List.of()));
        return "0x" + Numeric.cleanHexPrefix(hex).substring(24, 64);
    }

    private BigInteger word(Function f) {
        return Numeric.toBigInt(call(f));
    }

    private String call(Function f) {
        String data = FunctionEncoder.encode(f);
        return ContractCalls.read(NAME + "." + f.getName(), () -> calls.client().call(
                Transaction.createEthCallTransaction(Address.ZERO.lowercaseHex(), address().lowercaseHex(), data)));
    }

    @SuppressWarnings("rawtypes")
    private TransactionReceipt write(String function, Type... args) {
        return calls.writeEncoded(NAME, function, FunctionEncoder.encode(new Function(function, List.of(args), List.of())));
    }
}

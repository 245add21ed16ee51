package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.bytes32;
import static dev.hypha.chain.deploy.ContractCalls.read;
import static dev.hypha.chain.deploy.ContractCalls.uint256;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.contracts.AppRewards;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * AppRewards (app incentives that wash usage cannot earn; docs/ARCHITECTURE.md "App incentives and the wash-trading
 * rule"): publish and update apps, pay for a use (the payment token is approved first when the allowance is short),
 * fund the reward pool, close epochs and claim rewards, and read apps, epochs and the payments an app received.
 */
public final class AppRewardsClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "AppRewards";
    /** Basis points of a payment: AppRewards.BPS. */
    public static final int BPS = 10_000;
    /** Most logs read per query when summing an app's payments (nodes cap ranges; this keeps each answer small). */

    /** One published app. */
    public record App(long id, Address creator, byte[] spec, BigInteger price, int creatorBps) {
        public App {
            spec = spec.clone();
        }

        @Override
        public byte[] spec() {
            return spec.clone();
        }
    }

    /** One reward epoch: all apps' eligible fees, the budget fixed at its close, what was claimed from it. */
    public record Epoch(long index, BigInteger eligibleFees, BigInteger reserved, BigInteger paid, boolean closed) {}

    /** One paid use, as its Paid event says it: who paid whom how much, and whether it counts toward rewards. */
    public record Payment(long appId, long epoch, Address payer, Address provider, BigInteger amount, BigInteger fee,
                          BigInteger toCreator, BigInteger toProvider, boolean eligible, long block) {}

    private final ContractCalls calls;
    private final AppRewards binding;

    AppRewardsClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, AppRewards::load);
    }

    /** The contract's address. */
    public Address address() {
        return Address.parse(calls.deployment().address(NAME));
    }

    /** The payment token fees, shares and rewards are paid in. */
    public Address token() {
        return Address.parse(read(NAME + ".token", () -> binding.token().send()));
    }

    /**
     * Publishes an app owned by this account and returns its id.
     *
     * @param spec       the content-id digest of the app's spec (system prompt, model, tools)
     * @param price      what one use costs, in the payment token's smallest unit
     * @param creatorBps the creator's share of a payment after the protocol fee (0..10000)
     */
    public long publish(byte[] spec, BigInteger price, int creatorBps) {
        checkBps(creatorBps);
        TransactionReceipt r = calls.write(NAME, "publish", binding.publish(bytes32("spec", spec),
                uint256("price", price), BigInteger.valueOf(creatorBps)));
        List<AppRewards.AppPublishedEventResponse> events = AppRewards.getAppPublishedEvents(r);
        if (events.isEmpty()) {
            throw ChainErrors.chain("AppRewards.publish: receipt " + r.getTransactionHash() + " has no AppPublished event");
        }
        return events.getFirst().appId.longValueExact();
    }

    /** The creator changes its app's spec, price or share. */
    public TransactionReceipt update(long appId, byte[] spec, BigInteger price, int creatorBps) {
        checkBps(creatorBps);
        return calls.write(NAME, "update", binding.update(BigInteger.valueOf(appId), bytes32("spec", spec),
                uint256("price", price), BigInteger.valueOf(creatorBps)));
    }

    /** Pays {@code amount} for one use of {@code appId} served by {@code provider}, from this account. */
    public TransactionReceipt pay(long appId, Address provider, BigInteger amount) {
        uint256("amount", amount);
        calls.approveIfShort(NAME, token(), amount);
        return calls.write(NAME, "pay", binding.pay(BigInteger.valueOf(appId), provider.lowercaseHex(), amount));
    }

    /**
     * Lets AppRewards pull up to {@code allowance} of the payment token from this account, so that later payments need
     * no approval transaction of their own (a payer paying per use sets it once, to what it is ready to spend).
     */
    public void allow(BigInteger allowance) {
        calls.approveIfShort(NAME, token(), uint256("allowance", allowance));
    }

    /** Adds {@code amount} of the payment token to the reward pool, from this account. */
    public TransactionReceipt fund(BigInteger amount) {
        uint256("amount", amount);
        calls.approveIfShort(NAME, token(), amount);
        return calls.write(NAME, "fund", binding.fund(amount));
    }

    /** Fixes a finished epoch's budget (anyone; {@link #claim} does it too). */
    public TransactionReceipt closeEpoch(long epoch) {
        return calls.write(NAME, "closeEpoch", binding.closeEpoch(BigInteger.valueOf(epoch)));
    }

    /** Pays {@code appId}'s reward of a finished epoch to its creator (anyone may send it); returns the amount. */
    public BigInteger claim(long epoch, long appId) {
        TransactionReceipt r = calls.write(NAME, "claim", binding.claim(BigInteger.valueOf(epoch), BigInteger.valueOf(appId)));
        return AppRewards.getRewardClaimedEvents(r).stream().map(e -> e.amount).reduce(BigInteger.ZERO, BigInteger::add);
    }

    /** One app; a CHAIN error decoding {@code UnknownApp} when there is none. */
    public App app(long appId) {
        AppRewards.App a = read(NAME + ".getApp", () -> binding.getApp(BigInteger.valueOf(appId)).send());
        return new App(appId, Address.parse(a.creator), a.spec, a.price, a.creatorBps.intValueExact());
    }

    /** How many apps were published (ids are 0 .. count−1). */
    public long appCount() {
        return read(NAME + ".appCount", () -> binding.appCount().send()).longValueExact();
    }

    /** One epoch's books. */
    public Epoch epoch(long epoch) {
        AppRewards.Epoch e = read(NAME + ".getEpoch", () -> binding.getEpoch(BigInteger.valueOf(epoch)).send());
        return new Epoch(epoch, e.eligibleFees, e.reserved, e.paid, e.closed);
    }

    /** The epoch the next payment counts in. */
    public long currentEpoch() {
        return read(NAME + ".currentEpoch", () -> binding.currentEpoch().send()).longValueExact();
    }

    /** Blocks per epoch. */
    public long epochBlocks() {
        return read(NAME + ".epochBlocks", () -> binding.epochBlocks().send()).longValueExact();
    }

    /** The block epoch 0 starts at. */
    public long startBlock() {
        return read(NAME + ".startBlock", () -> binding.startBlock().send()).longValueExact();
    }

    /** Reward tokens no epoch has reserved yet. */
    public BigInteger pool() {
        return read(NAME + ".pool", () -> binding.pool().send());
    }

    /** Reserved by closed epochs and not yet claimed. */
    public BigInteger outstanding() {
        return read(NAME + ".outstanding", () -> binding.outstanding().send());
    }

    /** {@code appId}'s eligible fees in {@code epoch} (payments by neither its creator nor the serving provider). */
    public BigInteger eligibleFees(long epoch, long appId) {
        return read(NAME + ".eligibleFees", () -> binding.eligibleFees(BigInteger.valueOf(epoch), BigInteger.valueOf(appId)).send());
    }

    /** What {@code appId} earns from {@code epoch} (0 until the epoch is closed). */
    public BigInteger rewardOf(long epoch, long appId) {
        return read(NAME + ".rewardOf", () -> binding.rewardOf(BigInteger.valueOf(epoch), BigInteger.valueOf(appId)).send());
    }

    /** Whether {@code appId}'s reward of {@code epoch} was claimed. */
    public boolean claimed(long epoch, long appId) {
        return read(NAME + ".claimed", () -> binding.claimed(BigInteger.valueOf(epoch), BigInteger.valueOf(appId)).send());
    }

    /**
     * Every payment to {@code appId} from block {@code fromBlock} to the head, in chain order (its Paid events, read
     * in ranges the chain client bounds).
     */
    public List<Payment> payments(long appId, long fromBlock) {
        List<Payment> out = new ArrayList<>();
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(fromBlock)),
                DefaultBlockParameterName.LATEST, binding.getContractAddress());
        filter.addSingleTopic(EventEncoder.encode(AppRewards.PAID_EVENT));
        filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(appId), 64));
        for (Log log : calls.client().logs(filter)) {
            AppRewards.PaidEventResponse e = AppRewards.getPaidEventFromLog(log);
            out.add(new Payment(e.appId.longValueExact(), e.epoch.longValueExact(), Address.parse(e.payer),
                    Address.parse(e.provider), e.amount, e.fee, e.toCreator, e.toProvider, e.eligible,
                    log.getBlockNumber().longValueExact()));
        }
        return List.copyOf(out);
    }

    /** The latest block number. */
    public long blockNumber() {
        return calls.client().blockNumber();
    }

    private static void checkBps(int creatorBps) {
        if (creatorBps < 0 || creatorBps > BPS) {
            throw ChainErrors.input("creator share " + creatorBps + " bps is outside 0.." + BPS);
        }
    }
}

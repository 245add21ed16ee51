package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.read;
import static dev.hypha.chain.deploy.ContractCalls.uint256;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.assets.DataPool;
import dev.hypha.chain.assets.PoolContribution;
import dev.hypha.chain.contracts.DataPools;
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
 * DataPools (Vana-like data pools): open a pool and name validators, contribute items, score contributions, deposit
 * rewards (approving the token when the allowance is short) and claim them; read pools and contributions.
 */
public final class DataPoolsClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "DataPools";
    /** Highest score a validator may give (the contract's MAX_SCORE). */
    public static final long MAX_SCORE = 1_000_000;

    private final ContractCalls calls;
    private final DataPools binding;

    DataPoolsClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, DataPools::load);
    }

    /**
     * Opens a pool owned by this account.
     *
     * @param contributionsEnd  last second of the contribution phase (chain time, after now)
     * @param scoringEnd        last second of the scoring phase (not before contributionsEnd)
     * @param minValidatorStake VALIDATOR stake that makes any account a validator, or 0 for named validators only
     * @param metadataId        content id of the pool's description, or empty
     * @return the new pool's id
     */
    public long createPool(Address token, long contributionsEnd, long scoringEnd, BigInteger minValidatorStake,
                           byte[] metadataId) {
        if (scoringEnd < contributionsEnd) {
            throw ChainErrors.input("scoring end " + scoringEnd + " is before contribution end " + contributionsEnd);
        }
        TransactionReceipt receipt = calls.write(NAME, "createPool", binding.createPool(token.lowercaseHex(),
                BigInteger.valueOf(contributionsEnd), BigInteger.valueOf(scoringEnd), minValidatorStake, metadataId.clone()));
        List<DataPools.PoolCreatedEventResponse> events = DataPools.getPoolCreatedEvents(receipt);
        if (events.size() != 1) {
            throw ChainErrors.chain("createPool transaction " + receipt.getTransactionHash() + " emitted " + events.size()
                    + " PoolCreated events, expected 1");
        }
        return events.getFirst().poolId.longValueExact();
    }

    /** Names (or unnames) a validator of a pool this account owns. */
    public TransactionReceipt setValidator(long poolId, Address validator, boolean allowed) {
        return calls.write(NAME, "setValidator", binding.setValidator(BigInteger.valueOf(poolId), validator.lowercaseHex(),
                allowed));
    }

    /** Deposits {@code amount} of the pool's token as rewards from this account. */
    public TransactionReceipt deposit(long poolId, BigInteger amount) {
        uint256("amount", amount);
        calls.approveIfShort(NAME, pool(poolId).token(), amount);
        return calls.write(NAME, "deposit", binding.deposit(BigInteger.valueOf(poolId), amount));
    }

    /** Adds an item (its binary content id) to a pool as this account's contribution; returns the contribution id. */
    public long contribute(long poolId, byte[] contentId) {
        TransactionReceipt receipt = calls.write(NAME, "contribute", binding.contribute(BigInteger.valueOf(poolId),
                contentId.clone()));
        List<DataPools.ContributedEventResponse> events = DataPools.getContributedEvents(receipt);
        if (events.size() != 1) {
            throw ChainErrors.chain("contribute transaction " + receipt.getTransactionHash() + " emitted " + events.size()
                    + " Contributed events, expected 1");
        }
        return events.getFirst().contributionId.longValueExact();
    }

    /** Scores a contribution as this account (a validator of its pool), 0..{@link #MAX_SCORE}. */
    public TransactionReceipt score(long contributionId, long value) {
        if (value < 0 || value > MAX_SCORE) {
            throw ChainErrors.input("score must be 0.." + MAX_SCORE + ", got " + value);
        }
        return calls.write(NAME, "score", binding.score(BigInteger.valueOf(contributionId), BigInteger.valueOf(value)));
    }

    /** Pays a contribution's unclaimed reward to its contributor (anyone may send it). */
    public TransactionReceipt claim(long contributionId) {
        return calls.write(NAME, "claim", binding.claim(BigInteger.valueOf(contributionId)));
    }

    /** What {@link #claim} would pay now. */
    public BigInteger claimable(long contributionId) {
        return read(NAME + ".claimable", () -> binding.claimable(BigInteger.valueOf(contributionId)).send());
    }

    /** The id the next pool will get (ids count up from 1, so pools 1 .. this - 1 exist). */
    public long nextPoolId() {
        return read(NAME + ".nextPoolId", () -> binding.nextPoolId().send()).longValueExact();
    }

    /** A pool's record (a decoded UnknownPool error for an id never used). */
    public DataPool pool(long poolId) {
        DataPools.Pool p = read(NAME + ".poolOf", () -> binding.poolOf(BigInteger.valueOf(poolId)).send());
        return new DataPool(poolId, Address.parse(p.owner), p.contributionsEnd.longValueExact(),
                p.scoringEnd.longValueExact(), Address.parse(p.token), p.minValidatorStake, p.deposited, p.claimed,
                p.totalScore, p.contributions.longValueExact());
    }

    /** A contribution's record. */
    public PoolContribution contribution(long contributionId) {
        DataPools.Contribution c = read(NAME + ".contributionOf",
                () -> binding.contributionOf(BigInteger.valueOf(contributionId)).send());
        return new PoolContribution(contributionId, c.poolId.longValueExact(), Address.parse(c.contributor), c.contentId,
                c.score.longValueExact(), c.scoreCount.longValueExact(), c.claimed);
    }

    /** Returns an unscored pool's deposits to its owner once scoring is over (anyone may send it). */
    public TransactionReceipt reclaimUnscored(long poolId) {
        return calls.write(NAME, "reclaimUnscored", binding.reclaimUnscored(BigInteger.valueOf(poolId)));
    }

    /** Whether {@code account} may score the pool's contributions (named, or staked at least the pool's minimum). */
    public boolean isValidator(long poolId, Address account) {
        return read(NAME + ".isValidator", () -> binding.isValidator(BigInteger.valueOf(poolId), account.lowercaseHex())
                .send());
    }

    /**
     * The ids of a pool's contributions, oldest first, from its Contributed events (the contract keeps no per-pool
     * list: it never loops); at most {@code limit}, so a flooded pool bounds the work (callers say what they do past it).
     */
    public List<Long> contributionIds(long poolId, int limit) {
        List<Long> out = new ArrayList<>();
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(calls.deployment().deployBlock())),
                DefaultBlockParameterName.LATEST, binding.getContractAddress());
        filter.addSingleTopic(EventEncoder.encode(DataPools.CONTRIBUTED_EVENT));
        filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(poolId), 64));
        for (Log log : calls.client().logs(filter, limit)) {
            out.add(DataPools.getContributedEventFromLog(log).contributionId.longValueExact());
        }
        return List.copyOf(out);
    }
}

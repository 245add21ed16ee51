package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.read;
import static dev.hypha.chain.deploy.ContractCalls.uint256;

import dev.hypha.chain.contracts.RoyaltySplitter;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * RoyaltySplitter: pay revenue to an asset (split up its lineage by the declared shares at once; the token is approved
 * first when the allowance is short), read what an account may withdraw, and withdraw it.
 */
public final class RoyaltySplitterClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "RoyaltySplitter";

    private final ContractCalls calls;
    private final RoyaltySplitter binding;

    RoyaltySplitterClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, RoyaltySplitter::load);
    }

    /** Pays {@code amount} of {@code token} from this account to {@code assetId}. */
    public TransactionReceipt pay(long assetId, Address token, BigInteger amount) {
        uint256("amount", amount);
        calls.approveIfShort(NAME, token, amount);
        return calls.write(NAME, "pay", binding.pay(BigInteger.valueOf(assetId), token.lowercaseHex(), amount));
    }

    /**
     * The amounts {@code payer} paid in {@code token} to {@code assetId} from block {@code fromBlock} on (the
     * RevenuePaid events, in chain order): how a payer that crashed mid-payment learns whether its payment landed.
     */
    public List<BigInteger> paymentsSince(long assetId, Address payer, Address token, long fromBlock) {
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(fromBlock)),
                DefaultBlockParameterName.LATEST, binding.getContractAddress());
        filter.addSingleTopic(EventEncoder.encode(RoyaltySplitter.REVENUEPAID_EVENT));
        filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(assetId), 64));
        filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(Numeric.toBigInt(payer.lowercaseHex()), 64));
        filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(Numeric.toBigInt(token.lowercaseHex()), 64));
        List<BigInteger> out = new ArrayList<>();
        for (Log log : calls.client().logs(filter)) {
            out.add(RoyaltySplitter.getRevenuePaidEventFromLog(log).amount);
        }
        return List.copyOf(out);
    }

    /** The latest block number (where a payment about to be sent can be looked for afterwards). */
    public long blockNumber() {
        return calls.client().blockNumber();
    }

    /** What {@code account} may withdraw in {@code token}. */
    public BigInteger balanceOf(Address token, Address account) {
        return read(NAME + ".balanceOf", () -> binding.balanceOf(token.lowercaseHex(), account.lowercaseHex()).send());
    }

    /** Sends this account's whole balance of {@code token} to {@code to}. */
    public TransactionReceipt withdraw(Address token, Address to) {
        return calls.write(NAME, "withdraw", binding.withdraw(token.lowercaseHex(), to.lowercaseHex()));
    }
}

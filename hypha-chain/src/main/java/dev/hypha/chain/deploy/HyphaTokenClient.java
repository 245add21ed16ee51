package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.read;
import static dev.hypha.chain.deploy.ContractCalls.uint256;

import dev.hypha.chain.contracts.HyphaToken;
import java.math.BigInteger;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/** HyphaToken (HYP): balances, transfers and approvals of one account (or reads only). */
public final class HyphaTokenClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "HyphaToken";

    private final ContractCalls calls;
    private final HyphaToken binding;

    HyphaTokenClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, HyphaToken::load);
    }

    /** The generated binding, for reads not wrapped here. */
    public HyphaToken binding() {
        return binding;
    }

    /** The token's address. */
    public String address() {
        return calls.deployment().address(NAME);
    }

    /** HYP balance in wei units. */
    public BigInteger balanceOf(String account) {
        return read(NAME + ".balanceOf", () -> binding.balanceOf(ContractCalls.address(account)).send());
    }

    /** What {@code spender} may still take from {@code owner}. */
    public BigInteger allowance(String owner, String spender) {
        return read(NAME + ".allowance", () -> binding.allowance(ContractCalls.address(owner), ContractCalls.address(spender)).send());
    }

    /** Transfers HYP from this account. */
    public TransactionReceipt transfer(String to, BigInteger amount) {
        return calls.write(NAME, "transfer", binding.transfer(ContractCalls.address(to), uint256("amount", amount)));
    }

    /** Lets {@code spender} take up to {@code amount} from this account. */
    public TransactionReceipt approve(String spender, BigInteger amount) {
        return calls.write(NAME, "approve", binding.approve(ContractCalls.address(spender), uint256("amount", amount)));
    }
}

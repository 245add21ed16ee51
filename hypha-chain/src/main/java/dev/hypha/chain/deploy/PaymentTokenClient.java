package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.address;
import static dev.hypha.chain.deploy.ContractCalls.read;
import static dev.hypha.chain.deploy.ContractCalls.uint256;

import dev.hypha.chain.contracts.PaymentToken;
import java.math.BigInteger;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/** PaymentToken (hUSD, 6 decimals), the local stablecoin stand-in: balances, transfers and its faucet. */
public final class PaymentTokenClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "PaymentToken";

    private final ContractCalls calls;
    private final PaymentToken binding;

    PaymentTokenClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, PaymentToken::load);
    }

    /** The generated binding, for reads not wrapped here. */
    public PaymentToken binding() {
        return binding;
    }

    /** hUSD balance in its smallest units. */
    public BigInteger balanceOf(String account) {
        return read(NAME + ".balanceOf", () -> binding.balanceOf(address(account)).send());
    }

    /** Transfers hUSD from this account. */
    public TransactionReceipt transfer(String to, BigInteger amount) {
        return calls.write(NAME, "transfer", binding.transfer(address(to), uint256("amount", amount)));
    }

    /** Mints hUSD (only the token's owner may: a devnet faucet). */
    public TransactionReceipt mint(String to, BigInteger amount) {
        return calls.write(NAME, "mint", binding.mint(address(to), uint256("amount", amount)));
    }
}

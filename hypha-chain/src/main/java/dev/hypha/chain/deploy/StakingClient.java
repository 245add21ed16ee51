package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.address;
import static dev.hypha.chain.deploy.ContractCalls.bytes32;
import static dev.hypha.chain.deploy.ContractCalls.read;
import static dev.hypha.chain.deploy.ContractCalls.uint256;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.contracts.Staking;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.TypedData;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tuples.generated.Tuple2;

/** Staking: stake, unbond, withdraw and (for slashers) slash, and the reads around them. */
public final class StakingClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "Staking";
    /** The provider role in Staking: keccak256("PROVIDER"). */
    public static final byte[] PROVIDER_ROLE = role("PROVIDER");
    /** The validator role in Staking: keccak256("VALIDATOR"). */
    public static final byte[] VALIDATOR_ROLE = role("VALIDATOR");

    /** Access role of contracts that prove faults on-chain and slash without bound: keccak256("FAULT_PROOF_ROLE"). */
    public static final byte[] FAULT_PROOF_ROLE = role("FAULT_PROOF_ROLE");

    /** Unbonding stake of an account for a role. */
    public record Unbonding(BigInteger amount, long releaseTime) {}

    private final ContractCalls calls;
    private final HyphaTokenClient hyp;
    private final Staking binding;

    StakingClient(ContractCalls calls, HyphaTokenClient hyp) {
        this.calls = calls;
        this.hyp = hyp;
        this.binding = calls.binding(NAME, Staking::load);
    }

    /** A Staking role tag: keccak256 of its name, e.g. {@code role("PROVIDER")}. */
    public static byte[] role(String name) {
        if (name == null || name.isBlank()) {
            throw ChainErrors.input("role name is empty: expected e.g. PROVIDER or VALIDATOR");
        }
        return Hash.sha3(name.getBytes(StandardCharsets.UTF_8));
    }

    /** The generated binding, for reads not wrapped here. */
    public Staking binding() {
        return binding;
    }

    /** Active stake of an account for a role. */
    public boolean hasRole(byte[] accessRole, String account) {
        return read(NAME + ".hasRole", () -> binding.hasRole(accessRole, ContractCalls.address(account)).send());
    }

    public BigInteger stakeOf(String account, byte[] role) {
        return read(NAME + ".stakeOf", () -> binding.stakeOf(address(account), role).send());
    }

    /** Unbonding stake and its release time (unix seconds; 0 when nothing unbonds). */
    public Unbonding unbondingOf(String account, byte[] role) {
        Tuple2<BigInteger, BigInteger> t = read(NAME + ".unbondingOf", () -> binding.unbondingOf(address(account), role).send());
        return new Unbonding(t.component1(), t.component2().longValueExact());
    }

    /** All HYP held by Staking (active plus unbonding). */
    public BigInteger totalStaked() {
        return read(NAME + ".totalStaked", () -> binding.totalStaked().send());
    }

    /** The unbonding period in seconds. */
    public long unbondingPeriod() {
        return read(NAME + ".unbondingPeriod", () -> binding.unbondingPeriod().send()).longValueExact();
    }

    /**
     * Stakes HYP for a role, approving Staking for the amount first when the allowance is short.
     *
     * @return the receipt of the stake transaction
     */
    public TransactionReceipt stake(byte[] role, BigInteger amount) {
        BigInteger value = uint256("amount", amount);
        String staking = calls.deployment().address(NAME);
        if (hyp.allowance(calls.account(), staking).compareTo(value) < 0) {
            hyp.approve(staking, value);
        }
        return calls.write(NAME, "stake", binding.stake(role, value));
    }

    /**
     * Stakes HYP for a role in one transaction: signs an ERC-2612 permit for Staking (valid for {@code validForSeconds}
     * of chain time) and calls {@code stakeWithPermit}, so no separate approve is needed.
     *
     * @return the receipt of the stake transaction
     */
    public TransactionReceipt stakeWithPermit(byte[] role, BigInteger amount, long validForSeconds) {
        BigInteger value = uint256("amount", amount);
        if (validForSeconds <= 0) {
            throw ChainErrors.input("permit validity must be > 0 seconds, was " + validForSeconds);
        }
        String account = calls.account();
        // Deadline from chain time, not the local clock: the contract compares it with block.timestamp.
        BigInteger deadline = calls.client().latestBlock().getTimestamp().add(BigInteger.valueOf(validForSeconds));
        var domain = read(HyphaTokenClient.NAME + ".eip712Domain", () -> hyp.binding().eip712Domain().send());
        BigInteger nonce = read(HyphaTokenClient.NAME + ".nonces", () -> hyp.binding().nonces(account).send());
        TypedData permit = TypedData.of(
                new TypedData.Domain(domain.component2(), domain.component3(), domain.component4(),
                        Address.parse(domain.component5())),
                Map.of("Permit", List.of(
                        new TypedData.Field("owner", "address"),
                        new TypedData.Field("spender", "address"),
                        new TypedData.Field("value", "uint256"),
                        new TypedData.Field("nonce", "uint256"),
                        new TypedData.Field("deadline", "uint256"))),
                "Permit",
                Map.of("owner", account, "spender", calls.deployment().address(NAME), "value", value,
                        "nonce", nonce, "deadline", deadline));
        var sig = calls.signer(NAME + ".stakeWithPermit").signTypedData(permit).toSignatureData();
        return calls.write(NAME, "stakeWithPermit", binding.stakeWithPermit(role, value, deadline,
                new BigInteger(1, sig.getV()), sig.getR(), sig.getS()));
    }

    /** Starts unbonding {@code amount} of this account's stake for a role. */
    public TransactionReceipt requestUnbond(byte[] role, BigInteger amount) {
        return calls.write(NAME, "requestUnbond", binding.requestUnbond(role, uint256("amount", amount)));
    }

    /** Withdraws matured unbonded stake for a role. */
    public TransactionReceipt withdraw(byte[] role) {
        return calls.write(NAME, "withdraw", binding.withdraw(role));
    }

    /** Slashes an account's stake (only SLASHER_ROLE, bounded, or FAULT_PROOF_ROLE holders may). */
    public TransactionReceipt slash(String account, byte[] role, BigInteger amount, byte[] reason) {
        return calls.write(NAME, "slash", binding.slash(address(account), role, uint256("amount", amount),
                bytes32("reason", reason)));
    }
}

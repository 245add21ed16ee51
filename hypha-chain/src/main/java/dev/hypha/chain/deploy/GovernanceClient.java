package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.address;
import static dev.hypha.chain.deploy.ContractCalls.bytes32;
import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.contracts.HyphaTimelock;
import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * HyphaTimelock, the admin of every other contract: governance actions are scheduled by the governor, wait out the
 * delay, then anyone executes them.
 */
public final class GovernanceClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "HyphaTimelock";
    private static final byte[] NO_PREDECESSOR = new byte[32];

    /**
     * A governance action: one call that HyphaTimelock makes once the action has been scheduled and its delay has
     * passed. {@code salt} tells apart two otherwise identical actions.
     */
    public record GovernanceAction(String contract, String target, byte[] data, byte[] salt) {
        public GovernanceAction {
            Objects.requireNonNull(contract, "contract");
            Objects.requireNonNull(target, "target");
            data = data.clone();
            salt = bytes32("salt", salt).clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }
    }

    private final ContractCalls calls;
    private final HyphaTimelock binding;

    GovernanceClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, HyphaTimelock::load);
    }

    /** The generated binding, for reads not wrapped here. */
    public HyphaTimelock binding() {
        return binding;
    }

    /** How long a scheduled governance action waits before it can be executed, in seconds. */
    public long delay() {
        return read(NAME + ".getMinDelay", () -> binding.getMinDelay().send()).longValueExact();
    }

    /** The action that grants {@code role} on {@code contract} (e.g. "Staking") to {@code account}. */
    public GovernanceAction grantRoleAction(String contract, byte[] role, String account) {
        return callAction(contract, new Function("grantRole", List.of(new Bytes32(bytes32("role", role)),
                new org.web3j.abi.datatypes.Address(address(account))), List.of()));
    }

    /** The action that calls {@code function} on the deployed {@code contract} (an admin-only setter, say). */
    public GovernanceAction callAction(String contract, Function function) {
        byte[] data = Numeric.hexStringToByteArray(FunctionEncoder.encode(function));
        return new GovernanceAction(contract, calls.deployment().address(contract), data, new byte[32]);
    }

    /** Schedules {@code action} with the full delay (only the governor may). */
    public TransactionReceipt schedule(GovernanceAction action) {
        BigInteger delay = BigInteger.valueOf(delay());
        return calls.write(NAME, "schedule", binding.schedule(action.target(), BigInteger.ZERO, action.data(),
                NO_PREDECESSOR, action.salt(), delay));
    }

    /** Whether {@code action}'s delay has passed (and it is not executed or cancelled yet). */
    public boolean isReady(GovernanceAction action) {
        byte[] id = read(NAME + ".hashOperation", () -> binding.hashOperation(action.target(), BigInteger.ZERO,
                action.data(), NO_PREDECESSOR, action.salt()).send());
        return read(NAME + ".isOperationReady", () -> binding.isOperationReady(id).send());
    }

    /** Executes a scheduled {@code action} once its delay has passed (anyone may). */
    public TransactionReceipt execute(GovernanceAction action) {
        return calls.write(NAME, "execute", binding.execute(action.target(), BigInteger.ZERO, action.data(),
                NO_PREDECESSOR, action.salt(), BigInteger.ZERO));
    }
}

package dev.hypha.chain.tx;

import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;

/**
 * What to send: a contract call, a plain value transfer or a contract creation.
 *
 * @param label what the transaction does, used in errors (e.g. "Staking.stake")
 * @param contract the name of the called contract, used to pick its ABI when decoding a revert
 * @param to the recipient, or empty for a contract creation
 * @param data calldata (or creation code plus constructor arguments) as 0x hex
 * @param value wei to send
 * @param gasLimit a fixed gas limit; empty (the usual case) means estimate it with the node
 */
public record TxRequest(String label, Optional<String> contract, Optional<String> to, String data, BigInteger value,
                        Optional<BigInteger> gasLimit) {
    public TxRequest {
        Objects.requireNonNull(gasLimit, "gasLimit");
        if (gasLimit.isPresent() && gasLimit.get().signum() <= 0) {
            throw new IllegalArgumentException("gas limit must be > 0, was " + gasLimit.get());
        }
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(contract, "contract");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(value, "value");
        if (value.signum() < 0) {
            throw new IllegalArgumentException("value must be >= 0, was " + value);
        }
    }

    /** A call of {@code function} on a contract at {@code address} with encoded calldata. */
    public static TxRequest call(String contract, String function, String address, String calldata) {
        return new TxRequest(contract + "." + function, Optional.of(contract), Optional.of(address), calldata, BigInteger.ZERO,
                Optional.empty());
    }

    /** A plain ether transfer. */
    public static TxRequest transfer(String to, BigInteger wei) {
        return new TxRequest("transfer", Optional.empty(), Optional.of(to), "0x", wei, Optional.empty());
    }

    /** Creation of {@code contract} from creation code with encoded constructor arguments appended. */
    public static TxRequest deploy(String contract, String creationCode) {
        return new TxRequest("deploy " + contract, Optional.of(contract), Optional.empty(), creationCode, BigInteger.ZERO,
                Optional.empty());
    }

    /** The same request sending {@code wei} along. */
    public TxRequest withValue(BigInteger wei) {
        return new TxRequest(label, contract, to, data, wei, gasLimit);
    }

    /**
     * The same request with a fixed gas limit instead of the node's estimate (the transaction is
     * then sent even if it would revert, and fails on chain).
     */
    public TxRequest withGasLimit(BigInteger gas) {
        return new TxRequest(label, contract, to, data, value, Optional.of(gas));
    }
}

package dev.hypha.chain.abi;

import java.util.List;
import java.util.stream.Collectors;
import org.web3j.crypto.Hash;

/**
 * An event from a contract's ABI.
 *
 * @param contract the contract whose ABI declares it
 * @param name the event name (e.g. "Staked")
 * @param inputs its parameters, indexed ones flagged
 * @param anonymous whether it has no signature topic
 */
public record AbiEvent(String contract, String name, List<AbiParam> inputs, boolean anonymous) {
    public AbiEvent {
        inputs = List.copyOf(inputs);
    }

    /** Canonical signature, e.g. {@code Staked(address,bytes32,uint256)}. */
    public String signature() {
        return name + inputs.stream().map(AbiParam::canonicalType).collect(Collectors.joining(",", "(", ")"));
    }

    /** topic0: keccak256 of the signature, 0x-prefixed lower-case hex. */
    public String topic0() {
        return Hash.sha3String(signature());
    }
}

package dev.hypha.chain.abi;

import java.util.List;
import java.util.stream.Collectors;
import org.web3j.crypto.Hash;

/**
 * A custom Solidity error from a contract's ABI.
 *
 * @param contract the contract whose ABI declares it (e.g. "ProviderRegistry")
 * @param name the error name (e.g. "InsufficientStake")
 * @param inputs its arguments
 */
public record AbiError(String contract, String name, List<AbiParam> inputs) {
    public AbiError {
        inputs = List.copyOf(inputs);
    }

    /** Canonical signature, e.g. {@code InsufficientStake(uint256,uint256)}. */
    public String signature() {
        return name + inputs.stream().map(AbiParam::canonicalType).collect(Collectors.joining(",", "(", ")"));
    }

    /** The 4-byte selector as lower-case hex with 0x, e.g. {@code 0x1a2b3c4d}. */
    public String selector() {
        return Hash.sha3String(signature()).substring(0, 10);
    }
}

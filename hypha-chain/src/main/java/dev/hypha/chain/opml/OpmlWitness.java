package dev.hypha.chain.opml;

import java.util.List;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.DynamicStruct;
import org.web3j.abi.datatypes.generated.Bytes32;

/**
 * The inputs {@code OpmlVerifier.resolve} recomputes the disputed operation from: both revealed outputs, up to two
 * earlier trace leaves with their proofs (against the provider's root, or the challenger's when
 * {@code againstProvider} is false), one weight row with its proof against the model root, and the tokens. Absent
 * inputs are empty.
 */
public record OpmlWitness(byte[] providerOut, byte[] challengerOut, byte[] inputA, List<byte[]> proofA, byte[] inputB,
        List<byte[]> proofB, boolean againstProvider, byte[] weightRow, List<byte[]> weightProof, byte[] prompt,
        byte[] output) {

    /** The witness as the ABI tuple {@code resolve} takes. */
    public DynamicStruct abi() {
        return new DynamicStruct(new DynamicBytes(providerOut), new DynamicBytes(challengerOut), new DynamicBytes(inputA),
                words(proofA), new DynamicBytes(inputB), words(proofB), new Bool(againstProvider),
                new DynamicBytes(weightRow), words(weightProof), new DynamicBytes(prompt), new DynamicBytes(output));
    }

    static DynamicArray<Bytes32> words(List<byte[]> hashes) {
        return new DynamicArray<>(Bytes32.class, hashes.stream().map(Bytes32::new).toList());
    }
}

package dev.hypha.chain.opml;

import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint64;

/**
 * What a provider signs for one generation of an IntLm model: {@code OpmlReceipt(address provider, bytes32 modelRoot,
 * bytes32 promptHash, bytes32 outputHash, uint64 seed, uint16 promptLength, uint16 outputLength, bytes32 traceRoot,
 * bytes32 requestId)} in the domain "Hypha OpmlVerifier" v1 (chain id, the verifier's address). The hashes are
 * keccak-256 of the prompt's and output's byte tokens.
 */
public record OpmlReceipt(Address provider, byte[] modelRoot, byte[] promptHash, byte[] outputHash, long seed,
        int promptLength, int outputLength, byte[] traceRoot, byte[] requestId) {

    static final byte[] TYPEHASH = Hashes.keccak256(("OpmlReceipt(address provider,bytes32 modelRoot,bytes32 promptHash,"
            + "bytes32 outputHash,uint64 seed,uint16 promptLength,uint16 outputLength,bytes32 traceRoot,bytes32 requestId)")
            .getBytes(StandardCharsets.US_ASCII));
    private static final byte[] DOMAIN_TYPEHASH = Hashes.keccak256(
            "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                    .getBytes(StandardCharsets.US_ASCII));

    public OpmlReceipt {
        for (byte[] b : List.of(modelRoot, promptHash, outputHash, traceRoot, requestId)) {
            if (b.length != 32) {
                throw new IllegalArgumentException("receipt hashes are 32 bytes, one has " + b.length);
            }
        }
        if (promptLength < 1 || promptLength > 0xFFFF || outputLength < 1 || outputLength > 0xFFFF) {
            throw new IllegalArgumentException("prompt and output lengths must be 1..65535");
        }
    }

    /** The receipt for {@code prompt} → {@code output} with the given roots. */
    public static OpmlReceipt of(Address provider, byte[] modelRoot, byte[] prompt, byte[] output, long seed,
            byte[] traceRoot, byte[] requestId) {
        return new OpmlReceipt(provider, modelRoot, Hashes.keccak256(prompt), Hashes.keccak256(output), seed,
                prompt.length, output.length, traceRoot, requestId);
    }

    /** The EIP-712 digest for the verifier at {@code verifier} on chain {@code chainId}; equals its receiptDigest. */
    public byte[] digest(long chainId, Address verifier) {
        ByteBuffer domain = ByteBuffer.allocate(5 * 32);
        domain.put(DOMAIN_TYPEHASH).put(Hashes.keccak256("Hypha OpmlVerifier".getBytes(StandardCharsets.US_ASCII)))
                .put(Hashes.keccak256("1".getBytes(StandardCharsets.US_ASCII))).put(word(BigInteger.valueOf(chainId)))
                .put(word(new BigInteger(1, verifier.bytes())));
        ByteBuffer struct = ByteBuffer.allocate(10 * 32);
        struct.put(TYPEHASH).put(word(new BigInteger(1, provider.bytes()))).put(modelRoot).put(promptHash).put(outputHash)
                .put(word(new BigInteger(Long.toUnsignedString(seed)))).put(word(BigInteger.valueOf(promptLength)))
                .put(word(BigInteger.valueOf(outputLength))).put(traceRoot).put(requestId);
        ByteBuffer all = ByteBuffer.allocate(66);
        all.put((byte) 0x19).put((byte) 0x01).put(Hashes.keccak256(domain.array())).put(Hashes.keccak256(struct.array()));
        return Hashes.keccak256(all.array());
    }

    /** The receipt as the ABI tuple the contract's functions take. */
    public StaticStruct abi() {
        return new StaticStruct(new org.web3j.abi.datatypes.Address(provider.lowercaseHex()), new Bytes32(modelRoot),
                new Bytes32(promptHash), new Bytes32(outputHash), new Uint64(new BigInteger(Long.toUnsignedString(seed))),
                new Uint16(promptLength), new Uint16(outputLength), new Bytes32(traceRoot), new Bytes32(requestId));
    }

    private static byte[] word(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] w = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, w, 32 - n, n);
        return w;
    }
}

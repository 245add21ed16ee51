package dev.hypha.chain.coordinator;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.Objects;

/**
 * What a provider signs for an answer to a coordinator request: which request (its hash, which binds every field of it,
 * the coordinator and the chain), which provider answers, which model, how many tokens in and out, which output (hash)
 * and what it charges. The contract checks it against the provider's registered signing key before it accepts the
 * answer; off chain it is the provider's proof of work done, as the channel receipts are.
 *
 * @param requestHash the request's hash (from InferenceRequested), 0x + 64 hex
 * @param provider    the answering provider's account (the fulfil transaction's sender)
 * @param modelId     the request's model digest, 0x + 64 hex
 * @param tokensIn    prompt tokens
 * @param tokensOut   generated tokens
 * @param outputHash  keccak-256 of the output bytes, 0x + 64 hex
 * @param fee         what the provider charges, in the payment token's smallest units
 */
public record InferenceReceipt(String requestHash, Address provider, String modelId, long tokensIn, long tokensOut,
                               String outputHash, BigInteger fee) {
    public InferenceReceipt {
        requestHash = Bytes32.check("requestHash", requestHash);
        Objects.requireNonNull(provider, "provider");
        modelId = Bytes32.check("modelId", modelId);
        outputHash = Bytes32.check("outputHash", outputHash);
        if (tokensIn < 0 || tokensOut < 0) {
            throw new IllegalArgumentException("token counts must be >= 0, were " + tokensIn + " and " + tokensOut);
        }
        if (Objects.requireNonNull(fee, "fee").signum() < 0 || fee.bitLength() > 96) {
            throw new IllegalArgumentException("fee must be between 0 and 2^96-1, was " + fee);
        }
    }
}

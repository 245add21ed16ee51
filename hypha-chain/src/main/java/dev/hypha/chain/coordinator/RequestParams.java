package dev.hypha.chain.coordinator;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.Objects;

/**
 * What a requester asks the coordinator for (the contract's RequestParams), checked here with the contract's rules so a
 * bad request fails before any gas is spent.
 *
 * @param model            the model's content-id digest, 0x + 64 hex
 * @param input            the prompt's UTF-8 bytes (INLINE) or a content id string's bytes (CONTENT_ID)
 * @param inputKind        what {@code input} is
 * @param maxFee           the most to pay, escrowed at once; < 2^96
 * @param maxOutputTokens  most tokens to generate, 1..{@link #MAX_OUTPUT_TOKENS}
 * @param callback         the contract to call with the answer, or {@link Address#ZERO} for none
 * @param callbackGasLimit gas for the callback, at most {@link #MAX_CALLBACK_GAS}; 0 without a callback
 * @param deadline         last moment (exclusive) to answer, unix seconds, at most 30 days ahead
 */
public record RequestParams(String model, byte[] input, DataKind inputKind, BigInteger maxFee, int maxOutputTokens,
                            Address callback, long callbackGasLimit, long deadline) {
    /** The contract's MAX_OUTPUT_TOKENS. */
    public static final int MAX_OUTPUT_TOKENS = 4096;
    /** The contract's MAX_CALLBACK_GAS. */
    public static final long MAX_CALLBACK_GAS = 2_000_000;

    public RequestParams {
        model = Bytes32.check("model", model);
        if (model.equals("0x" + "0".repeat(64))) {
            throw new IllegalArgumentException("model digest must not be zero");
        }
        Objects.requireNonNull(inputKind, "inputKind");
        input = Objects.requireNonNull(input, "input").clone();
        if (input.length == 0 || input.length > inputKind.maxLength()) {
            throw new IllegalArgumentException(inputKind + " input must be 1.." + inputKind.maxLength() + " bytes, was "
                    + input.length);
        }
        if (Objects.requireNonNull(maxFee, "maxFee").signum() < 0 || maxFee.bitLength() > 96) {
            throw new IllegalArgumentException("maxFee must be between 0 and 2^96-1, was " + maxFee);
        }
        if (maxOutputTokens < 1 || maxOutputTokens > MAX_OUTPUT_TOKENS) {
            throw new IllegalArgumentException("maxOutputTokens must be 1.." + MAX_OUTPUT_TOKENS + ", was " + maxOutputTokens);
        }
        Objects.requireNonNull(callback, "callback");
        if (callbackGasLimit < 0 || callbackGasLimit > MAX_CALLBACK_GAS
                || (callback.equals(Address.ZERO) && callbackGasLimit != 0)) {
            throw new IllegalArgumentException("callbackGasLimit must be 0.." + MAX_CALLBACK_GAS
                    + " (0 without a callback), was " + callbackGasLimit);
        }
        if (deadline <= 0) {
            throw new IllegalArgumentException("deadline must be a unix time in seconds, was " + deadline);
        }
    }

    @Override
    public byte[] input() {
        return input.clone();
    }
}

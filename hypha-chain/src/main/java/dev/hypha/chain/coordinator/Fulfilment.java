package dev.hypha.chain.coordinator;

import dev.hypha.core.crypto.Signature;
import java.util.Objects;

/**
 * A provider's answer to a request (the contract's Fulfilment): the output, the accounting its receipt signs, and the
 * signature.
 *
 * @param output     the answer's bytes (INLINE: UTF-8 text) or a content id's bytes
 * @param outputKind what {@code output} is
 * @param receipt    what the provider signed (its output hash is the keccak-256 of {@code output})
 * @param signature  the provider's signing key's signature of {@code receipt}
 */
public record Fulfilment(byte[] output, DataKind outputKind, InferenceReceipt receipt, Signature signature) {
    public Fulfilment {
        output = Objects.requireNonNull(output, "output").clone();
        Objects.requireNonNull(outputKind, "outputKind");
        Objects.requireNonNull(receipt, "receipt");
        Objects.requireNonNull(signature, "signature");
        if (output.length > outputKind.maxLength() || (output.length == 0 && outputKind == DataKind.CONTENT_ID)) {
            throw new IllegalArgumentException(outputKind + " output must be at most " + outputKind.maxLength()
                    + " bytes (a content id not empty), was " + output.length);
        }
    }

    @Override
    public byte[] output() {
        return output.clone();
    }
}

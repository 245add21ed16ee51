package dev.hypha.chain.opml;

import dev.hypha.core.crypto.Hashes;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a provider of a verifiable (IntLm) model attaches to an answer's payment receipt: its signed {@link OpmlReceipt}
 * (output and trace root) with the byte tokens it commits to, so whoever holds it can replay the generation and, on a
 * mismatch, hand the contract exactly what {@code OpmlVerifier.challenge} takes.
 */
public record OpmlCommitment(OpmlReceipt receipt, byte[] signature, byte[] prompt, byte[] output) {
    public OpmlCommitment {
        Objects.requireNonNull(receipt, "receipt");
        if (signature.length != 65) {
            throw new IllegalArgumentException("an opML receipt signature is 65 bytes, was " + signature.length);
        }
        if (!Arrays.equals(receipt.promptHash(), Hashes.keccak256(prompt)) || receipt.promptLength() != prompt.length) {
            throw new IllegalArgumentException("the prompt is not the one the opML receipt commits to");
        }
        if (!Arrays.equals(receipt.outputHash(), Hashes.keccak256(output)) || receipt.outputLength() != output.length) {
            throw new IllegalArgumentException("the output is not the one the opML receipt commits to");
        }
        signature = signature.clone();
        prompt = prompt.clone();
        output = output.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public byte[] prompt() {
        return prompt.clone();
    }

    @Override
    public byte[] output() {
        return output.clone();
    }
}

package dev.hypha.node.gateway;

import java.time.Instant;

/**
 * What a listing says about a model.
 *
 * @param name           full name with tag, e.g. {@code qwen2:latest}
 * @param digest         the content id of the model file (what a provider would also name it by)
 * @param size           file size in bytes
 * @param modifiedAt     when the model was added
 * @param family         architecture, e.g. {@code llama}
 * @param parameterCount number of weights
 * @param quantization   llama.cpp's name for the file type, e.g. {@code Q8_0}
 * @param contextLength  trained context in tokens (0 when unknown)
 */
public record ModelInfo(String name, String digest, long size, Instant modifiedAt, String family, long parameterCount,
                        String quantization, long contextLength) {

    /**
     * The model's content digest as receipts and offers carry it (0x + 64 hex): the sha2-256 in its content id's
     * multihash, or the digest itself when it is already a bare sha256 (as an Ollama server lists its models).
     *
     * @throws IllegalArgumentException when the digest is neither
     */
    public String digestHex() {
        String d = digest.startsWith("sha256:") ? digest.substring(7) : digest;
        if (d.matches("[0-9a-f]{64}")) {
            return "0x" + d;
        }
        return dev.hypha.core.crypto.Hex.encode(dev.hypha.core.cid.ContentId.parse(digest).multihash().digest());
    }
}

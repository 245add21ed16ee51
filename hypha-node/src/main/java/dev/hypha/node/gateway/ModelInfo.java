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
}

package dev.hypha.node.gateway;

import java.util.List;
import java.util.Map;

/**
 * One model in depth.
 *
 * @param info         the listing facts
 * @param metadata     the model file's key/values, flattened (array values as lists; large arrays left out unless
 *                     asked for)
 * @param template     the model's chat template source
 * @param capabilities what the model can do, in Ollama's words ({@code completion}, {@code embedding})
 */
public record ModelDetails(ModelInfo info, Map<String, Object> metadata, String template, List<String> capabilities) {
}

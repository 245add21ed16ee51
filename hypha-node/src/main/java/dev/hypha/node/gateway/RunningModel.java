package dev.hypha.node.gateway;

import java.time.Instant;
import java.util.Optional;

/**
 * A loaded model.
 *
 * @param info          the listing facts
 * @param expiresAt     when it will be unloaded if unused; empty when it stays loaded
 * @param contextLength the context its current session has, in tokens
 */
public record RunningModel(ModelInfo info, Optional<Instant> expiresAt, int contextLength) {
}

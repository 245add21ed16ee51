package dev.hypha.node.gateway.local;

/**
 * What one generation did, reported after it ends (metrics; tests read it to see that a client's disconnect stopped
 * the engine).
 *
 * @param model     the model's name
 * @param generated tokens the engine produced
 * @param delivered tokens whose text the reader accepted
 * @param outcome   how it ended
 * @param cached    prompt tokens whose keys and values came from the prompt cache instead of being processed
 */
public record GenerationEvent(String model, int generated, int delivered, Outcome outcome, int cached) {
    public enum Outcome { COMPLETED, CANCELLED, FAILED }
}

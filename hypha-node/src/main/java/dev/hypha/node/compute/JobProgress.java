package dev.hypha.node.compute;

/**
 * A running job's latest report: steps done of the total, the last step's loss, and samples per second over the last
 * report interval (measured with the provider's monotonic clock, for display only).
 */
public record JobProgress(long step, long steps, double loss, double samplesPerSecond) {}

package dev.hypha.incentives.yuma;

/**
 * Receives the epoch's intermediate vectors and matrices by the names subtensor logs them under (so a replay of
 * subtensor's log-asserting tests can check them). Values are {@link dev.hypha.incentives.fixed.I32F32} bit arrays,
 * {@link SparseMatrix} or boolean arrays; receivers must not modify them.
 */
@FunctionalInterface
public interface EpochTrace {
    EpochTrace NONE = (step, value) -> {};

    void record(String step, Object value);
}

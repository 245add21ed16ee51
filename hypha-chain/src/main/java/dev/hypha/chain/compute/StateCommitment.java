package dev.hypha.chain.compute;

/** A provider's committed training-state root: the state after {@code step} steps, posted at chain time {@code time}. */
public record StateCommitment(long step, long time, byte[] root) {
    public StateCommitment {
        root = root.clone();
    }

    @Override
    public byte[] root() {
        return root.clone();
    }
}

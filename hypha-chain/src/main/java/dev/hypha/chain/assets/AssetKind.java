package dev.hypha.chain.assets;

/** What an asset is, in the contract's order (its {@code Kind} enum). */
public enum AssetKind {
    DATASET,
    MODEL;

    /** The kind the contract encodes as {@code ordinal}. */
    public static AssetKind of(int ordinal) {
        AssetKind[] all = values();
        if (ordinal < 0 || ordinal >= all.length) {
            throw new IllegalArgumentException("unknown asset kind " + ordinal + " (known: 0.." + (all.length - 1) + ")");
        }
        return all[ordinal];
    }
}

package dev.hypha.chain.assets;

/** An asset's lifecycle, in the contract's order (its {@code Status} enum). */
public enum AssetStatus {
    /** In use. */
    ACTIVE,
    /** Superseded or discouraged; still usable and still paid. */
    DEPRECATED,
    /** Withdrawn by its owner for good: no new children, versions, grants or sales; the record stays. */
    REVOKED;

    /** The status the contract encodes as {@code ordinal}. */
    public static AssetStatus of(int ordinal) {
        AssetStatus[] all = values();
        if (ordinal < 0 || ordinal >= all.length) {
            throw new IllegalArgumentException("unknown asset status " + ordinal + " (known: 0.." + (all.length - 1) + ")");
        }
        return all[ordinal];
    }
}

package dev.hypha.chain.assets;

import java.util.Locale;

/** Commercial terms of a licence, in the contract's order (its {@code Terms} enum). */
public enum Terms {
    /** No price. */
    FREE,
    /** A price per access grant (bought through AccessGrants). */
    PAID_PER_USE,
    /** A price per 1,000 tokens of inference, metered off-chain and paid through RoyaltySplitter. */
    PAID_PER_TOKEN,
    /** No price, no commercial use. */
    NON_COMMERCIAL;

    /** The terms the contract encodes as {@code ordinal}. */
    public static Terms of(int ordinal) {
        Terms[] all = values();
        if (ordinal < 0 || ordinal >= all.length) {
            throw new IllegalArgumentException("unknown licence terms " + ordinal + " (known: 0.." + (all.length - 1) + ")");
        }
        return all[ordinal];
    }

    /** Parses {@code free}, {@code paid-per-use}, {@code paid-per-token} or {@code non-commercial} (any case). */
    public static Terms parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Terms terms : values()) {
            if (terms.name().equals(t)) {
                return terms;
            }
        }
        throw new IllegalArgumentException("unknown licence terms '" + text
                + "': use free, paid-per-use, paid-per-token or non-commercial");
    }

    /** Whether these terms carry a price. */
    public boolean paid() {
        return this == PAID_PER_USE || this == PAID_PER_TOKEN;
    }
}

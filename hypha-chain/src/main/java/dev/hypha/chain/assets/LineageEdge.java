package dev.hypha.chain.assets;

/**
 * A lineage edge: the asset was built from {@code parentId}, which earns {@code shareBps} basis points of its revenue.
 */
public record LineageEdge(long parentId, int shareBps) {
    /** Basis points in one whole. */
    public static final int BPS = 10_000;

    public LineageEdge {
        if (parentId <= 0) {
            throw new IllegalArgumentException("parent asset id must be positive, got " + parentId);
        }
        if (shareBps < 0 || shareBps > BPS) {
            throw new IllegalArgumentException("share must be 0.." + BPS + " basis points, got " + shareBps);
        }
    }

    /** Parses {@code ID:SHARE}, the share in basis points (e.g. {@code 3:2500} for 25 %). */
    public static LineageEdge parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("lineage edge '" + text + "' must be ID:SHARE_BPS, e.g. 3:2500");
        }
        try {
            return new LineageEdge(Long.parseLong(text.substring(0, colon).trim()),
                    Integer.parseInt(text.substring(colon + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("lineage edge '" + text + "' must be ID:SHARE_BPS with whole numbers");
        }
    }
}

package dev.hypha.zk.sumcheck;

import dev.hypha.zk.field.Ext2;

/**
 * What a sumcheck leaves to be checked: that Π_j f_j(point) equals {@code expected}. The verifier's caller discharges it
 * with openings of the factors (a polynomial commitment, or the next GKR layer).
 */
public record Subclaim(Ext2[] point, Ext2 expected) {
    public Subclaim {
        point = point.clone();
    }

    @Override
    public Ext2[] point() {
        return point.clone();
    }
}

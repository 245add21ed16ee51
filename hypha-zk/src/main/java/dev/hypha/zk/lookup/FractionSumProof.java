package dev.hypha.zk.lookup;

import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.sumcheck.SumcheckProof;
import java.util.List;

/**
 * A {@link FractionSum} proof: the root fraction P/Q of the tree and, for each layer from the root down, the layer's
 * sumcheck and the four children values p(ρ,0), p(ρ,1), q(ρ,0), q(ρ,1) at its point ρ.
 */
public record FractionSumProof(Ext2 rootP, Ext2 rootQ, List<Layer> layers) {
    public FractionSumProof {
        layers = List.copyOf(layers);
    }

    /** One layer: the sumcheck over the layer's variables and the children's values at its challenge point. */
    public record Layer(SumcheckProof sumcheck, Ext2[] children) {
        public Layer {
            children = children.clone();
        }

        @Override
        public Ext2[] children() {
            return children.clone();
        }
    }
}

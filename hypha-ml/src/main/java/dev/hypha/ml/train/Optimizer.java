package dev.hypha.ml.train;

import java.util.List;

/**
 * Updates parameters from their gradients. Every update is element-wise in index order with no reductions, so it is
 * the same bits on every machine; its state (momenta) is saved in checkpoints so a resumed run continues exactly.
 */
public sealed interface Optimizer permits Sgd, AdamW {

    /** Applies one update with learning rate {@code lr}; {@code step} counts from 0 (AdamW's bias correction). */
    void update(List<Tensor> parameters, float lr, long step);

    /** The state arrays, in a fixed order (per parameter, per slot), for checkpoints; shared, not copied. */
    List<float[]> state();

    /** Names of the state arrays, matching {@link #state}. */
    List<String> stateNames();
}

package dev.hypha.cli.zk;

import dev.hypha.ml.train.int8.QuantizedDense;
import dev.hypha.ml.train.int8.QuantizedMlp;
import dev.hypha.zk.mlp.Int8Mlp;
import java.util.ArrayList;
import java.util.List;

/**
 * hypha-ml's int8 MLP as hypha-zk's {@link Int8Mlp}: the same integers, field by field. This is the one place the two
 * meet (hypha-zk depends on hypha-core only), and {@code ZkProofMatchesEngineTest} checks that the proven logits and
 * class are the engine's, bit for bit.
 */
public final class QuantizedMlps {
    private QuantizedMlps() {}

    /**
     * @throws IllegalArgumentException when the model is outside what the circuit covers (e.g. a requantization shift
     *                                  above {@link Int8Mlp#MAX_SHIFT}), naming it
     */
    public static Int8Mlp toCircuit(QuantizedMlp mlp) {
        List<Int8Mlp.Layer> layers = new ArrayList<>();
        for (QuantizedDense d : mlp.layers()) {
            Int8Mlp.Requant rq = d.isLast() ? null
                    : new Int8Mlp.Requant(d.requantizer().multiplier(), d.requantizer().shift(), d.requantizer().relu());
            layers.add(new Int8Mlp.Layer(d.in(), d.out(), d.weights(), d.bias(), rq));
        }
        return new Int8Mlp(layers);
    }
}

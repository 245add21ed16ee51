package dev.hypha.cli.zk;

import dev.hypha.ml.train.int8.QuantizedCnn;
import dev.hypha.ml.train.int8.QuantizedConv;
import dev.hypha.zk.cnn.Int8Cnn;
import dev.hypha.zk.mlp.Int8Mlp;
import java.util.ArrayList;
import java.util.List;

/**
 * hypha-ml's int8 CNN as hypha-zk's {@link Int8Cnn}: the same integers, field by field (the dense head through
 * {@link QuantizedMlps}). {@code ZkCnnProofMatchesEngineTest} checks that the proven logits and class are the engine's,
 * bit for bit.
 */
public final class QuantizedCnns {
    private QuantizedCnns() {}

    /**
     * @throws IllegalArgumentException when the model is outside what the circuit covers (a pooling other than 1, 2 or 4,
     *                                  a requantization shift above {@link Int8Mlp#MAX_SHIFT}, …), naming it
     */
    public static Int8Cnn toCircuit(QuantizedCnn cnn) {
        List<Int8Cnn.Conv> convs = new ArrayList<>();
        for (QuantizedConv c : cnn.convs()) {
            convs.add(new Int8Cnn.Conv(c.in(), c.out(), c.kernel(), c.padding(), c.pool(), c.weights(), c.bias(),
                    new Int8Mlp.Requant(c.requantizer().multiplier(), c.requantizer().shift(), c.requantizer().relu())));
        }
        return new Int8Cnn(cnn.channels(), cnn.height(), cnn.width(), convs,
                QuantizedMlps.toCircuit(new dev.hypha.ml.train.int8.QuantizedMlp(cnn.dense())));
    }
}

package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.cli.zk.QuantizedCnns;
import dev.hypha.ml.train.LayerSyntax;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.int8.CnnQuantizer;
import dev.hypha.ml.train.int8.QuantizedCnn;
import dev.hypha.zk.cnn.CnnProver;
import dev.hypha.zk.cnn.CnnTrace;
import dev.hypha.zk.cnn.CnnVerifier;
import dev.hypha.zk.cnn.Int8Cnn;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The proven computation is the engine's, for CNNs: hypha-ml's int8 CNNs (quantized by {@link CnnQuantizer} from float
 * networks) give, in the circuit's inference, the engine's logits for every input, bit for bit, and the class a
 * verified proof carries is {@link QuantizedCnn#predict}'s.
 */
class ZkCnnProofMatchesEngineTest {
    static QuantizedCnn quantized(List<String> layers, int[] inputShape, long seed, int calibrationImages) {
        Network network = Network.initialize(layers.stream().map(LayerSyntax::parse).toList(), inputShape, seed);
        byte[] calibration = new byte[calibrationImages * inputShape[0] * inputShape[1] * inputShape[2]];
        new SplittableRandom(seed).nextBytes(calibration);
        return CnnQuantizer.quantize(network, calibration);
    }

    /** The example CNN's layers (examples/fashion-mnist-cnn.toml) with random weights: the engine's logits exactly. */
    @Test
    void theFashionMnistCnnShapeGivesTheEnginesLogits() {
        QuantizedCnn cnn = quantized(List.of("conv2d 1 16 3 1", "relu", "maxpool 2", "conv2d 16 32 3 1", "relu", "maxpool 2",
                "flatten", "dropout 0.25", "linear 1568 128", "relu", "linear 128 10"), new int[] {1, 28, 28}, 5, 8);
        Int8Cnn circuit = QuantizedCnns.toCircuit(cnn);
        SplittableRandom rng = new SplittableRandom(6);
        for (int i = 0; i < 12; i++) {
            byte[] image = new byte[784];
            rng.nextBytes(image);
            if (i % 4 == 0) {
                for (int p = 0; p < 784; p++) {
                    image[p] = (byte) (p % 28 < 14 ? 0 : 255); // saturated halves: clamps at both ends
                }
            }
            assertThat(CnnTrace.of(circuit, image).logits(10)).containsExactly(cnn.logits(image));
        }
    }

    @Property(tries = 6)
    void provenClassIsTheEnginesForSmallCnns(@ForAll @IntRange(min = 1, max = 4) int filters, @ForAll boolean twoBlocks,
            @ForAll boolean relu, @ForAll boolean hidden, @ForAll long seed) throws Exception {
        int side = 8;
        List<String> layers = new java.util.ArrayList<>(List.of("conv2d 1 " + filters + " 3 1"));
        if (relu) {
            layers.add("relu");
        }
        layers.add("maxpool 2");
        int flat = filters * 16;
        if (twoBlocks) {
            layers.addAll(List.of("conv2d " + filters + " 3 3 0", "relu"));
            flat = 3 * 2 * 2;
        }
        layers.add("flatten");
        if (hidden) {
            layers.addAll(List.of("linear " + flat + " 7", "relu", "linear 7 4"));
        } else {
            layers.add("linear " + flat + " 4");
        }
        QuantizedCnn cnn = quantized(layers, new int[] {1, side, side}, seed, 4);
        Int8Cnn circuit = QuantizedCnns.toCircuit(cnn);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < 10; i++) {
            byte[] image = new byte[side * side];
            rng.nextBytes(image);
            assertThat(CnnTrace.of(circuit, image).logits(4)).containsExactly(cnn.logits(image));
        }
        byte[] image = new byte[side * side];
        rng.nextBytes(image);
        CnnProver.Result r = CnnProver.prove(circuit, "small-cnn", image, s -> { });
        CnnVerifier.verify(r.statement(), r.proof());
        assertThat(r.statement().predictedClass()).isEqualTo(cnn.predict(image));
    }
}

package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.cli.zk.QuantizedMlps;
import dev.hypha.ml.train.LayerSyntax;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.int8.MlpQuantizer;
import dev.hypha.ml.train.int8.QuantizedMlp;
import dev.hypha.zk.mlp.Int8Mlp;
import dev.hypha.zk.mlp.MlpProver;
import dev.hypha.zk.mlp.MlpTrace;
import dev.hypha.zk.mlp.MlpVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The proven computation is the engine's: for hypha-ml's int8 MLPs (quantized by {@link MlpQuantizer} from float
 * networks), the circuit's inference gives the engine's logits for every input, bit for bit, and the class a verified
 * proof carries is {@link QuantizedMlp#predict}'s.
 */
class ZkProofMatchesEngineTest {
    static QuantizedMlp quantized(List<String> layers, int[] inputShape, long seed, int calibrationImages) {
        Network network = Network.initialize(layers.stream().map(LayerSyntax::parse).toList(), inputShape, seed);
        SplittableRandom rng = new SplittableRandom(seed);
        int size = 1;
        for (int d : inputShape) {
            size *= d;
        }
        byte[] calibration = new byte[calibrationImages * size];
        rng.nextBytes(calibration);
        return MlpQuantizer.quantize(network, calibration);
    }

    @Test
    void theFashionMnistMlpShapeProvesTheEnginesClass() throws Exception {
        QuantizedMlp mlp = quantized(List.of("flatten", "linear 784 256", "relu", "dropout 0.2", "linear 256 10"),
                new int[] {1, 28, 28}, 3, 64);
        Int8Mlp circuit = QuantizedMlps.toCircuit(mlp);
        SplittableRandom rng = new SplittableRandom(4);
        for (int i = 0; i < 50; i++) {
            byte[] image = new byte[784];
            rng.nextBytes(image);
            if (i % 5 == 0) {
                for (int p = 0; p < 784; p++) {
                    image[p] = (byte) (p % 28 < 14 ? 0 : 255); // saturated halves: clamps at both ends
                }
                image[i] = (byte) i;
            }
            assertThat(MlpTrace.of(circuit, image).logits()).containsExactly(mlp.logits(image));
        }
        byte[] image = new byte[784];
        rng.nextBytes(image);
        MlpProver.Result r = MlpProver.prove(circuit, "fashion-mnist-mlp-shape", image, s -> { });
        MlpVerifier.verify(r.statement(), r.proof());
        assertThat(r.statement().predictedClass()).isEqualTo(mlp.predict(image));
        assertThat(r.statement().logits()).containsExactly(mlp.logits(image));
    }

    @Property(tries = 10)
    void smallEngineModelsProveTheEnginesClass(@ForAll @IntRange(min = 1, max = 24) int hidden,
            @ForAll @IntRange(min = 2, max = 10) int classes, @ForAll boolean deep, @ForAll boolean relu,
            @ForAll long seed) throws Exception {
        List<String> layers = new ArrayList<>(List.of("flatten", "linear 36 " + hidden));
        if (relu) {
            layers.add("relu");
        }
        if (deep) {
            layers.add("linear " + hidden + " 7");
            layers.add("relu");
            hidden = 7;
        }
        layers.add("linear " + hidden + " " + classes);
        QuantizedMlp mlp = quantized(layers, new int[] {1, 6, 6}, seed, 16);
        byte[] image = new byte[36];
        new SplittableRandom(seed + 1).nextBytes(image);
        MlpProver.Result r = MlpProver.prove(QuantizedMlps.toCircuit(mlp), "m", image, s -> { });
        MlpVerifier.verify(r.statement(), r.proof());
        assertThat(r.statement().logits()).containsExactly(mlp.logits(image));
        assertThat(r.statement().predictedClass()).isEqualTo(mlp.predict(image));
    }
}

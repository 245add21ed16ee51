package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.train.LayerSyntax;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.int8.MlpQuantizer;
import dev.hypha.ml.train.int8.QuantizedDense;
import dev.hypha.ml.train.int8.QuantizedMlp;
import dev.hypha.zk.gkr.DenseLayer;
import dev.hypha.zk.gkr.DenseLayerProof;
import dev.hypha.zk.gkr.DenseLayerProver;
import dev.hypha.zk.gkr.DenseLayerVerifier;
import dev.hypha.zk.pcs.CommittedPolynomial;
import dev.hypha.zk.transcript.Transcript;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * hypha-ml's int8 inference and hypha-zk's dense-layer proof meet (the CLI module is the one that sees both): both
 * matrix products of the example MLP's shape (784 → 256 → 10), taken from {@link QuantizedMlp#trace}, prove and verify
 * against commitments to the quantized weights, and the class the proven logits give is the engine's prediction. The
 * requantization between the layers is still checked in the clear here (lookups are the next step of issue 14).
 */
class QuantizedMlpProofTest {
    record ProvenLayer(DenseLayer shape, CommittedPolynomial weights, DenseLayerProof proof) {}

    static long[] signed(byte[] weights) {
        long[] out = new long[weights.length];
        for (int i = 0; i < weights.length; i++) {
            out[i] = weights[i];
        }
        return out;
    }

    static long[] widen(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    static ProvenLayer prove(QuantizedDense layer, long[] input, long[] output) {
        DenseLayer shape = new DenseLayer(layer.in(), layer.out());
        long[] table = shape.weightTable(signed(layer.weights()));
        CommittedPolynomial committed = CommittedPolynomial.commit(table, shape.weightParams());
        DenseLayerProof proof = DenseLayerProver.prove(shape, table, committed, input, layer.bias(), output,
                new Transcript("hypha.zk.mlp-layer"));
        return new ProvenLayer(shape, committed, proof);
    }

    static void verify(ProvenLayer p, QuantizedDense layer, long[] input, long[] output) throws Exception {
        DenseLayerVerifier.verify(p.shape(), p.weights().commitment(), input, layer.bias(), output, p.proof(),
                new Transcript("hypha.zk.mlp-layer"));
    }

    @Test
    void bothLayersOfAQuantizedMlpProveAndTheProvenClassIsTheEngines() throws Exception {
        List<String> lines = List.of("flatten", "linear 784 256", "relu", "dropout 0.2", "linear 256 10");
        Network network = Network.initialize(lines.stream().map(LayerSyntax::parse).toList(), new int[] {1, 28, 28}, 3);
        SplittableRandom rng = new SplittableRandom(4);
        byte[] calibration = new byte[64 * 784];
        rng.nextBytes(calibration);
        QuantizedMlp mlp = MlpQuantizer.quantize(network, calibration);
        byte[] image = new byte[784];
        rng.nextBytes(image);

        QuantizedMlp.Trace trace = mlp.trace(image);
        QuantizedDense first = mlp.layers().get(0);
        QuantizedDense second = mlp.layers().get(1);
        long[] x = widen(trace.input());
        long[] hidden = widen(trace.activations().get(0));
        long[] logits = trace.accumulators().get(1);

        ProvenLayer p1 = prove(first, x, trace.accumulators().get(0));
        ProvenLayer p2 = prove(second, hidden, logits);
        verify(p1, first, x, trace.accumulators().get(0));
        verify(p2, second, hidden, logits);
        for (int o = 0; o < hidden.length; o++) {
            assertThat(hidden[o]).isEqualTo(first.requantizer().apply(trace.accumulators().get(0)[o]));
        }
        int proven = 0;
        for (int c = 1; c < logits.length; c++) {
            if (logits[c] > logits[proven]) {
                proven = c;
            }
        }
        assertThat(proven).isEqualTo(mlp.predict(image));

        // another class claimed: raise one logit above the rest, and the proof no longer verifies
        long[] forged = logits.clone();
        int other = (proven + 1) % logits.length;
        forged[other] = logits[proven] + 1;
        assertThatThrownBy(() -> verify(p2, second, hidden, forged)).isInstanceOf(DenseLayerVerifier.Rejected.class);
    }
}

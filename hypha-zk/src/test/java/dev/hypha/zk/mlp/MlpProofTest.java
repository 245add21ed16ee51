package dev.hypha.zk.mlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.zk.circuit.Rejected;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MlpProofTest {
    @Test
    void aSmallMlpProvesVerifiesAndRoundTrips() throws Exception {
        SplittableRandom rng = new SplittableRandom(1);
        Int8Mlp model = RandomMlps.random(rng, new int[] {20, 12, 7, 3}, false);
        byte[] image = RandomMlps.image(rng, 20);
        MlpProver.Result r = MlpProver.prove(model, "test-model", image, s -> { });
        assertThat(r.statement().predictedClass()).isEqualTo(MlpTrace.of(model, image).predictedClass());
        MlpVerifier.verify(r.statement(), r.proof());
        byte[] bytes = new MlpProofFile(r.statement(), r.proof()).encode();
        MlpProofFile back = MlpProofFile.decode(bytes);
        assertThat(back.encode()).isEqualTo(bytes);
        MlpVerifier.verify(back.statement(), back.proof());
    }

    @Test
    void aChangedLogitIsRejected() {
        SplittableRandom rng = new SplittableRandom(2);
        Int8Mlp model = RandomMlps.random(rng, new int[] {16, 8, 4}, true);
        byte[] image = RandomMlps.image(rng, 16);
        MlpProver.Result r = MlpProver.prove(model, "m", image, s -> { });
        long[] logits = r.statement().logits();
        logits[1] += 1;
        MlpStatement forged = new MlpStatement("m", r.statement().modelRoot(), r.statement().shape(), image, logits);
        assertThatThrownBy(() -> MlpVerifier.verify(forged, r.proof())).isInstanceOf(Rejected.class);
    }
}

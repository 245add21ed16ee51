package dev.hypha.ml.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    private static Tensor parameter(float value, float gradient) {
        Tensor t = Tensor.tracked(new float[] {value, value}, 1, 2);
        t.grad()[0] = gradient;
        t.grad()[1] = -gradient;
        return t;
    }

    @Test
    void adamWFirstStepMovesEachWeightByTheLearningRateAgainstItsGradientSign() {
        Tensor p = parameter(1f, 0.3f);
        new AdamW(List.of(p), 0.9f, 0.999f, 1e-8f, 0f).update(List.of(p), 0.01f, 0);
        assertThat(p.data()[0]).isCloseTo(0.99f, offset(1e-6f));
        assertThat(p.data()[1]).isCloseTo(1.01f, offset(1e-6f));
    }

    @Test
    void adamWDecaysMatricesButNotBiases() {
        Tensor matrix = Tensor.tracked(new float[] {2f}, 1, 1);
        Tensor bias = Tensor.tracked(new float[] {2f}, 1);
        new AdamW(List.of(matrix, bias), 0.9f, 0.999f, 1e-8f, 0.5f).update(List.of(matrix, bias), 0.1f, 0);
        assertThat(matrix.data()[0]).isCloseTo(2f - 0.1f * 0.5f * 2f, offset(1e-6f));
        assertThat(bias.data()[0]).isEqualTo(2f);
    }

    @Test
    void sgdMomentumAccumulatesVelocity() {
        Tensor p = parameter(0f, 1f);
        Sgd sgd = new Sgd(List.of(p), 0.5f, 0f);
        sgd.update(List.of(p), 0.1f, 0); // v = 1, p = -0.1
        sgd.update(List.of(p), 0.1f, 1); // v = 1.5, p = -0.25
        assertThat(p.data()[0]).isCloseTo(-0.25f, offset(1e-6f));
        assertThat(sgd.state().get(0)[0]).isEqualTo(1.5f);
    }

    @Test
    void clippingScalesTheGlobalNormDownToTheLimit() {
        Tensor a = Tensor.tracked(new float[] {3f}, 1);
        Tensor b = Tensor.tracked(new float[] {4f}, 1);
        a.grad()[0] = 3f;
        b.grad()[0] = 4f;
        assertThat(GradientClipping.clip(List.of(a, b), 1f)).isEqualTo(5f);
        assertThat(a.grad()[0]).isCloseTo(0.6f, offset(1e-5f));
        assertThat(b.grad()[0]).isCloseTo(0.8f, offset(1e-5f));
        assertThat(GradientClipping.clip(List.of(a, b), 10f)).isCloseTo(1f, offset(1e-5f));
        assertThat(a.grad()[0]).as("below the limit nothing changes").isCloseTo(0.6f, offset(1e-5f));
    }

    @Test
    void warmUpRisesLinearlyThenCosineFallsToTheFloor() {
        Schedule s = new Schedule(1f, 0.1f, 4, 104);
        assertThat(s.at(0)).isEqualTo(0.25f);
        assertThat(s.at(3)).isEqualTo(1f);
        assertThat(s.at(4)).isEqualTo(1f);
        assertThat(s.at(54)).isCloseTo(0.55f, offset(1e-6f));
        assertThat(s.at(104)).isCloseTo(0.1f, offset(1e-6f));
        assertThatThrownBy(() -> new Schedule(1f, 2f, 0, 10)).hasMessageContaining("floor <= peak");
    }

    @Test
    void layerLinesRoundTripAndBadOnesAreNamed() {
        for (String line : List.of("linear 784 256", "conv2d 1 16 3 1", "maxpool 2", "avgpool 2", "relu", "gelu", "dropout 0.25", "flatten")) {
            assertThat(LayerSyntax.parse(line).describe()).isEqualTo(line);
        }
        assertThatThrownBy(() -> LayerSyntax.parse("linear 784")).hasMessageContaining("linear IN OUT");
        assertThatThrownBy(() -> LayerSyntax.parse("linear 784 99999999")).hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> LayerSyntax.parse("linear 784 70000")).hasMessageContaining("between 1 and 65536");
        assertThatThrownBy(() -> LayerSyntax.parse("dropout 1")).hasMessageContaining("below 1");
        assertThatThrownBy(() -> LayerSyntax.parse("attention 4")).hasMessageContaining("unknown layer 'attention'");
        assertThatThrownBy(() -> Network.initialize(List.of(LayerSyntax.parse("linear 10 2")), new int[] {1, 28, 28}, 1))
                .hasMessageContaining("add flatten");
        assertThatThrownBy(() -> Network.initialize(List.of(LayerSyntax.parse("flatten"), LayerSyntax.parse("linear 65536 65536")),
                new int[] {65536}, 1)).hasMessageContaining("more than 268435456 parameters");
    }
}

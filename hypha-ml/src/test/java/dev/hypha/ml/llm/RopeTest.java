package dev.hypha.ml.llm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RopeTest {

    @Test
    void llama3FactorsMatchTheConverterFormula() {
        // Llama 3.1 8B: base 500000, 128-dim heads, factor 8, low 1, high 4, original context 8192
        float[] f = Rope.llama3FreqFactors(new ModelConfig.Llama3RopeScaling(8f, 1f, 4f, 8192), 500000f, 128);
        assertThat(f).hasSize(64);
        assertThat(f[0]).isEqualTo(1f); // short wavelengths are not scaled
        assertThat(f[63]).isEqualTo(8f); // long wavelengths are scaled by the factor
        for (int i = 1; i < 64; i++) {
            assertThat(f[i]).isGreaterThanOrEqualTo(f[i - 1]); // monotone blend in between
        }
        // an index in the blend region: wavelength 2*pi*base^(2i/d) between 2048 and 8192
        int i = 30;
        double wavelen = 2 * Math.PI * Math.pow(500000, 2.0 * i / 128);
        assertThat(wavelen).isBetween(2048.0, 8192.0);
        double smooth = (8192 / wavelen - 1) / 3;
        assertThat((double) f[i]).isCloseTo(1 / ((1 - smooth) / 8 + smooth), org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void positionZeroIsTheIdentityAndRotationsPreserveLength() {
        RandomModelFactory.Spec spec = RandomModelFactory.Spec.tiny(Architecture.LLAMA, dev.hypha.ml.tensor.GgmlType.F32, 32, 1);
        ModelConfig c = ModelConfig.from(RandomModelFactory.inMemory(spec));
        Rope rope = new Rope(c, null);
        float[] cos = new float[c.ropeDim() / 2];
        float[] sin = new float[c.ropeDim() / 2];
        float[] x = new float[c.headDim()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i - 7.5f;
        }
        float[] y = x.clone();
        rope.angles(0, cos, sin);
        rope.apply(y, 0, 1, c.headDim(), cos, sin);
        assertThat(y).isEqualTo(x);
        rope.angles(77, cos, sin);
        rope.apply(y, 0, 1, c.headDim(), cos, sin);
        double nx = 0;
        double ny = 0;
        for (int i = 0; i < x.length; i++) {
            nx += x[i] * x[i];
            ny += y[i] * y[i];
        }
        assertThat(ny).isCloseTo(nx, org.assertj.core.data.Offset.offset(1e-3 * nx));
    }
}

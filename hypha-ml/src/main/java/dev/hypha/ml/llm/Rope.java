package dev.hypha.ml.llm;

/**
 * Rotary position embedding, computed as ggml's {@code rope_f32} does: {@code theta_i = pos * base^(-2i/d)} built
 * by repeated float multiplication, divided by the optional frequency factor, times the linear frequency scale.
 * cos and sin come from {@link StrictMath}, whose results are specified bit for bit, so every machine agrees.
 *
 * <p>With YaRN ({@link ModelConfig.YarnScaling}), as ggml's {@code rope_yarn} with ext_factor 1: each pair's angle
 * mixes the interpolated {@code freqScale * theta} and the extrapolated {@code theta} by a ramp over the pair index
 * between the correction dimensions of {@code beta_fast = 32} and {@code beta_slow = 1} rotations at the original
 * context ({@code ggml_rope_yarn_corr_dims}), and cos/sin are scaled by {@code attn_factor * (1 + 0.1 ln(1 /
 * freqScale))}, where llama.cpp's {@code attn_factor} is {@code (1 + 0.1 ln factor) / (1 + 0.1 ln factor)} times
 * {@code rope.scaling.attn_factor} (computed in the same float steps).
 */
public final class Rope {
    private final int ropeDim;
    private final float thetaScale;
    private final float freqScale;
    private final float[] freqFactors;
    private final Architecture.RopeStyle style;
    private final float mscale;
    private final boolean yarn;
    private final float corrLow;
    private final float corrHigh;

    public Rope(ModelConfig c, float[] freqFactors) {
        this(c, c.ropeBase(), c.ropeFreqScale(), freqFactors);
    }

    /** The rotation of a model's layers that use their own base and scale (gemma's sliding-window layers). */
    public Rope(ModelConfig c, float base, float freqScale, float[] freqFactors) {
        this(c, base, freqScale, freqFactors, 1.0f);
    }

    /**
     * A rotation whose cos and sin are multiplied by {@code mscale} (ggml's {@code attn_factor}, phi3's LongRoPE
     * {@code rope.scaling.attn_factor}).
     */
    public Rope(ModelConfig c, float base, float freqScale, float[] freqFactors, float mscale) {
        this(c, base, freqScale, freqFactors, mscale, null);
    }

    /** A rotation with YaRN scaling when {@code yarnScaling} is not null (then {@code mscale} is ignored). */
    public Rope(ModelConfig c, float base, float freqScale, float[] freqFactors, float mscale,
                ModelConfig.YarnScaling yarnScaling) {
        this.yarn = yarnScaling != null;
        if (yarn) {
            float factor = 1.0f / freqScale;
            // llama_context's yarn_attn_factor: get_mscale(factor, 1), the cancellation of rope_yarn's own factor,
            // then the file's rope.scaling.attn_factor; rope_yarn multiplies by its factor again
            float attn = factor <= 1.0f ? 1.0f : 0.1f * 1.0f * logf(factor) + 1.0f;
            attn *= 1.0f / (1.0f + 0.1f * logf(factor));
            attn *= yarnScaling.attnFactor();
            this.mscale = attn * (1.0f + 0.1f * logf(1.0f / freqScale));
            int n = c.ropeDim();
            this.corrLow = Math.max(0, (float) Math.floor(corrDim(n, yarnScaling.originalContext(), 32.0f, base)));
            this.corrHigh = Math.min(n - 1, (float) Math.ceil(corrDim(n, yarnScaling.originalContext(), 1.0f, base)));
        } else {
            this.mscale = mscale;
            this.corrLow = 0;
            this.corrHigh = 0;
        }
        this.ropeDim = c.ropeDim();
        this.thetaScale = (float) StrictMath.pow(base, -2.0 / c.ropeDim());
        this.freqScale = freqScale;
        this.freqFactors = freqFactors;
        this.style = c.architecture().ropeStyle();
    }

    /** ggml's {@code ggml_rope_yarn_corr_dim}, in float as there. */
    private static float corrDim(int nDims, int nCtxOrig, float nRot, float base) {
        return nDims * logf(nCtxOrig / (nRot * 2 * (float) Math.PI)) / (2 * logf(base));
    }

    /** C's {@code logf}: the correctly rounded natural logarithm of a float (StrictMath's double, rounded once). */
    private static float logf(float x) {
        return (float) StrictMath.log(x);
    }

    /** Fills {@code cos} and {@code sin} (length ropeDim/2) for position {@code pos}. */
    public void angles(int pos, float[] cos, float[] sin) {
        float theta = pos;
        for (int i = 0; i < ropeDim / 2; i++) {
            float ff = freqFactors == null ? 1.0f : freqFactors[i];
            double t;
            if (yarn) {
                float extrap = theta / ff;
                float interp = freqScale * extrap;
                float y = (i - corrLow) / Math.max(0.001f, corrHigh - corrLow);
                float rampMix = 1 - Math.min(1, Math.max(0, y));
                t = (double) (interp * (1 - rampMix) + extrap * rampMix);
            } else {
                t = (double) (freqScale * (theta / ff));
            }
            cos[i] = (float) StrictMath.cos(t) * mscale;
            sin[i] = (float) StrictMath.sin(t) * mscale;
            theta *= thetaScale;
        }
    }

    /** Rotates the first ropeDim elements of each of {@code heads} heads of length {@code headDim} at {@code x[off..)}. */
    public void apply(float[] x, int off, int heads, int headDim, float[] cos, float[] sin) {
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int i = 0; i < ropeDim / 2; i++) {
                int a;
                int b;
                if (style == Architecture.RopeStyle.NORMAL) {
                    a = base + 2 * i;
                    b = a + 1;
                } else {
                    a = base + i;
                    b = base + i + ropeDim / 2;
                }
                float x0 = x[a];
                float x1 = x[b];
                x[a] = x0 * cos[i] - x1 * sin[i];
                x[b] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }

    /**
     * Llama 3.1 frequency divisors, as the GGUF converter computes {@code rope_freqs.weight}: 1 for short wavelengths,
     * {@code factor} for long ones, a smooth blend between.
     */
    public static float[] llama3FreqFactors(ModelConfig.Llama3RopeScaling s, float base, int ropeDim) {
        float[] out = new float[ropeDim / 2];
        double lowWavelen = s.originalContextLength() / (double) s.lowFreqFactor();
        double highWavelen = s.originalContextLength() / (double) s.highFreqFactor();
        for (int i = 0; i < ropeDim / 2; i++) {
            double freq = 1.0 / StrictMath.pow(base, (2.0 * i) / ropeDim);
            double wavelen = 2 * StrictMath.PI / freq;
            if (wavelen < highWavelen) {
                out[i] = 1.0f;
            } else if (wavelen > lowWavelen) {
                out[i] = s.factor();
            } else {
                double smooth = (s.originalContextLength() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                out[i] = (float) (1.0 / ((1 - smooth) / s.factor() + smooth));
            }
        }
        return out;
    }
}

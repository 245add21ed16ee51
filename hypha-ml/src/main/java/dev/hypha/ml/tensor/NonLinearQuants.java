package dev.hypha.ml.tensor;

/**
 * ggml's {@code quantize_row_iq4_nl_impl} without importance weights, for IQ4_NL (one block of 32 per call) and IQ4_XS
 * (a super-block of 256: eight blocks of 32 whose scales are 6-bit multiples of one fp16 {@code d}). Each block's scale
 * is fitted by weighted least squares ({@code weight = x^2}) over trial scales, then levels are the nearest entries of
 * {@link IQ4_NL#VALUES}. A reusable buffer for one thread.
 */
final class NonLinearQuants {
    private static final float GROUP_MAX_EPS = 1e-15f;
    private static final int BLOCK = 32;

    private final int superBlock;
    private final float[] weight = new float[BLOCK];
    private final int[] levels;
    private final float[] scales;

    NonLinearQuants(int superBlock) {
        this.superBlock = superBlock;
        this.levels = new int[superBlock];
        this.scales = new float[superBlock / BLOCK];
    }

    /**
     * Quantizes {@code x[xOff..xOff+superBlock)} into {@code out[o..)}: {@code fp16 d}, then (IQ4_XS only) the scales at
     * {@code scalesOff} ({@code uint16 scales_h}, {@code uint8 scales_l[4]}), then the packed indices.
     *
     * @param scalesOff offset of the IQ4_XS scales from {@code o}, or -1 for IQ4_NL
     * @param ntry      trial scales either side of the first guess (ggml: 7 in {@code quantize_iq4_*})
     */
    void quantize(float[] x, int xOff, byte[] out, int o, int scalesOff, int ntry) {
        byte[] values = IQ4_NL.VALUES;
        int blocks = superBlock / BLOCK;
        float maxScale = 0;
        float amaxScale = 0;
        for (int ib = 0; ib < blocks; ib++) {
            int xb = xOff + ib * BLOCK;
            float amax = 0;
            float max = 0;
            for (int j = 0; j < BLOCK; j++) {
                weight[j] = x[xb + j] * x[xb + j];
                float ax = Math.abs(x[xb + j]);
                if (ax > amax) {
                    amax = ax;
                    max = x[xb + j];
                }
            }
            if (amax < GROUP_MAX_EPS) {
                scales[ib] = 0;
                java.util.Arrays.fill(levels, ib * BLOCK, (ib + 1) * BLOCK, 0);
                continue;
            }
            float d = ntry > 0 ? -max / values[0] : max / values[0];
            float id = 1 / d;
            float sumqx = 0;
            float sumq2 = 0;
            for (int j = 0; j < BLOCK; j++) {
                int l = KQuants.bestIndexInt8(16, values, id * x[xb + j]);
                levels[ib * BLOCK + j] = l;
                float q = values[l];
                float w = weight[j];
                sumqx += w * q * x[xb + j];
                sumq2 += w * q * q;
            }
            d = sumq2 > 0 ? sumqx / sumq2 : 0.0f;
            float best = d * sumqx;
            for (int itry = -ntry; itry <= ntry; itry++) {
                id = (itry + values[0]) / max;
                sumqx = 0;
                sumq2 = 0;
                for (int j = 0; j < BLOCK; j++) {
                    int l = KQuants.bestIndexInt8(16, values, id * x[xb + j]);
                    float q = values[l];
                    float w = weight[j];
                    sumqx += w * q * x[xb + j];
                    sumq2 += w * q * q;
                }
                if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                    d = sumqx / sumq2;
                    best = d * sumqx;
                }
            }
            scales[ib] = d;
            float absD = Math.abs(d);
            if (absD > amaxScale) {
                amaxScale = absD;
                maxScale = d;
            }
        }
        int qsOff;
        if (blocks > 1) {
            float d = -maxScale / 32;
            QuantLayouts.putHalf(out, o, d);
            float id = d != 0 ? 1 / d : 0.0f;
            int scalesH = 0;
            int sl = o + scalesOff + 2;
            for (int ib = 0; ib < blocks; ib++) {
                int l = Numbers.nearestInt(id * scales[ib]);
                l = Math.max(-32, Math.min(31, l));
                float dl = d * l;
                float idl = dl != 0 ? 1 / dl : 0.0f;
                int xb = xOff + ib * BLOCK;
                for (int j = 0; j < BLOCK; j++) {
                    levels[ib * BLOCK + j] = KQuants.bestIndexInt8(16, values, idl * x[xb + j]);
                }
                l += 32;
                if (ib % 2 == 0) {
                    out[sl + ib / 2] = (byte) (l & 0xF);
                } else {
                    out[sl + ib / 2] |= (byte) ((l & 0xF) << 4);
                }
                scalesH |= (l >> 4) << (2 * (ib % 8));
            }
            out[o + scalesOff] = (byte) scalesH;
            out[o + scalesOff + 1] = (byte) (scalesH >> 8);
            qsOff = o + scalesOff + 6;
        } else {
            QuantLayouts.putHalf(out, o, scales[0]);
            if (ntry > 0) {
                float id = scales[0] != 0 ? 1 / scales[0] : 0;
                for (int j = 0; j < superBlock; j++) {
                    levels[j] = KQuants.bestIndexInt8(16, values, id * x[xOff + j]);
                }
            }
            qsOff = o + 2;
        }
        for (int i = 0; i < superBlock / 32; i++) {
            for (int j = 0; j < 16; j++) {
                out[qsOff + 16 * i + j] = (byte) (levels[32 * i + j] | (levels[32 * i + 16 + j] << 4));
            }
        }
    }
}

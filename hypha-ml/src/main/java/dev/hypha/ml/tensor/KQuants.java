package dev.hypha.ml.tensor;

/** The scale-fitting helpers of ggml's k-quant reference quantizers ({@code make_qx_quants}, {@code make_qkx2_quants}). */
final class KQuants {
    private KQuants() {}

    private static final float GROUP_MAX_EPS = 1e-15f;

    /**
     * {@code make_qkx2_quants}: fits {@code x ~ scale * L + min} (min &lt;= 0) for levels 0..nmax by weighted least
     * squares over a small grid of candidate scales. Writes levels to {@code levels[lOff..]}, the negated min to
     * {@code theMin[0]}, and returns the scale.
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, float[] weights, int[] levels, int lOff, float[] theMin,
                                float rmin, float rdelta, int nstep) {
        return makeQkx2Quants(n, nmax, x, weights, levels, lOff, theMin, rmin, rdelta, nstep, false);
    }

    /** As above; with {@code useMad} the fit minimises weighted absolute instead of squared errors (Q2_K). */
    static float makeQkx2Quants(int n, int nmax, float[] x, float[] weights, int[] levels, int lOff, float[] theMin,
                                float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[0];
        float max = x[0];
        float sumW = weights[0];
        float sumX = sumW * x[0];
        for (int i = 1; i < n; i++) {
            if (x[i] < min) {
                min = x[i];
            }
            if (x[i] > max) {
                max = x[i];
            }
            float w = weights[i];
            sumW += w;
            sumX += w * x[i];
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            for (int i = 0; i < n; i++) {
                levels[lOff + i] = 0;
            }
            theMin[0] = -min;
            return 0.0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = Numbers.nearestInt(iscale * (x[i] - min));
            levels[lOff + i] = Math.max(0, Math.min(nmax, l));
            float diff = scale * levels[lOff + i] + min - x[i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        int[] aux = new int[n];
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = Numbers.nearestInt(iscale * (x[i] - min));
                l = Math.max(0, Math.min(nmax, l));
                aux[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * aux[i] + thisMin - x[i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    curError += weights[i] * diff;
                }
                if (curError < bestError) {
                    System.arraycopy(aux, 0, levels, lOff, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[0] = -min;
        return scale;
    }

    /**
     * {@code make_qx_quants} with {@code rmse_type = 1} and no importance weights: symmetric levels
     * -nmax..nmax-1 (stored offset by nmax), best of 19 candidate scales.
     */
    static float makeQxQuants(int n, int nmax, float[] x, int xOff, int[] levels, int lOff) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                levels[lOff + i] = 0;
            }
            return 0.0f;
        }
        float iscale = -nmax / max;
        float sumLX = 0;
        float sumL2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = Numbers.nearestInt(iscale * xi);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            levels[lOff + i] = l + nmax;
            float w = xi * xi;
            sumLX += w * xi * l;
            sumL2 += w * l * l;
        }
        float scale = sumL2 != 0 ? sumLX / sumL2 : 0.0f;
        float best = scale * sumLX;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumLX = 0;
            sumL2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int l = Numbers.nearestInt(iscale * xi);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                float w = xi * xi;
                sumLX += w * xi * l;
                sumL2 += w * l * l;
            }
            if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
                for (int i = 0; i < n; i++) {
                    int l = Numbers.nearestInt(iscale * x[xOff + i]);
                    levels[lOff + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, l));
                }
                scale = sumLX / sumL2;
                best = scale * sumLX;
            }
        }
        return scale;
    }

    /**
     * {@code make_q3_quants} with {@code do_rmse}: symmetric levels -nmax..nmax-1 (stored offset by nmax) from the
     * largest-magnitude value, then up to five rounds of moving single levels while that improves the weighted fit.
     */
    static float makeQ3Quants(int n, int nmax, float[] x, int xOff, int[] levels, int lOff) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                levels[lOff + i] = 0;
            }
            return 0.0f;
        }
        float iscale = -nmax / max;
        float sumLX = 0;
        float sumL2 = 0;
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int q = Numbers.nearestInt(iscale * xi);
            l[i] = Math.max(-nmax, Math.min(nmax - 1, q));
            float w = xi * xi;
            sumLX += w * xi * l[i];
            sumL2 += w * l[i] * l[i];
        }
        for (int attempt = 0; attempt < 5; attempt++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                float w = xi * xi;
                float slx = sumLX - w * xi * l[i];
                if (slx > 0) {
                    float sl2 = sumL2 - w * l[i] * l[i];
                    int newL = Numbers.nearestInt(xi * sl2 / slx);
                    newL = Math.max(-nmax, Math.min(nmax - 1, newL));
                    if (newL != l[i]) {
                        slx += w * xi * newL;
                        sl2 += w * newL * newL;
                        if (sl2 > 0 && slx * slx * sumL2 > sumLX * sumLX * sl2) {
                            l[i] = newL;
                            sumLX = slx;
                            sumL2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) {
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            levels[lOff + i] = l[i] + nmax;
        }
        return sumL2 > 0.0f ? sumLX / sumL2 : 0.0f;
    }

    /**
     * ggml's {@code best_index_int8}: the index of the entry of the sorted table {@code values} (length a power of two)
     * nearest to {@code x}; a value on a midpoint takes the upper entry. Compares {@code 2x} with the sums of
     * neighbours, so both sides are exact.
     */
    static int bestIndexInt8(int n, byte[] values, float x) {
        float x2 = x + x;
        int idx = 0;
        for (int step = n >> 1; step > 0; step >>= 1) {
            int j = idx + step;
            idx = x2 >= (float) (values[j - 1] + values[j]) ? j : idx;
        }
        return idx;
    }
}

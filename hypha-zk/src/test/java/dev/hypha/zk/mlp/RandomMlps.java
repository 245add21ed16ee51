package dev.hypha.zk.mlp;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random int8 MLPs whose requantization scales keep activations in play (some clamp at each end, most do not). */
final class RandomMlps {
    private RandomMlps() {}

    static Int8Mlp random(SplittableRandom rng, int[] sides, boolean relu) {
        List<Int8Mlp.Layer> layers = new ArrayList<>();
        for (int l = 0; l + 1 < sides.length; l++) {
            int in = sides[l];
            int out = sides[l + 1];
            byte[] w = new byte[in * out];
            for (int i = 0; i < w.length; i++) {
                w[i] = (byte) (rng.nextInt(255) - 127);
            }
            long[] b = new long[out];
            for (int o = 0; o < out; o++) {
                b[o] = rng.nextLong(-20_000, 20_000);
            }
            boolean last = l + 2 == sides.length;
            // acc ~ 127·127·sqrt(in)/3: scale it to about ±100 so that both clamps and the inside occur
            double real = 100.0 / (127 * 127 * Math.sqrt(in) / 3);
            int shift = 0;
            double scaled = real;
            while (scaled < 1 << 14) {
                scaled *= 2;
                shift++;
            }
            Int8Mlp.Requant rq = last ? null : new Int8Mlp.Requant((int) Math.round(scaled) & 0x7fff, shift,
                    relu || rng.nextBoolean());
            layers.add(new Int8Mlp.Layer(in, out, w, b, rq));
        }
        return new Int8Mlp(layers);
    }

    static byte[] image(SplittableRandom rng, int size) {
        byte[] p = new byte[size];
        rng.nextBytes(p);
        return p;
    }
}

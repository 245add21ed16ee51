package dev.hypha.zk.cnn;

import dev.hypha.zk.mlp.Int8Mlp;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random int8 CNNs whose requantization scales keep activations in play (some clamp at each end, most do not). */
final class RandomCnns {
    private RandomCnns() {}

    /** A random model: 1–2 input channels of 4–9 pixels a side, one or two conv blocks, one or two dense layers. */
    static Int8Cnn random(SplittableRandom rng) {
        int channels = 1 + rng.nextInt(2);
        int side = 4 + rng.nextInt(6);
        int width = side + rng.nextInt(3);
        int h = side;
        int w = width;
        List<Int8Cnn.Conv> convs = new ArrayList<>();
        int c = channels;
        int blocks = 1 + rng.nextInt(2);
        for (int b = 0; b < blocks; b++) {
            int k = 1 + rng.nextInt(3);
            int pad = rng.nextInt(k);
            int oh = h + 2 * pad - k + 1;
            int ow = w + 2 * pad - k + 1;
            int pool = oh >= 2 && ow >= 2 && rng.nextInt(3) > 0 ? 2 : 1;
            int out = 1 + rng.nextInt(4);
            convs.add(conv(rng, c, out, k, pad, pool, rng.nextBoolean()));
            c = out;
            h = oh / pool;
            w = ow / pool;
            if (h < 3 || w < 3) {
                break;
            }
        }
        int flat = c * h * w;
        int classes = 2 + rng.nextInt(8);
        List<Int8Mlp.Layer> dense = new ArrayList<>();
        if (rng.nextBoolean()) {
            int hidden = 1 + rng.nextInt(12);
            dense.add(dense(rng, flat, hidden, requant(rng, flat, rng.nextBoolean())));
            dense.add(dense(rng, hidden, classes, null));
        } else {
            dense.add(dense(rng, flat, classes, null));
        }
        return new Int8Cnn(channels, side, width, convs, new Int8Mlp(dense));
    }

    static Int8Cnn.Conv conv(SplittableRandom rng, int in, int out, int k, int pad, int pool, boolean relu) {
        byte[] weights = new byte[out * in * k * k];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (byte) (rng.nextInt(255) - 127);
        }
        long[] bias = new long[out];
        for (int o = 0; o < out; o++) {
            bias[o] = rng.nextLong(-20_000, 20_000);
        }
        return new Int8Cnn.Conv(in, out, k, pad, pool, weights, bias, requant(rng, in * k * k, relu));
    }

    static Int8Mlp.Layer dense(SplittableRandom rng, int in, int out, Int8Mlp.Requant rq) {
        byte[] w = new byte[in * out];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (rng.nextInt(255) - 127);
        }
        long[] b = new long[out];
        for (int o = 0; o < out; o++) {
            b[o] = rng.nextLong(-20_000, 20_000);
        }
        return new Int8Mlp.Layer(in, out, w, b, rq);
    }

    /** acc ~ 127·127·sqrt(fanIn)/3: scaled to about ±100 so that both clamps and the inside occur. */
    static Int8Mlp.Requant requant(SplittableRandom rng, int fanIn, boolean relu) {
        double scaled = 100.0 / (127 * 127 * Math.sqrt(fanIn) / 3);
        int shift = 0;
        while (scaled < 1 << 14) {
            scaled *= 2;
            shift++;
        }
        return new Int8Mlp.Requant((int) Math.round(scaled) & 0x7fff, shift, relu);
    }

    static byte[] image(SplittableRandom rng, int size) {
        byte[] p = new byte[size];
        rng.nextBytes(p);
        return p;
    }
}

package dev.hypha.zk.cnn;

import dev.hypha.zk.mlp.Int8Mlp;
import dev.hypha.zk.mlp.Int8MlpFile;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An int8 CNN as stored in the content store (its content id is the model id a proof binds), like {@link Int8MlpFile}:
 *
 * <pre>
 *   "HYPHA-C8" · u16 version (1) · u16 n · source (UTF-8) · u16 n · calibration (UTF-8)
 *   u16 channels · u16 height · u16 width · u8 conv blocks
 *   per block: u16 in · u16 out · u8 kernel · u8 padding · u8 pool · u8 activation (1 relu, 2 none) · u16 multiplier
 *              · u8 shift · out·in·k·k weight bytes (signed) · out × i64 bias
 *   the dense head as Int8MlpFile's layer list
 * </pre>
 *
 * Decoding checks every bound before allocating and rejects trailing bytes: one encoding per model.
 */
public record Int8CnnFile(Int8Cnn model, String source, String calibration) {
    public static final byte[] MAGIC = "HYPHA-C8".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    static final int MAX_TEXT = 512;

    public Int8CnnFile {
        if (source.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT
                || calibration.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT) {
            throw new IllegalArgumentException("source and calibration are at most " + MAX_TEXT + " bytes");
        }
    }

    public static boolean isCnn(byte[] bytes) {
        return bytes.length >= MAGIC.length && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    public byte[] encode() {
        byte[] src = source.getBytes(StandardCharsets.UTF_8);
        byte[] cal = calibration.getBytes(StandardCharsets.UTF_8);
        long size = MAGIC.length + 2 + 2 + src.length + 2 + cal.length + 7 + Int8MlpFile.layersSize(model.dense());
        for (Int8Cnn.Conv c : model.convs()) {
            size += 11 + (long) c.out() * c.patch() + 8L * c.out();
        }
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size));
        out.put(MAGIC).putShort((short) VERSION);
        out.putShort((short) src.length).put(src).putShort((short) cal.length).put(cal);
        out.putShort((short) model.channels()).putShort((short) model.height()).putShort((short) model.width());
        out.put((byte) model.convs().size());
        for (Int8Cnn.Conv c : model.convs()) {
            out.putShort((short) c.in()).putShort((short) c.out()).put((byte) c.kernel()).put((byte) c.padding())
                    .put((byte) c.pool()).put((byte) (c.requant().relu() ? 1 : 2))
                    .putShort((short) c.requant().multiplier()).put((byte) c.requant().shift());
            out.put(c.weights());
            for (long b : c.bias()) {
                out.putLong(b);
            }
        }
        Int8MlpFile.writeLayers(out, model.dense());
        return out.array();
    }

    /**
     * @throws IllegalArgumentException naming what is wrong in a malformed file
     */
    public static Int8CnnFile decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            if (!isCnn(bytes)) {
                throw new IllegalArgumentException("not an int8 CNN (it does not start with HYPHA-C8)");
            }
            in.position(MAGIC.length);
            int version = Short.toUnsignedInt(in.getShort());
            if (version != VERSION) {
                throw new IllegalArgumentException("int8 CNN version " + version + " is not supported (this build reads "
                        + VERSION + ")");
            }
            String source = Int8MlpFile.text(in, "source");
            String calibration = Int8MlpFile.text(in, "calibration");
            int channels = Short.toUnsignedInt(in.getShort());
            int height = Short.toUnsignedInt(in.getShort());
            int width = Short.toUnsignedInt(in.getShort());
            int count = Byte.toUnsignedInt(in.get());
            if (count < 1 || count > Int8Cnn.MAX_CONVS) {
                throw new IllegalArgumentException("an int8 CNN has 1.." + Int8Cnn.MAX_CONVS + " conv blocks, got " + count);
            }
            List<Int8Cnn.Conv> convs = new ArrayList<>();
            for (int l = 0; l < count; l++) {
                int cin = Short.toUnsignedInt(in.getShort());
                int cout = Short.toUnsignedInt(in.getShort());
                int kernel = Byte.toUnsignedInt(in.get());
                int padding = Byte.toUnsignedInt(in.get());
                int pool = Byte.toUnsignedInt(in.get());
                int activation = Byte.toUnsignedInt(in.get());
                int multiplier = Short.toUnsignedInt(in.getShort());
                int shift = Byte.toUnsignedInt(in.get());
                if (cin < 1 || cout < 1 || cin > Int8Cnn.MAX_CHANNELS || cout > Int8Cnn.MAX_CHANNELS
                        || (long) cin * kernel * kernel > Int8Cnn.MAX_PATCH) {
                    throw new IllegalArgumentException("conv block " + l + " (" + cin + " -> " + cout + ", kernel " + kernel
                            + ") is beyond the circuit's bounds");
                }
                long weights = (long) cout * cin * kernel * kernel;
                if (weights + 8L * cout > in.remaining()) {
                    throw new IllegalArgumentException("conv block " + l + " needs more bytes than the file holds");
                }
                if (activation != 1 && activation != 2) {
                    throw new IllegalArgumentException("conv block " + l + " has activation " + activation + " (1 relu, 2 none)");
                }
                byte[] w = new byte[(int) weights];
                in.get(w);
                long[] bias = new long[cout];
                for (int o = 0; o < cout; o++) {
                    bias[o] = in.getLong();
                }
                convs.add(new Int8Cnn.Conv(cin, cout, kernel, padding, pool, w, bias,
                        new Int8Mlp.Requant(multiplier, shift, activation == 1)));
            }
            Int8Mlp dense = Int8MlpFile.readLayers(in);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes follow the last layer");
            }
            return new Int8CnnFile(new Int8Cnn(channels, height, width, convs, dense), source, calibration);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("the int8 CNN file ends early (" + bytes.length + " bytes)");
        }
    }
}

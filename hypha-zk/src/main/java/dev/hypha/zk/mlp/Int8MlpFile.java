package dev.hypha.zk.mlp;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An int8 MLP as stored in the content store (its content id is the model id a proof binds): the integers, plus where
 * they came from (the trained model's content id and a description of the calibration) so the id also pins the source.
 *
 * <pre>
 *   "HYPHA-I8" · u16 version (1) · u16 n · source (UTF-8) · u16 n · calibration (UTF-8) · u8 layers
 *   per layer: u32 in · u32 out · u8 activation (0 logits, 1 relu, 2 none) · u16 multiplier · u8 shift
 *              · in·out weight bytes (row-major, signed) · out × i64 bias
 * </pre>
 *
 * Decoding checks every bound before allocating (layer sides, weight counts) and rejects trailing bytes: one encoding
 * per model.
 */
public record Int8MlpFile(Int8Mlp model, String source, String calibration) {
    static final byte[] MAGIC = "HYPHA-I8".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    static final int MAX_TEXT = 512;

    public Int8MlpFile {
        if (source.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT
                || calibration.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT) {
            throw new IllegalArgumentException("source and calibration are at most " + MAX_TEXT + " bytes");
        }
    }

    public byte[] encode() {
        byte[] src = source.getBytes(StandardCharsets.UTF_8);
        byte[] cal = calibration.getBytes(StandardCharsets.UTF_8);
        long size = MAGIC.length + 2 + 2 + src.length + 2 + cal.length + layersSize(model);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size));
        out.put(MAGIC).putShort((short) VERSION);
        out.putShort((short) src.length).put(src).putShort((short) cal.length).put(cal);
        writeLayers(out, model);
        return out.array();
    }

    /** Bytes of {@link #writeLayers}: u8 count, then per layer its header, weights and biases. */
    public static long layersSize(Int8Mlp model) {
        long size = 1;
        for (Int8Mlp.Layer l : model.layers()) {
            size += 12 + (long) l.in() * l.out() + 8L * l.out();
        }
        return size;
    }

    /** The layer list of the format above (shared with the int8 CNN file's dense head). */
    public static void writeLayers(ByteBuffer out, Int8Mlp model) {
        out.put((byte) model.layers().size());
        for (Int8Mlp.Layer l : model.layers()) {
            out.putInt(l.in()).putInt(l.out());
            out.put((byte) (l.hidden() ? (l.requant().relu() ? 1 : 2) : 0));
            out.putShort((short) (l.hidden() ? l.requant().multiplier() : 0));
            out.put((byte) (l.hidden() ? l.requant().shift() : 0));
            out.put(l.weights());
            for (long b : l.bias()) {
                out.putLong(b);
            }
        }
    }

    /**
     * @throws IllegalArgumentException naming what is wrong in a malformed file
     */
    public static Int8MlpFile decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            byte[] magic = new byte[MAGIC.length];
            in.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IllegalArgumentException("not an int8 MLP (it does not start with HYPHA-I8)");
            }
            int version = Short.toUnsignedInt(in.getShort());
            if (version != VERSION) {
                throw new IllegalArgumentException("int8 MLP version " + version + " is not supported (this build reads "
                        + VERSION + ")");
            }
            String source = text(in, "source");
            String calibration = text(in, "calibration");
            Int8Mlp model = readLayers(in);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes follow the last layer");
            }
            return new Int8MlpFile(model, source, calibration);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("the int8 MLP file ends early (" + bytes.length + " bytes)");
        }
    }

    /** Reads {@link #writeLayers}'s list, checking every bound before allocating. */
    public static Int8Mlp readLayers(ByteBuffer in) {
        int count = Byte.toUnsignedInt(in.get());
        if (count < 1 || count > Int8Mlp.MAX_LAYERS) {
            throw new IllegalArgumentException("an int8 MLP has 1.." + Int8Mlp.MAX_LAYERS + " layers, got " + count);
        }
        List<Int8Mlp.Layer> layers = new ArrayList<>();
        for (int l = 0; l < count; l++) {
            int layerIn = in.getInt();
            int layerOut = in.getInt();
            int activation = Byte.toUnsignedInt(in.get());
            int multiplier = Short.toUnsignedInt(in.getShort());
            int shift = Byte.toUnsignedInt(in.get());
            // the shape's bounds before any allocation
            new MlpShape.LayerShape(layerIn, layerOut, null);
            if ((long) layerIn * layerOut + 8L * layerOut > in.remaining()) {
                throw new IllegalArgumentException("layer " + l + " (" + layerIn + " -> " + layerOut
                        + ") needs more bytes than the file holds");
            }
            Int8Mlp.Requant rq = switch (activation) {
                case 0 -> null;
                case 1, 2 -> new Int8Mlp.Requant(multiplier, shift, activation == 1);
                default -> throw new IllegalArgumentException("layer " + l + " has activation " + activation);
            };
            byte[] weights = new byte[layerIn * layerOut];
            in.get(weights);
            long[] bias = new long[layerOut];
            for (int o = 0; o < layerOut; o++) {
                bias[o] = in.getLong();
            }
            layers.add(new Int8Mlp.Layer(layerIn, layerOut, weights, bias, rq));
        }
        return new Int8Mlp(layers);
    }

    public static String text(ByteBuffer in, String what) {
        int n = Short.toUnsignedInt(in.getShort());
        if (n > MAX_TEXT) {
            throw new IllegalArgumentException("the " + what + " has " + n + " bytes; at most " + MAX_TEXT);
        }
        byte[] b = new byte[n];
        in.get(b);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the " + what + " is not UTF-8");
        }
    }
}

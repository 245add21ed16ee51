package dev.hypha.zk.cnn;

import dev.hypha.zk.circuit.BlockLayout;
import dev.hypha.zk.circuit.ClaimBatch;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.lookup.LogUpProof;
import dev.hypha.zk.lookup.LogUpProofCodec;
import dev.hypha.zk.mlp.Int8Mlp;
import dev.hypha.zk.mlp.MlpProof;
import dev.hypha.zk.mlp.MlpProofFile;
import dev.hypha.zk.mlp.MlpShape;
import dev.hypha.zk.mlp.RequantByteArgument;
import dev.hypha.zk.mlp.MlpStatement;
import dev.hypha.zk.sumcheck.SumcheckProof;
import dev.hypha.zk.sumcheck.SumcheckProofCodec;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The proof file of {@code hypha zk prove} for a CNN: the MLP file's magic, {@link #VERSION} and kind 2, then
 *
 * <pre>
 *   u16 n · n bytes model id (UTF-8) · 32 bytes model root
 *   u16 channels · u16 height · u16 width · u8 conv blocks · per block: u16 in · u16 out · u8 kernel · u8 padding · u8 pool
 *       · u8 activation (1 relu, 2 none) · u16 multiplier · u8 shift
 *   u8 dense layers · per layer: u32 in · u32 out · u8 activation (0 logits, 1 relu, 2 none) · u16 multiplier · u8 shift
 *   u32 n · n input bytes · per class: i64 logit
 *   32 bytes witness root · the proof's messages in transcript order, every length fixed by the shape
 * </pre>
 *
 * As for the MLP: the shape is validated first (it bounds every later length and the verifier's work), the body must
 * have exactly the length the shape gives, field elements must be canonical: one encoding per proof.
 */
public record CnnProofFile(CnnStatement statement, CnnProof proof) {
    static final byte[] MAGIC = "HYPHA-ZK".getBytes(StandardCharsets.US_ASCII);
    public static final int KIND_CNN = 2;
    /**
     * CNN proofs are at version 5: every range check by LogUp lookups (the pool differences since version 4, the
     * requantizations' rem, y − lo and e as bytes since 5, {@link RequantByteArgument}); the MLP's stay at
     * {@link MlpProofFile#VERSION} 3 until its on-chain verifier replays lookups too.
     */
    public static final int VERSION = 5;

    /** Whether {@code bytes} is a proof file of kind CNN (the MLP's decoder reads kind 1). */
    public static boolean isCnn(byte[] bytes) {
        return bytes.length > MAGIC.length + 2 && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                && Byte.toUnsignedInt(bytes[MAGIC.length + 2]) == KIND_CNN;
    }

    public byte[] encode() {
        CnnShape shape = statement.shape();
        byte[] id = statement.modelId().getBytes(StandardCharsets.UTF_8);
        int header = MAGIC.length + 3 + 2 + id.length + 32 + 7 + 11 * shape.convs().size() + 1 + 12 * shape.dense().size()
                + 4 + shape.inputSize() + 8 * shape.classes() + 32;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(header + bodySize(shape)));
        out.put(MAGIC).putShort((short) VERSION).put((byte) KIND_CNN);
        out.putShort((short) id.length).put(id).put(statement.modelRoot());
        out.putShort((short) shape.channels()).putShort((short) shape.height()).putShort((short) shape.width());
        out.put((byte) shape.convs().size());
        for (CnnShape.ConvShape s : shape.convs()) {
            out.putShort((short) s.in()).putShort((short) s.out()).put((byte) s.kernel()).put((byte) s.padding())
                    .put((byte) s.pool()).put((byte) (s.requant().relu() ? 1 : 2)).putShort((short) s.requant().multiplier())
                    .put((byte) s.requant().shift());
        }
        out.put((byte) shape.dense().size());
        for (MlpShape.LayerShape s : shape.dense()) {
            out.putInt(s.in()).putInt(s.out());
            out.put((byte) (s.hidden() ? (s.requant().relu() ? 1 : 2) : 0));
            out.putShort((short) (s.hidden() ? s.requant().multiplier() : 0));
            out.put((byte) (s.hidden() ? s.requant().shift() : 0));
        }
        out.putInt(shape.inputSize()).put(statement.pixels());
        for (long logit : statement.logits()) {
            out.putLong(logit);
        }
        out.put(proof.witnessRoot());
        for (MlpProof.Layer p : proof.dense()) {
            ext(out, p.bias());
            if (p.accumulator() != null) {
                ext(out, p.accumulator());
            }
            SumcheckProofCodec.write(p.matmul(), out);
            ext(out, p.weight(), p.input());
        }
        for (RequantByteArgument.Proof p : proof.denseRequants()) {
            writeRequant(out, p);
        }
        for (CnnProof.Conv c : proof.convs()) {
            ext(out, c.accumulator(), c.bias());
            SumcheckProofCodec.write(c.conv(), out);
            ext(out, c.kernel(), c.patch());
            if (c.wiring() != null) {
                SumcheckProofCodec.write(c.wiring(), out);
                ext(out, c.input());
            }
            writeRequant(out, c.requant());
            CnnProof.Pool p = c.pool();
            ext(out, p.pooled());
            ext(out, p.differences());
            SumcheckProofCodec.write(p.gather(), out);
            ext(out, p.gathered());
            SumcheckProofCodec.write(p.selectorBits(), out);
            ext(out, p.selectorBit());
            ext(out, p.selectorSums());
            SumcheckProofCodec.write(p.selected(), out);
            ext(out, p.selectedS(), p.selectedD());
            LogUpProofCodec.write(p.differenceLookup(), out);
        }
        MlpProofFile.batch(out, proof.model(), shape.modelParams());
        MlpProofFile.batch(out, proof.witness(), shape.witnessParams());
        if (out.hasRemaining()) {
            throw new IllegalStateException("proof encoding left " + out.remaining() + " bytes unwritten");
        }
        return out.array();
    }

    /**
     * @throws IllegalArgumentException naming what is wrong in a malformed file
     */
    public static CnnProofFile decode(byte[] bytes) {
        if (bytes.length > MlpProofFile.MAX_BYTES) {
            throw new IllegalArgumentException("a proof file has at most " + MlpProofFile.MAX_BYTES + " bytes, got " + bytes.length);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            if (!isCnn(bytes)) {
                throw new IllegalArgumentException("not a Hypha CNN proof file (HYPHA-ZK, kind 2)");
            }
            in.position(MAGIC.length);
            int version = Short.toUnsignedInt(in.getShort());
            if (version != VERSION) {
                throw new IllegalArgumentException("CNN proof file version " + version + " is not supported (this build reads "
                        + VERSION + ")");
            }
            in.get(); // the kind, checked above
            int idLength = Short.toUnsignedInt(in.getShort());
            if (idLength == 0 || idLength > MlpStatement.MAX_MODEL_ID) {
                throw new IllegalArgumentException("the model id has " + idLength + " bytes; 1.." + MlpStatement.MAX_MODEL_ID
                        + " allowed");
            }
            byte[] id = new byte[idLength];
            in.get(id);
            String modelId;
            try {
                modelId = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(id)).toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("the model id is not UTF-8");
            }
            byte[] modelRoot = new byte[32];
            in.get(modelRoot);
            int channels = Short.toUnsignedInt(in.getShort());
            int height = Short.toUnsignedInt(in.getShort());
            int width = Short.toUnsignedInt(in.getShort());
            int convCount = Byte.toUnsignedInt(in.get());
            if (convCount < 1 || convCount > Int8Cnn.MAX_CONVS) {
                throw new IllegalArgumentException("the model has " + convCount + " conv blocks; 1.." + Int8Cnn.MAX_CONVS
                        + " allowed");
            }
            List<CnnShape.ConvShape> convs = new ArrayList<>();
            int h = height;
            int w = width;
            for (int l = 0; l < convCount; l++) {
                int cin = Short.toUnsignedInt(in.getShort());
                int cout = Short.toUnsignedInt(in.getShort());
                int kernel = Byte.toUnsignedInt(in.get());
                int padding = Byte.toUnsignedInt(in.get());
                int pool = Byte.toUnsignedInt(in.get());
                int activation = Byte.toUnsignedInt(in.get());
                int multiplier = Short.toUnsignedInt(in.getShort());
                int shift = Byte.toUnsignedInt(in.get());
                if (activation != 1 && activation != 2) {
                    throw new IllegalArgumentException("conv block " + l + " has activation " + activation + " (1 relu, 2 none)");
                }
                Int8Cnn.checkGeometry(cin, cout, kernel, padding, pool); // a model's conv checks, without its weights
                CnnShape.ConvShape s = new CnnShape.ConvShape(cin, cout, kernel, padding, pool,
                        new Int8Mlp.Requant(multiplier, shift, activation == 1), h, w);
                convs.add(s);
                h = Math.max(0, s.poolH());
                w = Math.max(0, s.poolW());
            }
            int denseCount = Byte.toUnsignedInt(in.get());
            if (denseCount < 1 || denseCount > Int8Mlp.MAX_LAYERS) {
                throw new IllegalArgumentException("the model has " + denseCount + " dense layers; 1.." + Int8Mlp.MAX_LAYERS
                        + " allowed");
            }
            List<MlpShape.LayerShape> dense = new ArrayList<>();
            for (int d = 0; d < denseCount; d++) {
                int layerIn = in.getInt();
                int layerOut = in.getInt();
                int activation = Byte.toUnsignedInt(in.get());
                int multiplier = Short.toUnsignedInt(in.getShort());
                int shift = Byte.toUnsignedInt(in.get());
                Int8Mlp.Requant rq = switch (activation) {
                    case 0 -> {
                        if (multiplier != 0 || shift != 0) {
                            throw new IllegalArgumentException("dense layer " + d + " gives logits but declares a requantization");
                        }
                        yield null;
                    }
                    case 1, 2 -> new Int8Mlp.Requant(multiplier, shift, activation == 1);
                    default -> throw new IllegalArgumentException("dense layer " + d + " has activation " + activation);
                };
                dense.add(new MlpShape.LayerShape(layerIn, layerOut, rq));
            }
            CnnShape shape = new CnnShape(channels, height, width, convs, dense);
            int inputLength = in.getInt();
            if (inputLength != shape.inputSize()) {
                throw new IllegalArgumentException("the input has " + Integer.toUnsignedString(inputLength)
                        + " bytes; the model takes " + shape.inputSize());
            }
            byte[] pixels = new byte[inputLength];
            in.get(pixels);
            long[] logits = new long[shape.classes()];
            for (int c = 0; c < logits.length; c++) {
                logits[c] = in.getLong();
            }
            CnnStatement statement = new CnnStatement(modelId, modelRoot, shape, pixels, logits);
            byte[] witnessRoot = new byte[32];
            in.get(witnessRoot);
            long body = bodySize(shape);
            if (in.remaining() != body) {
                throw new IllegalArgumentException("the proof body of this model has " + body + " bytes, the file holds "
                        + in.remaining());
            }
            BlockLayout witnessLayout = shape.witnessLayout();
            List<MlpProof.Layer> denseProofs = new ArrayList<>();
            for (int d = denseCount - 1; d >= 0; d--) {
                MlpShape.LayerShape s = shape.dense().get(d);
                Ext2 bias = ext(in);
                Ext2 acc = s.hidden() ? ext(in) : null;
                SumcheckProof matmul = SumcheckProofCodec.read(in, s.inVars(), 2);
                denseProofs.add(new MlpProof.Layer(bias, acc, matmul, ext(in), ext(in)));
            }
            List<RequantByteArgument.Proof> requants = new ArrayList<>();
            for (int hd = 0; hd < denseCount - 1; hd++) {
                requants.add(readRequant(in, shape.dense().get(hd).outVars()));
            }
            List<CnnProof.Conv> convProofs = new ArrayList<>();
            for (int l = convCount - 1; l >= 0; l--) {
                CnnShape.ConvShape s = shape.convs().get(l);
                Ext2 acc = ext(in);
                Ext2 bias = ext(in);
                SumcheckProof conv = SumcheckProofCodec.read(in, s.ev(), 2);
                Ext2 kernel = ext(in);
                Ext2 patch = ext(in);
                SumcheckProof wiring = null;
                Ext2 input = null;
                if (l > 0) {
                    wiring = SumcheckProofCodec.read(in, witnessLayout.blockVars(shape.convBlock(l - 1, CnnShape.POOLED)), 2);
                    input = ext(in);
                }
                RequantByteArgument.Proof rq = readRequant(in, s.nv());
                int windows = 1 << s.jv();
                int jz = s.jv() + s.zv();
                Ext2 pooled = ext(in);
                Ext2[] differences = exts(in, windows);
                SumcheckProof gather = SumcheckProofCodec.read(in, s.nv(), 2);
                Ext2 gathered = ext(in);
                SumcheckProof selectorBits = SumcheckProofCodec.read(in, jz, 3);
                Ext2 selectorBit = ext(in);
                Ext2[] sums = exts(in, windows);
                SumcheckProof selected = SumcheckProofCodec.read(in, jz, 3);
                Ext2 selectedS = ext(in);
                Ext2 selectedD = ext(in);
                LogUpProof lookup = LogUpProofCodec.read(in, jz, CnnShape.DIFF_TABLE_BITS);
                convProofs.add(new CnnProof.Conv(acc, bias, conv, kernel, patch, wiring, input, rq, new CnnProof.Pool(pooled,
                        differences, gather, gathered, selectorBits, selectorBit, sums, selected, selectedS, selectedD,
                        lookup)));
            }
            ClaimBatch.Proof model = MlpProofFile.batch(in, shape.modelParams(), shape.modelLayout().numVars());
            ClaimBatch.Proof witness = MlpProofFile.batch(in, shape.witnessParams(), witnessLayout.numVars());
            return new CnnProofFile(statement, new CnnProof(witnessRoot, denseProofs, requants, convProofs, model, witness));
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("the proof file ends early (" + bytes.length + " bytes)");
        }
    }

    /** The exact number of bytes after the witness root. */
    static long bodySize(CnnShape shape) {
        BlockLayout witnessLayout = shape.witnessLayout();
        long size = 0;
        for (MlpShape.LayerShape s : shape.dense()) {
            size += 16L * (3 + (s.hidden() ? 1 : 0)) + SumcheckProofCodec.size(s.inVars(), 2);
        }
        for (int h = 0; h < shape.dense().size() - 1; h++) {
            size += requantSize(shape.dense().get(h).outVars());
        }
        for (int l = 0; l < shape.convs().size(); l++) {
            CnnShape.ConvShape s = shape.convs().get(l);
            size += 16L * 4 + SumcheckProofCodec.size(s.ev(), 2);
            if (l > 0) {
                size += SumcheckProofCodec.size(witnessLayout.blockVars(shape.convBlock(l - 1, CnnShape.POOLED)), 2) + 16;
            }
            size += requantSize(s.nv());
            int windows = 1 << s.jv();
            int jz = s.jv() + s.zv();
            size += 16L * (1 + windows + 1 + 1 + windows + 2)
                    + SumcheckProofCodec.size(s.nv(), 2) + 2L * SumcheckProofCodec.size(jz, 3)
                    + LogUpProofCodec.size(jz, CnnShape.DIFF_TABLE_BITS);
        }
        size += SumcheckProofCodec.size(shape.modelLayout().numVars(), 2) + 16 + shape.modelParams().proofBytes();
        size += SumcheckProofCodec.size(witnessLayout.numVars(), 2) + 16 + shape.witnessParams().proofBytes();
        return size;
    }

    /** Bytes of one requantization argument over 2^vars neurons (its byte block has vars + 4 variables). */
    private static long requantSize(int vars) {
        return SumcheckProofCodec.size(vars, 4) + 16L * 8 + SumcheckProofCodec.size(RequantByteArgument.BYTE_VARS, 2) + 16
                + LogUpProofCodec.size(vars + RequantByteArgument.BYTE_VARS, RequantByteArgument.TABLE_BITS);
    }

    private static void writeRequant(ByteBuffer out, RequantByteArgument.Proof p) {
        SumcheckProofCodec.write(p.zerocheck(), out);
        ext(out, p.values());
        ext(out, p.rangeValues());
        SumcheckProofCodec.write(p.recomposition(), out);
        ext(out, p.recomposedByte());
        LogUpProofCodec.write(p.lookup(), out);
    }

    private static RequantByteArgument.Proof readRequant(ByteBuffer in, int vars) {
        SumcheckProof zerocheck = SumcheckProofCodec.read(in, vars, 4);
        Ext2[] values = exts(in, 5);
        Ext2[] rangeValues = exts(in, 3);
        SumcheckProof recomposition = SumcheckProofCodec.read(in, RequantByteArgument.BYTE_VARS, 2);
        Ext2 recomposed = ext(in);
        LogUpProof lookup = LogUpProofCodec.read(in, vars + RequantByteArgument.BYTE_VARS, RequantByteArgument.TABLE_BITS);
        return new RequantByteArgument.Proof(zerocheck, values, rangeValues, recomposition, recomposed, lookup);
    }

    private static void ext(ByteBuffer out, Ext2... values) {
        for (Ext2 v : values) {
            out.putLong(v.c0()).putLong(v.c1());
        }
    }

    private static Ext2 ext(ByteBuffer in) {
        return SumcheckProofCodec.readExt(in);
    }

    private static Ext2[] exts(ByteBuffer in, int n) {
        Ext2[] out = new Ext2[n];
        for (int i = 0; i < n; i++) {
            out[i] = ext(in);
        }
        return out;
    }
}

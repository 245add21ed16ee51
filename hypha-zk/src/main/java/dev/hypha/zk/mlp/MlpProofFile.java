package dev.hypha.zk.mlp;

import dev.hypha.zk.circuit.ClaimBatch;
import dev.hypha.zk.field.Ext2;
import dev.hypha.zk.pcs.LigeroParams;
import dev.hypha.zk.pcs.ProofCodec;
import dev.hypha.zk.sumcheck.SumcheckProof;
import dev.hypha.zk.sumcheck.SumcheckProofCodec;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The proof file of {@code hypha zk prove}: a statement and its proof in one canonical byte string (big-endian):
 *
 * <pre>
 *   "HYPHA-ZK" · u16 version (1) · u8 kind (1: int8 MLP classification)
 *   u16 n · n bytes model id (UTF-8) · 32 bytes model root
 *   u8 layers · per layer: u32 in · u32 out · u8 activation (0 logits, 1 relu, 2 none) · u16 multiplier · u8 shift
 *   u32 n · n input bytes (n = the first layer's inputs) · per class: i64 logit
 *   32 bytes witness root · the proof's messages in transcript order, every length fixed by the shape
 * </pre>
 *
 * The decoder reads the header, validates the shape (which bounds every later length and the verifier's work, see
 * {@link MlpShape#MAX_TABLE_VARS}), computes the exact size the rest must have and rejects any other; field elements
 * must be canonical. So there is one encoding per proof, and a hostile file costs at most its own length to reject.
 */
public record MlpProofFile(MlpStatement statement, MlpProof proof) {
    static final byte[] MAGIC = "HYPHA-ZK".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 3;
    static final int KIND_MLP = 1;
    /** Largest proof file read (a 2^24-entry model's proof is far smaller). */
    public static final int MAX_BYTES = 64 << 20;

    public byte[] encode() {
        MlpShape shape = statement.shape();
        byte[] id = statement.modelId().getBytes(StandardCharsets.UTF_8);
        int header = MAGIC.length + 3 + 2 + id.length + 32 + 1 + 12 * shape.layers().size() + 4 + shape.inputSize()
                + 8 * shape.classes() + 32;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(header + bodySize(shape)));
        out.put(MAGIC).putShort((short) VERSION).put((byte) KIND_MLP);
        out.putShort((short) id.length).put(id).put(statement.modelRoot());
        out.put((byte) shape.layers().size());
        for (MlpShape.LayerShape s : shape.layers()) {
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
        for (MlpProof.Layer p : proof.layers()) {
            ext(out, p.bias());
            if (p.accumulator() != null) {
                ext(out, p.accumulator());
            }
            SumcheckProofCodec.write(p.matmul(), out);
            ext(out, p.weight());
            if (p.input() != null) {
                ext(out, p.input());
            }
        }
        for (MlpProof.Requant p : proof.requants()) {
            writeRequant(out, p);
        }
        batch(out, proof.model(), shape.modelParams());
        batch(out, proof.witness(), shape.witnessParams());
        if (out.hasRemaining()) {
            throw new IllegalStateException("proof encoding left " + out.remaining() + " bytes unwritten");
        }
        return out.array();
    }

    /**
     * @throws IllegalArgumentException naming what is wrong and where (byte offset) in a malformed file
     */
    public static MlpProofFile decode(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("a proof file has at most " + MAX_BYTES + " bytes, got " + bytes.length);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            byte[] magic = new byte[MAGIC.length];
            in.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IllegalArgumentException("not a Hypha proof file (it does not start with HYPHA-ZK)");
            }
            int version = Short.toUnsignedInt(in.getShort());
            if (version != VERSION) {
                throw new IllegalArgumentException("proof file version " + version + " is not supported (this build reads "
                        + VERSION + ")");
            }
            int kind = Byte.toUnsignedInt(in.get());
            if (kind != KIND_MLP) {
                throw new IllegalArgumentException("proof kind " + kind + " is not supported (1: int8 MLP classification)");
            }
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
            int layerCount = Byte.toUnsignedInt(in.get());
            if (layerCount < 1 || layerCount > Int8Mlp.MAX_LAYERS) {
                throw new IllegalArgumentException("the model has " + layerCount + " layers; 1.." + Int8Mlp.MAX_LAYERS
                        + " allowed");
            }
            List<MlpShape.LayerShape> layers = new ArrayList<>();
            for (int l = 0; l < layerCount; l++) {
                int layerIn = in.getInt();
                int layerOut = in.getInt();
                int activation = Byte.toUnsignedInt(in.get());
                int multiplier = Short.toUnsignedInt(in.getShort());
                int shift = Byte.toUnsignedInt(in.get());
                Int8Mlp.Requant rq = switch (activation) {
                    case 0 -> {
                        if (multiplier != 0 || shift != 0) {
                            throw new IllegalArgumentException("layer " + l + " gives logits but declares a requantization");
                        }
                        yield null;
                    }
                    case 1, 2 -> new Int8Mlp.Requant(multiplier, shift, activation == 1);
                    default -> throw new IllegalArgumentException("layer " + l + " has activation " + activation
                            + " (0 logits, 1 relu, 2 none)");
                };
                layers.add(new MlpShape.LayerShape(layerIn, layerOut, rq));
            }
            MlpShape shape = new MlpShape(layers);
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
            MlpStatement statement = new MlpStatement(modelId, modelRoot, shape, pixels, logits);
            byte[] witnessRoot = new byte[32];
            in.get(witnessRoot);
            long body = bodySize(shape);
            if (in.remaining() != body) {
                throw new IllegalArgumentException("the proof body of this model has " + body + " bytes, the file holds "
                        + in.remaining());
            }
            List<MlpProof.Layer> layerProofs = new ArrayList<>();
            for (int l = layerCount - 1; l >= 0; l--) {
                MlpShape.LayerShape s = shape.layers().get(l);
                Ext2 bias = ext(in);
                Ext2 acc = s.hidden() ? ext(in) : null;
                SumcheckProof matmul = SumcheckProofCodec.read(in, s.inVars(), 2);
                Ext2 weight = ext(in);
                Ext2 input = l > 0 ? ext(in) : null;
                layerProofs.add(new MlpProof.Layer(bias, acc, matmul, weight, input));
            }
            List<MlpProof.Requant> requants = new ArrayList<>();
            for (int h = 0; h < shape.hiddenCount(); h++) {
                requants.add(readRequant(in, shape.layers().get(h).outVars(), shape.witnessLayout().blockVars(2 * h + 1)));
            }
            ClaimBatch.Proof model = batch(in, shape.modelParams(), shape.modelLayout().numVars());
            ClaimBatch.Proof witness = batch(in, shape.witnessParams(), shape.witnessLayout().numVars());
            return new MlpProofFile(statement, new MlpProof(witnessRoot, layerProofs, requants, model, witness));
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("the proof file ends early (" + bytes.length + " bytes)");
        }
    }

    /** The exact number of bytes after the witness root. */
    static long bodySize(MlpShape shape) {
        long size = 0;
        int layers = shape.layers().size();
        for (int l = 0; l < layers; l++) {
            MlpShape.LayerShape s = shape.layers().get(l);
            size += 16L * (2 + (s.hidden() ? 1 : 0) + (l > 0 ? 1 : 0)) + SumcheckProofCodec.size(s.inVars(), 2);
        }
        for (int h = 0; h < shape.hiddenCount(); h++) {
            size += requantSize(shape.layers().get(h).outVars(), shape.witnessLayout().blockVars(2 * h + 1));
        }
        size += SumcheckProofCodec.size(shape.modelLayout().numVars(), 2) + 16 + shape.modelParams().proofBytes();
        size += SumcheckProofCodec.size(shape.witnessLayout().numVars(), 2) + 16 + shape.witnessParams().proofBytes();
        return size;
    }

    /** Bytes of one requantization argument over 2^vars neurons whose bit block has bitVars variables. */
    public static long requantSize(int vars, int bitVars) {
        return SumcheckProofCodec.size(vars, 4) + 16L * 8 + SumcheckProofCodec.size(MlpShape.BIT_VARS, 2) + 16
                + SumcheckProofCodec.size(bitVars, 3) + 16;
    }

    /** One requantization argument's messages in transcript order (shared with the CNN proof file). */
    public static void writeRequant(ByteBuffer out, MlpProof.Requant p) {
        SumcheckProofCodec.write(p.zerocheck(), out);
        for (Ext2 v : p.values()) {
            ext(out, v);
        }
        for (Ext2 v : p.rangeValues()) {
            ext(out, v);
        }
        SumcheckProofCodec.write(p.recomposition(), out);
        ext(out, p.recomposedBit());
        SumcheckProofCodec.write(p.booleanity(), out);
        ext(out, p.booleanBit());
    }

    public static MlpProof.Requant readRequant(ByteBuffer in, int vars, int bitVars) {
        SumcheckProof zerocheck = SumcheckProofCodec.read(in, vars, 4);
        Ext2[] values = exts(in, 5);
        Ext2[] rangeValues = exts(in, 3);
        SumcheckProof recomposition = SumcheckProofCodec.read(in, MlpShape.BIT_VARS, 2);
        Ext2 recomposedBit = ext(in);
        SumcheckProof booleanity = SumcheckProofCodec.read(in, bitVars, 3);
        return new MlpProof.Requant(zerocheck, values, rangeValues, recomposition, recomposedBit, booleanity, ext(in));
    }

    /** A claim batch's sumcheck, value and opening (shared with the CNN proof file). */
    public static void batch(ByteBuffer out, ClaimBatch.Proof p, LigeroParams params) {
        SumcheckProofCodec.write(p.sumcheck(), out);
        ext(out, p.value());
        ProofCodec.write(p.opening(), params, out);
    }

    public static ClaimBatch.Proof batch(ByteBuffer in, LigeroParams params, int vars) {
        SumcheckProof sc = SumcheckProofCodec.read(in, vars, 2);
        Ext2 value = ext(in);
        return new ClaimBatch.Proof(sc, value, ProofCodec.read(in, params));
    }

    private static void ext(ByteBuffer out, Ext2 v) {
        out.putLong(v.c0()).putLong(v.c1());
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

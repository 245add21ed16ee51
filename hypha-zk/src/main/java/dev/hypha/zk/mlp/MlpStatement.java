package dev.hypha.zk.mlp;

import dev.hypha.core.crypto.Hashes;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.transcript.Transcript;
import java.nio.charset.StandardCharsets;

/**
 * What a whole-MLP proof claims: the model with this content id, whose tables commit to {@code modelRoot}, maps these
 * input pixels to these logits (so to class argmax(logits)). Every field is absorbed into the transcript before the
 * first challenge, so a proof is bound to all of them: changing the id, root, shape, input or any logit changes every
 * challenge.
 */
public record MlpStatement(String modelId, byte[] modelRoot, MlpShape shape, byte[] pixels, long[] logits) {
    /** Longest model id accepted (a CID string is about 60 characters). */
    public static final int MAX_MODEL_ID = 128;
    static final String DOMAIN = "hypha.zk.mlp.v1";

    public MlpStatement {
        byte[] id = modelId.getBytes(StandardCharsets.UTF_8);
        if (id.length == 0 || id.length > MAX_MODEL_ID) {
            throw new IllegalArgumentException("a model id has 1.." + MAX_MODEL_ID + " bytes, got " + id.length);
        }
        if (modelRoot.length != 32) {
            throw new IllegalArgumentException("a model root has 32 bytes, got " + modelRoot.length);
        }
        if (pixels.length != shape.inputSize()) {
            throw new IllegalArgumentException("the model takes " + shape.inputSize() + " input bytes, got " + pixels.length);
        }
        if (logits.length != shape.classes()) {
            throw new IllegalArgumentException("the model gives " + shape.classes() + " logits, got " + logits.length);
        }
        modelRoot = modelRoot.clone();
        pixels = pixels.clone();
        logits = logits.clone();
    }

    @Override
    public byte[] modelRoot() {
        return modelRoot.clone();
    }

    @Override
    public byte[] pixels() {
        return pixels.clone();
    }

    @Override
    public long[] logits() {
        return logits.clone();
    }

    /** SHA-256 of the input bytes. */
    public byte[] inputHash() {
        return Hashes.sha256(pixels);
    }

    /** The proven class: the first index of the largest logit. */
    public int predictedClass() {
        return Int8Mlp.argmax(logits);
    }

    /** A transcript with the statement absorbed. */
    Transcript transcript() {
        Transcript t = new Transcript(DOMAIN);
        t.absorbBytes("mlp.model-id", modelId.getBytes(StandardCharsets.UTF_8));
        t.absorbDigest("mlp.model-root", modelRoot);
        long[] dims = new long[1 + 5 * shape.layers().size()];
        dims[0] = shape.layers().size();
        for (int l = 0; l < shape.layers().size(); l++) {
            MlpShape.LayerShape s = shape.layers().get(l);
            dims[1 + 5 * l] = s.in();
            dims[2 + 5 * l] = s.out();
            dims[3 + 5 * l] = s.hidden() ? (s.requant().relu() ? 1 : 2) : 0;
            dims[4 + 5 * l] = s.hidden() ? s.requant().multiplier() : 0;
            dims[5 + 5 * l] = s.hidden() ? s.requant().shift() : 0;
        }
        t.absorbFields("mlp.shape", dims);
        t.absorbDigest("mlp.input-hash", inputHash());
        t.absorbBytes("mlp.input", pixels);
        long[] l = new long[logits.length];
        for (int c = 0; c < l.length; c++) {
            l[c] = Goldilocks.fromSigned(logits[c]);
        }
        t.absorbFields("mlp.logits", l);
        return t;
    }
}

package dev.hypha.zk.cnn;

import dev.hypha.core.crypto.Hashes;
import dev.hypha.zk.field.Goldilocks;
import dev.hypha.zk.mlp.Int8Mlp;
import dev.hypha.zk.mlp.MlpShape;
import dev.hypha.zk.mlp.MlpStatement;
import dev.hypha.zk.transcript.Transcript;
import java.nio.charset.StandardCharsets;

/**
 * What a CNN proof claims: the model with this content id, whose tables commit to {@code modelRoot}, maps these input
 * pixels to these logits. Every field, the whole shape with every requantization constant included, is absorbed
 * before the first challenge (domain {@code hypha.zk.cnn.v1}), so a proof is bound to all of them.
 */
public record CnnStatement(String modelId, byte[] modelRoot, CnnShape shape, byte[] pixels, long[] logits) {
    static final String DOMAIN = "hypha.zk.cnn.v1";

    public CnnStatement {
        byte[] id = modelId.getBytes(StandardCharsets.UTF_8);
        if (id.length == 0 || id.length > MlpStatement.MAX_MODEL_ID) {
            throw new IllegalArgumentException("a model id has 1.." + MlpStatement.MAX_MODEL_ID + " bytes, got " + id.length);
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
        t.absorbBytes("cnn.model-id", modelId.getBytes(StandardCharsets.UTF_8));
        t.absorbDigest("cnn.model-root", modelRoot);
        long[] input = {shape.channels(), shape.height(), shape.width(), shape.convs().size(), shape.dense().size()};
        t.absorbFields("cnn.input-shape", input);
        for (CnnShape.ConvShape s : shape.convs()) {
            t.absorbFields("cnn.conv", s.in(), s.out(), s.kernel(), s.padding(), s.pool(), s.requant().relu() ? 1 : 2,
                    s.requant().multiplier(), s.requant().shift());
        }
        for (MlpShape.LayerShape s : shape.dense()) {
            t.absorbFields("cnn.dense", s.in(), s.out(), s.hidden() ? (s.requant().relu() ? 1 : 2) : 0,
                    s.hidden() ? s.requant().multiplier() : 0, s.hidden() ? s.requant().shift() : 0);
        }
        t.absorbDigest("cnn.input-hash", inputHash());
        t.absorbBytes("cnn.input", pixels);
        long[] l = new long[logits.length];
        for (int c = 0; c < l.length; c++) {
            l[c] = Goldilocks.fromSigned(logits[c]);
        }
        t.absorbFields("cnn.logits", l);
        return t;
    }
}

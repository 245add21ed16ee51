package dev.hypha.ml.llm;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufTensor;
import dev.hypha.ml.gguf.GgufValue;
import dev.hypha.ml.gguf.GgufWriter;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.tensor.TensorCodec;
import java.nio.file.Path;
import java.util.Map;

/**
 * Folds a LoRA adapter into its base model: every adapted weight becomes {@code W + scale·B·A}, written as F32
 * (decision: requantizing to the base's type would add a rounding error of the base's own quantization step, usually
 * larger than the adapter's change; F32 keeps the merged weight exact to float rounding). Every other tensor and all
 * metadata are copied unchanged, so the result loads wherever the base does, without the adapter. Atomic write.
 */
public final class LoraMerge {
    private LoraMerge() {}

    /**
     * @param base    the base model's file (open)
     * @param adapter an adapter loaded against that base
     * @param name    {@code general.name} of the merged model
     */
    public static void write(GgufFile base, LoraAdapter adapter, String name, Path out) {
        GgufWriter w = new GgufWriter();
        for (Map.Entry<String, GgufValue> e : base.metadata().entrySet()) {
            w.put(e.getKey(), e.getKey().equals("general.name") ? new GgufValue.Str(name) : e.getValue());
        }
        if (!base.metadata().containsKey("general.name")) {
            w.put("general.name", new GgufValue.Str(name));
        }
        for (GgufTensor t : base.tensors()) {
            LoraAdapter.Pair p = adapter.pairs().get(t.name());
            if (p == null) {
                w.addTensor(t.name(), t.type(), t.shape(), t.data());
            } else {
                w.addTensor(t.name(), GgmlType.F32, t.shape(), TensorCodec.quantize(GgmlType.F32, merged(t, p), 0, p.b().rows() * p.a().cols()));
            }
        }
        for (String weight : adapter.pairs().keySet()) {
            if (base.tensor(weight).isEmpty()) {
                throw new IllegalArgumentException("the base model has no tensor '" + weight + "' to merge the adapter into");
            }
        }
        w.write(out);
    }

    /** {@code W[o][i] + scale·Σ_r B[o][r]·A[r][i]}, the sum over r in order, in float. */
    static float[] merged(GgufTensor weight, LoraAdapter.Pair p) {
        int out = p.b().rows();
        int in = p.a().cols();
        int rank = p.rank();
        float[] w = TensorCodec.dequantize(weight.type(), weight.data(), Math.multiplyExact(out, in));
        float[] a = new float[rank * in];
        for (int r = 0; r < rank; r++) {
            p.a().dequantizeRow(r, a, r * in);
        }
        float[] b = new float[out * rank];
        for (int o = 0; o < out; o++) {
            p.b().dequantizeRow(o, b, o * rank);
        }
        float scale = p.scale();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                float delta = 0f;
                for (int r = 0; r < rank; r++) {
                    delta += b[o * rank + r] * a[r * in + i];
                }
                w[o * in + i] += scale * delta;
            }
        }
        return w;
    }
}

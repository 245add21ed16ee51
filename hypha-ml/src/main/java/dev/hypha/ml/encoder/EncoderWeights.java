package dev.hypha.ml.encoder;

import dev.hypha.ml.llm.ModelSource;
import dev.hypha.ml.llm.WeightTensor;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.tensor.TensorCodec;
import dev.hypha.ml.tensor.WeightMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tensors of an encoder, named and shaped as llama.cpp's loader wants them (its {@code LLM_ARCH_BERT} /
 * {@code LLM_ARCH_NOMIC_BERT} tensor list). Matrices stay views of the mapped file; vectors are decoded to floats.
 *
 * @param tokenEmbedding  [vocab rows x dim]
 * @param tokenType0      row 0 of {@code token_types.weight} (every input is "sentence A", as in llama.cpp), or null
 * @param positions       {@code position_embd.weight} [context rows x dim] (BERT), or null (nomic-bert uses RoPE)
 * @param embeddingNorm   LayerNorm weight and bias applied to the summed input embeddings
 */
record EncoderWeights(WeightMatrix tokenEmbedding, float[] tokenType0, WeightMatrix positions, Norm embeddingNorm,
                      List<Layer> layers, int vocabSize) {

    /** A LayerNorm's weight and bias. */
    record Norm(float[] weight, float[] bias) {}

    /** One block; biases are null where the file has none. */
    record Layer(WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, float[] bq, float[] bk, float[] bv,
                 WeightMatrix wo, float[] bo, Norm attnOutNorm,
                 WeightMatrix up, float[] upBias, WeightMatrix gate, WeightMatrix down, float[] downBias,
                 Norm layerOutNorm) {}

    static EncoderWeights load(ModelSource src, EncoderConfig c) {
        WeightTensor embd = src.requireTensor("token_embd.weight");
        long[] es = embd.shape();
        if (es.length != 2 || es[0] != c.dim() || es[1] <= 0 || es[1] > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor 'token_embd.weight' must have shape [" + c.dim() + ", vocab], got " + embd);
        }
        int vocab = (int) es[1];
        WeightMatrix tokenEmbedding = matrix(src, "token_embd.weight", c.dim(), vocab);
        float[] type0 = null;
        Optional<WeightTensor> types = src.tensor("token_types.weight");
        if (types.isPresent()) {
            long[] ts = types.get().shape();
            if (ts.length != 2 || ts[0] != c.dim() || ts[1] < 1 || ts[1] > 1024) {
                throw new IllegalArgumentException("tensor 'token_types.weight' must have shape [" + c.dim() + ", types], got "
                        + types.get());
            }
            WeightMatrix m = matrix(src, "token_types.weight", c.dim(), (int) ts[1]);
            type0 = new float[c.dim()];
            m.dequantizeRow(0, type0, 0);
        }
        WeightMatrix positions = c.architecture() == EncoderArchitecture.BERT
                ? matrix(src, "position_embd.weight", c.dim(), c.contextLength()) : null;
        Norm embNorm = norm(src, "token_embd_norm", c.dim());
        List<Layer> layers = new ArrayList<>(c.layers());
        for (int i = 0; i < c.layers(); i++) {
            String b = "blk." + i + ".";
            WeightMatrix wq;
            WeightMatrix wk;
            WeightMatrix wv;
            float[] bq;
            float[] bk;
            float[] bv;
            if (src.tensor(b + "attn_qkv.weight").isPresent()) {
                WeightMatrix fused = matrix(src, b + "attn_qkv.weight", c.dim(), 3 * c.dim());
                wq = rows(fused, b + "attn_qkv.weight[q]", 0, c.dim());
                wk = rows(fused, b + "attn_qkv.weight[k]", c.dim(), c.dim());
                wv = rows(fused, b + "attn_qkv.weight[v]", 2 * c.dim(), c.dim());
                float[] bqkv = optionalVector(src, b + "attn_qkv.bias", 3 * c.dim());
                bq = bqkv == null ? null : java.util.Arrays.copyOfRange(bqkv, 0, c.dim());
                bk = bqkv == null ? null : java.util.Arrays.copyOfRange(bqkv, c.dim(), 2 * c.dim());
                bv = bqkv == null ? null : java.util.Arrays.copyOfRange(bqkv, 2 * c.dim(), 3 * c.dim());
            } else {
                wq = matrix(src, b + "attn_q.weight", c.dim(), c.dim());
                wk = matrix(src, b + "attn_k.weight", c.dim(), c.dim());
                wv = matrix(src, b + "attn_v.weight", c.dim(), c.dim());
                bq = vector(src, b + "attn_q.bias", c.dim());
                bk = vector(src, b + "attn_k.bias", c.dim());
                bv = vector(src, b + "attn_v.bias", c.dim());
            }
            if (src.tensor(b + "attn_q_norm.weight").isPresent() || src.tensor(b + "ffn_gate_inp.weight").isPresent()) {
                throw new IllegalArgumentException("tensor '" + b + "attn_q_norm.weight' or '" + b + "ffn_gate_inp.weight': "
                        + "jina-bert q/k norms and nomic-bert-moe experts are not supported");
            }
            boolean nomic = c.architecture() == EncoderArchitecture.NOMIC_BERT;
            layers.add(new Layer(wq, wk, wv, bq, bk, bv,
                    matrix(src, b + "attn_output.weight", c.dim(), c.dim()),
                    optionalVector(src, b + "attn_output.bias", c.dim()),
                    norm(src, b + "attn_output_norm", c.dim()),
                    matrix(src, b + "ffn_up.weight", c.dim(), c.ffnDim()),
                    optionalVector(src, b + "ffn_up.bias", c.ffnDim()),
                    nomic ? matrix(src, b + "ffn_gate.weight", c.dim(), c.ffnDim()) : null,
                    matrix(src, b + "ffn_down.weight", c.ffnDim(), c.dim()),
                    optionalVector(src, b + "ffn_down.bias", c.dim()),
                    norm(src, b + "layer_output_norm", c.dim())));
        }
        return new EncoderWeights(tokenEmbedding, type0, positions, embNorm, List.copyOf(layers), vocab);
    }

    private static Norm norm(ModelSource src, String name, int n) {
        return new Norm(vector(src, name + ".weight", n), vector(src, name + ".bias", n));
    }

    private static WeightMatrix rows(WeightMatrix m, String name, int first, int count) {
        long rowBytes = m.type().bytesFor(m.cols());
        return new WeightMatrix(name, m.type(), count, m.cols(), m.data().asSlice(first * rowBytes, count * rowBytes));
    }

    private static WeightMatrix matrix(ModelSource src, String name, int cols, int rows) {
        WeightTensor t = src.requireTensor(name);
        long[] s = t.shape();
        if (s.length != 2 || s[0] != cols || s[1] != rows) {
            throw new IllegalArgumentException("tensor '" + name + "' must have shape [" + cols + ", " + rows + "], got " + t);
        }
        TensorCodec.requireSupported(t.type(), "tensor '" + name + "'");
        return new WeightMatrix(name, t.type(), rows, cols, t.data());
    }

    private static float[] vector(ModelSource src, String name, int n) {
        return decode(src.requireTensor(name), n);
    }

    private static float[] optionalVector(ModelSource src, String name, int n) {
        return src.tensor(name).map(t -> decode(t, n)).orElse(null);
    }

    private static float[] decode(WeightTensor t, int n) {
        if (t.elementCount() != n) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' must have " + n + " elements, got " + t);
        }
        TensorCodec.requireSupported(t.type(), "tensor '" + t.name() + "'");
        if (n % t.type().blockSize() != 0 || t.data().byteSize() != t.type().bytesFor(n)) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' holds " + t.data().byteSize() + " bytes, not "
                    + n + " " + t.type() + " elements");
        }
        return TensorCodec.dequantize(t.type() == GgmlType.F32 ? GgmlType.F32 : t.type(), t.data(), n);
    }
}

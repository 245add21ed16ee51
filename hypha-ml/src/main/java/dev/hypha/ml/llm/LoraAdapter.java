package dev.hypha.ml.llm;

import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufTensor;
import dev.hypha.ml.gguf.GgufValue;
import dev.hypha.ml.tensor.ActivationBatch;
import dev.hypha.ml.tensor.MatMul;
import dev.hypha.ml.tensor.WeightMatrix;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A LoRA adapter in llama.cpp's GGUF format, checked against the model it adapts and applied at inference the way
 * llama.cpp's {@code build_lora_mm} applies it: {@code y = W·x + scale·(B·(A·x))} with {@code scale = alpha / rank}
 * (1 when the file has no alpha). The base weights are untouched, so a quantized base keeps its kernels.
 *
 * <p>The format (llama.cpp's {@code convert_lora_to_gguf.py} and {@code llama-adapter.cpp}): {@code general.type =
 * "adapter"}, {@code adapter.type = "lora"}, {@code adapter.lora.alpha} (float32), {@code general.architecture} equal
 * to the base's; for an adapted weight {@code W} of GGUF shape [in, out], tensors {@code W.lora_a} of shape [in, r]
 * and {@code W.lora_b} of shape [r, out] (row-major A [r][in] and B [out][r], as peft stores them).
 *
 * <p>Adapter files are outside input: every tensor must pair up, name one of the seven block projections of a block
 * the base has, and have the shapes above, or loading fails with an error naming the file and the tensor. The
 * tensors stay views of the adapter's mapping, which must stay open while the model is used.
 */
public final class LoraAdapter {
    public static final String GENERAL_TYPE = "general.type";
    public static final String ADAPTER_TYPE = "adapter.type";
    public static final String ALPHA = "adapter.lora.alpha";
    public static final String SUFFIX_A = ".lora_a";
    public static final String SUFFIX_B = ".lora_b";

    /** One adapted weight: A [r rows of in], B [out rows of r] and the factor of their product. */
    public record Pair(String weightName, WeightMatrix a, WeightMatrix b, float scale) {
        public int rank() {
            return a.rows();
        }
    }

    private final String source;
    private final float alpha;
    private final Pair[][] pairs; // [layer][target]
    private final Map<String, Pair> byName;

    private LoraAdapter(String source, float alpha, Pair[][] pairs, Map<String, Pair> byName) {
        this.source = source;
        this.alpha = alpha;
        this.pairs = pairs;
        this.byName = byName;
    }

    /**
     * Reads and checks {@code file} against a base of configuration {@code base}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong
     */
    public static LoraAdapter load(GgufFile file, ModelConfig base) {
        String source = file.path() == null ? "LoRA adapter" : "LoRA adapter " + file.path().getFileName();
        String type = file.string(GENERAL_TYPE).orElse("");
        if (!type.equals("adapter")) {
            throw bad(source, "has general.type '" + type + "'; a LoRA adapter has 'adapter' (is this a model rather than an adapter?)");
        }
        String adapterType = file.string(ADAPTER_TYPE).orElse("");
        if (!adapterType.equals("lora")) {
            throw bad(source, "has adapter.type '" + adapterType + "'; only 'lora' adapters are supported");
        }
        String arch = file.string("general.architecture").orElse("");
        if (!arch.equals(base.architecture().ggufName())) {
            throw bad(source, "is for architecture '" + arch + "', the base model is '" + base.architecture().ggufName() + "'");
        }
        float alpha = 0f;
        Optional<GgufValue> alphaValue = file.value(ALPHA);
        if (alphaValue.isPresent()) {
            if (!(alphaValue.get() instanceof GgufValue.Float32 f)) {
                throw bad(source, "stores " + ALPHA + " as " + alphaValue.get().getClass().getSimpleName() + "; llama.cpp reads a float32");
            }
            alpha = f.value();
            if (!(alpha >= 0) || !Float.isFinite(alpha)) {
                throw bad(source, "has " + ALPHA + " " + alpha + "; it must be a finite number, at least 0");
            }
        }
        Map<String, GgufTensor[]> halves = new TreeMap<>();
        for (GgufTensor t : file.tensors()) {
            String name = t.name();
            int half = name.endsWith(SUFFIX_A) ? 0 : name.endsWith(SUFFIX_B) ? 1 : -1;
            if (half < 0) {
                throw bad(source, "has tensor '" + name + "'; an adapter holds only <weight>" + SUFFIX_A + " and <weight>" + SUFFIX_B + " tensors");
            }
            String weight = name.substring(0, name.length() - SUFFIX_A.length());
            halves.computeIfAbsent(weight, k -> new GgufTensor[2])[half] = t;
        }
        if (halves.isEmpty()) {
            throw bad(source, "has no tensors");
        }
        Pair[][] pairs = new Pair[base.layers()][LoraTarget.values().length];
        Map<String, Pair> byName = new HashMap<>();
        for (Map.Entry<String, GgufTensor[]> e : halves.entrySet()) {
            String weight = e.getKey();
            GgufTensor a = e.getValue()[0];
            GgufTensor b = e.getValue()[1];
            if (a == null || b == null) {
                throw bad(source, "has '" + weight + (a == null ? SUFFIX_B : SUFFIX_A) + "' without '" + weight
                        + (a == null ? SUFFIX_A : SUFFIX_B) + "'");
            }
            LoraTarget.Located at = LoraTarget.locate(weight).filter(l -> l.layer() < base.layers()).orElseThrow(() -> bad(source,
                    "adapts '" + weight + "', which is not a projection of the base model (blk.0-" + (base.layers() - 1)
                            + ".{attn_q,attn_k,attn_v,attn_output,ffn_gate,ffn_up,ffn_down}.weight; maybe the wrong base model?)"));
            if (base.isMixtureOfExperts() && (at.target() == LoraTarget.GATE || at.target() == LoraTarget.UP
                    || at.target() == LoraTarget.DOWN)) {
                // the block has no dense FFN: its experts (ffn_*_exps) are not adapted, and ignoring the pair would be silent
                throw bad(source, "adapts '" + weight + "', but the base model's FFNs are routed experts; only the "
                        + "attention projections of a mixture-of-experts model can be adapted");
            }
            int in = inputs(at.target(), base);
            int out = outputs(at.target(), base);
            long[] sa = a.shape();
            long[] sb = b.shape();
            if (sa.length != 2 || sb.length != 2) {
                throw bad(source, "tensor '" + a.name() + "' or '" + b.name() + "' is not 2-dimensional");
            }
            if (sa[0] != in) {
                throw bad(source, "tensor '" + a.name() + "' has shape " + shape(sa) + "; for '" + weight + "' (" + in + " inputs) it must be ["
                        + in + ", rank] (maybe A and B are swapped, or the wrong base model)");
            }
            if (sb[1] != out) {
                throw bad(source, "tensor '" + b.name() + "' has shape " + shape(sb) + "; for '" + weight + "' (" + out + " outputs) it must be "
                        + "[rank, " + out + "] (maybe A and B are swapped, or the wrong base model)");
            }
            if (sa[1] != sb[0]) {
                throw bad(source, "rank mismatch for '" + weight + "': " + a.name() + " has rank " + sa[1] + ", " + b.name() + " has rank " + sb[0]);
            }
            if (sa[1] < 1 || sa[1] > Math.min(in, out)) {
                throw bad(source, "'" + weight + "' has rank " + sa[1] + "; it must be between 1 and " + Math.min(in, out));
            }
            int rank = (int) sa[1];
            WeightMatrix ma;
            WeightMatrix mb;
            try {
                ma = new WeightMatrix(a.name(), a.type(), rank, in, a.data());
                mb = new WeightMatrix(b.name(), b.type(), out, rank, b.data());
            } catch (IllegalArgumentException | UnsupportedOperationException ex) {
                throw bad(source, ex.getMessage());
            }
            // llama.cpp: adapter_scale * alpha / rank, or adapter_scale when alpha is 0 (adapter_scale 1 here)
            float scale = alpha == 0f ? 1f : 1f * alpha / (float) rank;
            Pair p = new Pair(weight, ma, mb, scale);
            pairs[at.layer()][at.target().ordinal()] = p;
            byName.put(weight, p);
        }
        return new LoraAdapter(source, alpha, pairs, byName);
    }

    private static int inputs(LoraTarget t, ModelConfig c) {
        return switch (t) {
            case Q, K, V, GATE, UP -> c.dim();
            case O -> c.qDim();
            case DOWN -> c.ffnDim();
        };
    }

    private static int outputs(LoraTarget t, ModelConfig c) {
        return switch (t) {
            case Q -> c.qDim();
            case K, V -> c.kvDim();
            case O, DOWN -> c.dim();
            case GATE, UP -> c.ffnDim();
        };
    }

    private static String shape(long[] s) {
        return java.util.Arrays.toString(s);
    }

    private static IllegalArgumentException bad(String source, String problem) {
        return new IllegalArgumentException(source + " " + problem);
    }

    /** {@code adapter.lora.alpha} (0 when absent: the product is then added unscaled, as in llama.cpp). */
    public float alpha() {
        return alpha;
    }

    /** The adapted weights by GGUF name. */
    public Map<String, Pair> pairs() {
        return java.util.Collections.unmodifiableMap(byName);
    }

    /** The pair adapting {@code target} of block {@code layer}, or null. */
    public Pair pair(int layer, LoraTarget target) {
        return pairs[layer][target.ordinal()];
    }

    /** Working arrays of one session (sessions of a model may run one after another, each with its own). */
    public Scratch scratch(int batch) {
        return new Scratch(batch);
    }

    /**
     * Adds {@code scale·B·(A·x)} to {@code out} for the first {@code n} tokens of {@code in}, if this adapter adapts
     * {@code target} of block {@code layer}. The two products run on {@code mm}'s threads with its kernels.
     */
    public void apply(MatMul mm, int layer, LoraTarget target, ActivationBatch in, int n, float[][] out, Scratch scratch) {
        Pair p = pairs[layer][target.ordinal()];
        if (p == null) {
            return;
        }
        float[][] u = scratch.u(p.rank());
        mm.multiply(p.a(), in, u);
        ActivationBatch low = scratch.low(p.rank());
        for (int t = 0; t < n; t++) {
            System.arraycopy(u[t], 0, low.row(t), 0, p.rank());
        }
        low.updated(n);
        float[][] v = scratch.v(p.b().rows());
        mm.multiply(p.b(), low, v);
        float scale = p.scale();
        for (int t = 0; t < n; t++) {
            float[] o = out[t];
            float[] d = v[t];
            for (int i = 0; i < p.b().rows(); i++) {
                o[i] += scale * d[i];
            }
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: %d adapted weights, alpha %s", source, byName.size(), alpha);
    }

    /** Per-session working arrays, by size. */
    public static final class Scratch {
        private final int batch;
        private final Map<Integer, float[][]> rows = new HashMap<>();
        private final Map<Integer, ActivationBatch> batches = new HashMap<>();

        private Scratch(int batch) {
            this.batch = batch;
        }

        float[][] u(int rank) {
            return rows.computeIfAbsent(-rank, k -> new float[batch][rank]);
        }

        float[][] v(int outputs) {
            return rows.computeIfAbsent(outputs, k -> new float[batch][outputs]);
        }

        ActivationBatch low(int rank) {
            return batches.computeIfAbsent(rank, k -> new ActivationBatch(batch, rank));
        }
    }
}

package dev.hypha.ml.train;

import dev.hypha.ml.gguf.GgufWriter;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.LoraAdapter;
import dev.hypha.ml.llm.LoraTarget;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.tensor.TensorCodec;
import java.nio.file.Path;

/**
 * Writes {@link LoraWeights} as a GGUF LoRA adapter in llama.cpp's format (see {@link LoraAdapter}): F32 tensors
 * {@code W.lora_a} [in, r] and {@code W.lora_b} [r, out] in GGUF order, which are peft's row-major A and B as they are.
 * The write is atomic (temp file, then rename).
 */
public final class LoraAdapterGguf {
    /** Which projections were trained, as {@code q,v}: for people reading the file (llama.cpp ignores it). */
    public static final String TARGETS = "hypha.lora.targets";

    private LoraAdapterGguf() {}

    public static void write(LoraWeights adapter, Architecture architecture, String name, Path path) {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", architecture.ggufName());
        w.putString(LoraAdapter.GENERAL_TYPE, "adapter");
        w.putString("general.name", name);
        w.putString(LoraAdapter.ADAPTER_TYPE, "lora");
        w.putFloat32(LoraAdapter.ALPHA, adapter.settings().alpha());
        w.putString(TARGETS, LoraTarget.format(adapter.settings().targets()));
        adapter.pairs().forEach((weight, p) -> {
            Tensor a = p.a();
            Tensor b = p.b();
            w.addTensor(weight + LoraAdapter.SUFFIX_A, GgmlType.F32, new long[] {a.dim(1), a.dim(0)}, TensorCodec.quantize(GgmlType.F32, a.data(), 0, a.size()));
            w.addTensor(weight + LoraAdapter.SUFFIX_B, GgmlType.F32, new long[] {b.dim(1), b.dim(0)}, TensorCodec.quantize(GgmlType.F32, b.data(), 0, b.size()));
        });
        w.write(path);
    }
}

package dev.hypha.ml.train.run;

import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.gguf.GgufFormatException;
import dev.hypha.ml.gguf.GgufTensor;
import dev.hypha.ml.gguf.GgufWriter;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.train.Layer;
import dev.hypha.ml.train.LayerSyntax;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Trained models and checkpoints as GGUF files (architecture {@code hypha-classifier}): the layers as text lines,
 * the input shape, every parameter as a 1-D F32 tensor, and for checkpoints the optimizer state, the number of steps
 * done and the id of the spec they belong to. GGUF because hypha-ml's reader already checks hostile files
 * (bounds, alignment, overflow) and the format carries typed metadata.
 */
public final class ModelFile {
    private ModelFile() {}

    public static final String ARCHITECTURE = "hypha-classifier";

    /** A parsed model or checkpoint; {@code optimizerState} is empty for a plain model. */
    public record Contents(Network network, long step, String specId, List<float[]> optimizerState) {}

    public static byte[] encode(Network network, long step, String specId, List<String> stateNames, List<float[]> state) {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", ARCHITECTURE);
        w.putStrings("hypha.layers", network.layers().stream().map(Layer::describe).toList());
        w.putInts("hypha.input_shape", network.inputShape());
        w.putUInt64("hypha.train.step", step);
        w.putString("hypha.train.spec", specId);
        List<Tensor> params = network.parameters();
        for (int i = 0; i < params.size(); i++) {
            add(w, network.parameterNames().get(i), params.get(i).data());
        }
        for (int i = 0; i < state.size(); i++) {
            add(w, "optimizer." + stateNames.get(i), state.get(i));
        }
        return w.toByteArray();
    }

    private static void add(GgufWriter w, String name, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        w.addTensor(name, GgmlType.F32, new long[] {values.length}, b.array());
    }

    /** The largest layer count a model file may declare (as in specs). */
    private static final int MAX_LAYERS = 256;

    /**
     * Reads a model or checkpoint. Files come from other peers, so any defect (not GGUF, wrong architecture, layer
     * lines that do not parse or do not fit together, missing or mis-sized tensors) is an INPUT error naming the
     * source; nothing is allocated beyond what the file itself holds.
     */
    public static Contents decode(String source, byte[] bytes) {
        try {
            GgufFile file = GgufFile.parse(bytes, source);
            if (!ARCHITECTURE.equals(file.string("general.architecture").orElse(""))) {
                throw error(source, "is not a Hypha classifier (general.architecture must be " + ARCHITECTURE + ")");
            }
            List<String> lines = file.strings("hypha.layers").orElseThrow(() -> error(source, "has no hypha.layers"));
            int[] input = file.ints("hypha.input_shape").orElseThrow(() -> error(source, "has no hypha.input_shape"));
            long step = file.integer("hypha.train.step").orElse(0L);
            String specId = file.string("hypha.train.spec").orElse("");
            if (lines.isEmpty() || lines.size() > MAX_LAYERS) {
                throw error(source, "must have 1 to " + MAX_LAYERS + " layers, has " + lines.size());
            }
            if (input.length < 1 || input.length > 3) {
                throw error(source, "hypha.input_shape must have 1 to 3 dimensions");
            }
            List<Layer> layers = new ArrayList<>();
            for (String l : lines) {
                layers.add(LayerSyntax.parse(l));
            }
            List<float[]> values = new ArrayList<>();
            for (String name : Network.parameterNames(layers)) {
                values.add(floats(source, file.tensor(name).orElseThrow(() -> error(source, "has no tensor " + name))));
            }
            List<float[]> state = new ArrayList<>();
            for (GgufTensor t : file.tensors()) {
                if (t.name().startsWith("optimizer.")) {
                    state.add(floats(source, t));
                }
            }
            return new Contents(Network.withParameters(layers, input, values), step, specId, state);
        } catch (GgufFormatException | IllegalArgumentException | IllegalStateException e) {
            throw error(source, "is invalid: " + e.getMessage());
        }
    }

    private static float[] floats(String source, GgufTensor t) {
        if (t.type() != GgmlType.F32 || t.shape().length != 1) {
            throw error(source, "tensor " + t.name() + " must be 1-D F32");
        }
        return t.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    /** SHA-256 of every parameter's little-endian float bits in name order: the fingerprint determinism tests compare. */
    public static String weightsDigest(Network network) {
        var sha = Hashes.newSha256();
        for (Tensor t : network.parameters()) {
            ByteBuffer b = ByteBuffer.allocate(t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(t.data());
            sha.update(b.array());
        }
        return java.util.HexFormat.of().formatHex(sha.digest());
    }

    private static HyphaException error(String source, String what) {
        return new HyphaException(ErrorCategory.INPUT, "model " + source + " " + what);
    }
}

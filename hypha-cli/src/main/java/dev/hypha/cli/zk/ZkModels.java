package dev.hypha.cli.zk;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.Layer;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.int8.CnnQuantizer;
import dev.hypha.ml.train.int8.MlpQuantizer;
import dev.hypha.ml.train.run.ModelFile;
import dev.hypha.ml.train.run.Trainer;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.zk.cnn.Int8CnnFile;
import dev.hypha.zk.mlp.Int8MlpFile;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The int8 models proofs are about, in the content store: a trained (float) model is quantized once, with a fixed
 * calibration (the first {@link #CALIBRATION_IMAGES} images of a dataset's train split), and the resulting
 * {@link Int8MlpFile} (or, for a network with conv layers, {@link Int8CnnFile}) stored as a blob under
 * {@code refs/zk-models/<name>}. Its content id is the model id a proof binds; the file names the float model's id
 * and the calibration, so that id pins them too.
 */
public final class ZkModels {
    public static final String REF_KIND = "zk-models";
    public static final int CALIBRATION_IMAGES = 1000;
    static final byte[] INT8_MAGIC = "HYPHA-I8".getBytes(StandardCharsets.US_ASCII);

    private final ContentStore store;

    public ZkModels(ContentStore store) {
        this.store = store;
    }

    /**
     * A resolved int8 model: its id, its file (an MLP's {@code file} or a CNN's {@code cnn}, the other null), and
     * whether this call quantized it.
     */
    public record Resolved(ContentId id, Int8MlpFile file, Int8CnnFile cnn, boolean quantizedNow) {
        public boolean isCnn() {
            return cnn != null;
        }

        public int inputSize() {
            return isCnn() ? cnn.model().inputSize() : file.model().inputSize();
        }

        public String source() {
            return isCnn() ? cnn.source() : file.source();
        }

        public String calibration() {
            return isCnn() ? cnn.calibration() : file.calibration();
        }
    }

    /**
     * MODEL as given to {@code hypha zk prove}: an int8 model's content id, a trained model's content id, or a trained
     * model's name. A trained model is quantized (with {@code calibration}, a dataset name or id) unless the stored int8
     * model for that name was made from exactly this trained model.
     */
    public Resolved forProving(String model, String calibration) {
        if (model.startsWith("baf")) {
            ContentId id = parse(model);
            byte[] bytes = store.get(id);
            if (isInt8(bytes)) {
                return resolved(id, bytes, false);
            }
            return quantize(id, bytes, calibration, Optional.empty());
        }
        if (!ContentStore.validName(model)) {
            throw HyphaException.input("'" + model + "' is neither a model name nor a content id");
        }
        ContentId trained = store.ref(Trainer.MODELS, model).orElse(null);
        Optional<ContentId> existing = store.ref(REF_KIND, model);
        if (existing.isPresent()) {
            Resolved stored = resolved(existing.get(), store.get(existing.get()), false);
            if (trained == null || stored.source().equals(trained.toString())) {
                return stored;
            }
        }
        if (trained == null) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no trained model named '" + model
                    + "'; train one with: hypha train SPEC.toml");
        }
        return quantize(trained, store.get(trained), calibration, Optional.of(model));
    }

    /**
     * The int8 model a verifier checks a proof against: an int8 model's content id, or the name a prove stored it
     * under.
     */
    public Resolved forVerifying(String model) {
        ContentId id;
        if (model.startsWith("baf")) {
            id = parse(model);
        } else if (ContentStore.validName(model)) {
            id = store.ref(REF_KIND, model).orElseThrow(() -> new HyphaException(ErrorCategory.NOT_FOUND,
                    "no int8 model named '" + model + "' (hypha zk prove stores one per trained model)"));
        } else {
            throw HyphaException.input("'" + model + "' is neither a model name nor a content id");
        }
        if (!store.contains(id)) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "model " + id + " is not in this content store, so the "
                    + "proof's weight commitment cannot be checked against it; copy the model's blob here first");
        }
        byte[] bytes = store.get(id);
        if (!isInt8(bytes)) {
            throw HyphaException.input("model " + id + " is not an int8 model (a proof names the int8 model it ran; "
                    + "hypha zk prove prints its id)");
        }
        return resolved(id, bytes, false);
    }

    private Resolved quantize(ContentId trained, byte[] bytes, String calibration, Optional<String> name) {
        ModelFile.Contents contents = ModelFile.decode(trained.toString(), bytes);
        DatasetStore datasets = new DatasetStore(store);
        ContentId datasetId = datasets.resolve(calibration);
        ImageSplit split = datasets.load(datasetId, "train");
        int images = Math.min(CALIBRATION_IMAGES, split.count());
        int size = split.height() * split.width();
        byte[] pixels = Arrays.copyOf(split.pixels(), images * size);
        byte[] encoded;
        try {
            String source = trained.toString();
            String cal = datasetId + ":train[0:" + images + "]";
            boolean cnn = contents.network().layers().stream().anyMatch(l -> l instanceof Layer.Conv2d);
            encoded = cnn
                    ? new Int8CnnFile(QuantizedCnns.toCircuit(CnnQuantizer.quantize(contents.network(), pixels)), source,
                            cal).encode()
                    : new Int8MlpFile(QuantizedMlps.toCircuit(MlpQuantizer.quantize(contents.network(), pixels)), source,
                            cal).encode();
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("model " + trained + " cannot be proved: " + e.getMessage(), e);
        }
        ContentId id = store.put(encoded);
        name.ifPresent(n -> store.setRef(REF_KIND, n, id));
        return resolved(id, encoded, true);
    }

    static boolean isInt8(byte[] bytes) {
        return Int8CnnFile.isCnn(bytes) || bytes.length >= INT8_MAGIC.length && Arrays.equals(bytes, 0, INT8_MAGIC.length,
                INT8_MAGIC, 0, INT8_MAGIC.length);
    }

    private static Resolved resolved(ContentId id, byte[] bytes, boolean quantizedNow) {
        try {
            return Int8CnnFile.isCnn(bytes) ? new Resolved(id, null, Int8CnnFile.decode(bytes), quantizedNow)
                    : new Resolved(id, Int8MlpFile.decode(bytes), null, quantizedNow);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("int8 model " + id + " is malformed: " + e.getMessage(), e);
        }
    }

    private static ContentId parse(String text) {
        try {
            return ContentId.parse(text);
        } catch (RuntimeException e) {
            throw HyphaException.input("'" + text + "' is not a valid content id: " + e.getMessage());
        }
    }
}

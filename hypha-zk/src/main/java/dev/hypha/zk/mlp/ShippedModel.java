package dev.hypha.zk.mlp;

import dev.hypha.core.cid.ContentIds;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * An int8 model that ships inside hypha (a resource of this module): the Fashion-MNIST MLP of
 * examples/fashion-mnist-mlp.toml, trained and quantized once (models/fashion-mnist-mlp-int8/README.md says how), so
 * `hypha up` can pin a proven feed to it and `hypha zk feed post` can prove with it without training first. Its model
 * id is the content id of the {@link Int8MlpFile} bytes, exactly what `hypha zk prove` binds for the same file; its
 * weight root is recomputed from the weights ({@link MlpTables#modelCommitment}), never stored.
 */
public final class ShippedModel {
    /** The Fashion-MNIST classes, in label order. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    private static final String FASHION_MNIST_RESOURCE = "/dev/hypha/zk/models/fashion-mnist-mlp.i8";

    private final String name;
    private final byte[] bytes;
    private final Int8MlpFile file;
    private final String id;
    private byte[] root;

    private ShippedModel(String name, byte[] bytes) {
        this.name = name;
        this.bytes = bytes;
        this.file = Int8MlpFile.decode(bytes);
        this.id = ContentIds.of(bytes).toString();
    }

    /** The Fashion-MNIST MLP (784 → 256 → 10, ReLU), int8. */
    public static ShippedModel fashionMnist() {
        try (InputStream in = ShippedModel.class.getResourceAsStream(FASHION_MNIST_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the shipped model " + FASHION_MNIST_RESOURCE + " is missing from the build");
            }
            return new ShippedModel("fashion-mnist-mlp", in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shipped model " + FASHION_MNIST_RESOURCE, e);
        }
    }

    /** The name it ships under, also the name of its proven feed. */
    public String name() {
        return name;
    }

    /** The int8 model file's bytes (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    public Int8MlpFile file() {
        return file;
    }

    /** The model id proofs bind: the content id of the file. */
    public String id() {
        return id;
    }

    /** The weight commitment's root (computed once, about 0.1–0.3 s). */
    public synchronized byte[] root() {
        if (root == null) {
            root = MlpTables.modelCommitment(file.model()).root();
        }
        return root.clone();
    }

    /** The class's name, or its number when the model has other classes. */
    public static String className(int predictedClass) {
        return predictedClass >= 0 && predictedClass < FASHION_MNIST_CLASSES.size()
                ? FASHION_MNIST_CLASSES.get(predictedClass) : "class " + predictedClass;
    }
}

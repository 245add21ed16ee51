package dev.hypha.node.compute;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * The training specs every node knows by name: the repository's {@code examples/fashion-mnist-*.toml}, copied into
 * the jar by the build (one copy, in examples/), so the dashboard can order them without a file. They train on
 * Debian's Fashion-MNIST, which {@code hypha dataset import fashion-mnist} puts in the home's store.
 */
public final class BuiltinJobSpecs {
    /** The names, in the order a page lists them. */
    public static final List<String> NAMES = List.of("fashion-mnist-mlp", "fashion-mnist-cnn");

    private BuiltinJobSpecs() {
    }

    /** The spec's bytes, or empty for a name that is not built in. */
    public static Optional<byte[]> bytes(String name) {
        if (!NAMES.contains(name)) {
            return Optional.empty();
        }
        try (InputStream in = BuiltinJobSpecs.class.getResourceAsStream("specs/" + name + ".toml")) {
            if (in == null) {
                throw new IllegalStateException("the built-in spec " + name + " is missing from the build (hypha-node's"
                        + " pom copies examples/" + name + ".toml)");
            }
            return Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in spec " + name, e);
        }
    }
}

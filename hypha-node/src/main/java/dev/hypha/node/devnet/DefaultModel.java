package dev.hypha.node.devnet;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;

/**
 * hypha-tiny, the chat model Hypha trains and ships (a classpath resource), imported into the store on the first start
 * of {@code hypha up} so a fresh home answers at once. Only once per home: a marker under {@code <home>/devnet} records
 * it, so a user who removes the model does not get it back on the next start.
 */
public final class DefaultModel {
    /** Its name in the store. */
    public static final String NAME = "hypha-tiny";
    private static final String RESOURCE = "hypha-tiny.gguf";
    private static final String MARKER = "hypha-tiny.imported";

    private DefaultModel() {}

    /**
     * Imports hypha-tiny into {@code store} unless this was done before for {@code devnetDir} (its marker), e.g. the
     * home of a local network's subnet validator, which replays the providers' answers on it.
     */
    public static void importOnce(ModelStore store, Path devnetDir, Consumer<String> progress) {
        Path marker = devnetDir.resolve(MARKER);
        if (Files.exists(marker)) {
            return;
        }
        ModelName name = ModelName.parse(NAME);
        try {
            Files.createDirectories(devnetDir);
            if (store.find(name).isEmpty()) {
                Path file = Files.createTempFile(devnetDir, "hypha-tiny", ".gguf");
                try (InputStream in = DefaultModel.class.getResourceAsStream(RESOURCE)) {
                    if (in == null) {
                        throw HyphaException.io("the build lacks its " + RESOURCE + " resource", null);
                    }
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                    progress.accept("Importing hypha-tiny, Hypha's own chat model, into the store (first start)...");
                    store.importModel(file, name, (done, total) -> { });
                } finally {
                    Files.deleteIfExists(file);
                }
            }
            Files.writeString(marker, "imported\n");
        } catch (IOException e) {
            throw HyphaException.io("cannot import hypha-tiny under " + devnetDir + ": " + e.getMessage(), e);
        }
    }
}

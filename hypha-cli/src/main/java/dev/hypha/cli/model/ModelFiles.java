package dev.hypha.cli.model;

import dev.hypha.core.signing.ModelSignatures.ModelFile;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of a stored model as a signed manifest names them: {@code model.<format>} (the weights blob) and, for a
 * model made with an adapter, {@code adapter.gguf}. Role names rather than the files' original names, so a manifest
 * signed on the publisher's machine verifies against the same model pulled elsewhere.
 */
final class ModelFiles {
    private ModelFiles() {}

    /**
     * @param checked whether the blobs are checked against their content ids first (signing never signs a damaged
     *     file); verifying a signature reads them as they are, so the signature check itself reports a change
     */
    static List<ModelFile> of(ModelStore store, ModelName name, boolean checked) {
        ModelManifest manifest = store.show(name);
        List<ModelFile> files = new ArrayList<>();
        files.add(new ModelFile("model." + manifest.format(), checked ? store.resolveVerified(name) : store.resolve(name)));
        if (manifest.adapter().isPresent()) {
            files.add(new ModelFile("adapter.gguf", checked ? store.resolveAdapterVerified(name).orElseThrow()
                    : store.blobPath(manifest.adapter().get().cid())));
        }
        return files;
    }
}

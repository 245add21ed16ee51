package dev.hypha.node.coordinator;

import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.ModelInfo;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which model a request's digest names among those the backend serves: requests name models by the sha2-256 digest in
 * their content id's multihash (what receipts and offers use), the backend by name. Read from the backend on each
 * lookup of an unknown digest, so models added while running are found.
 */
final class ServedModels {
    private static final Logger LOG = LoggerFactory.getLogger(ServedModels.class);

    private final InferenceBackend backend;
    private final Map<String, String> nameByDigest = new HashMap<>();

    ServedModels(InferenceBackend backend) {
        this.backend = backend;
    }

    /** The name of the served model whose content-id digest is {@code digest} (0x + 64 hex), if any. */
    synchronized Optional<String> nameOf(String digest) {
        String name = nameByDigest.get(digest);
        if (name == null) {
            refresh();
            name = nameByDigest.get(digest);
        }
        return Optional.ofNullable(name);
    }

    private void refresh() {
        nameByDigest.clear();
        for (ModelInfo m : backend.models()) {
            try {
                nameByDigest.put(m.digestHex(), m.name());
            } catch (RuntimeException e) {
                LOG.warn("model {} has no usable content id ({}); contracts cannot ask for it", m.name(), e.getMessage());
            }
        }
    }
}

package dev.hypha.node.compute;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Compute-to-data's seam in the job runner: opens a sealed asset for one leased job, its plaintext written inside the
 * job's folder only. Implemented by {@code node.data} (which takes the key the owner released to this provider), so
 * this package does not depend on it.
 */
@FunctionalInterface
public interface SealedInputs {
    /** A provider without an account key for data: any sealed input is refused. */
    SealedInputs NONE = (asset, order, sources, folder, name, max) -> {
        throw HyphaException.input("this job's data is sealed asset #" + asset + ", and this provider was started without"
                + " compute-to-data (it needs its account key: `hypha compute offer`)");
    };

    /** The opened plaintext; closing deletes it (and anything else of the data in the job's folder). */
    interface Opened extends AutoCloseable {
        Path file();

        ContentId plaintext();

        @Override
        void close();
    }

    /**
     * Opens {@code assetId} for order {@code orderId} into {@code jobFolder}/{@code fileName}, fetching the ciphertext
     * from {@code sources} (in order) and refusing plaintext larger than {@code maxBytes}.
     */
    Opened open(long assetId, BigInteger orderId, List<URI> sources, Path jobFolder, String fileName, long maxBytes);
}

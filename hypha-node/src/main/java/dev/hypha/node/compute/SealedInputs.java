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
    SealedInputs NONE = (asset, order, sources, folder, name, max, job) -> {
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
     * The job an input is opened for, as seen while the input waits (for its owner's key, released by hand after the
     * lease began): the tenant reads what it is waiting for in the job's log, and the wait ends when the job is stopped.
     */
    interface WaitingJob {
        /** Appends a line to the job's log (what the tenant's `hypha train logs` shows). */
        void log(String line);

        /** Throws, ending the wait and the job, once the job was asked to stop (lease closed, provider stopping). */
        void checkStop();
    }

    /**
     * Opens {@code assetId} for order {@code orderId} into {@code jobFolder}/{@code fileName}, fetching the ciphertext
     * from {@code sources} (in order) and refusing plaintext larger than {@code maxBytes}; it may wait (bounded) for
     * what the job needs, telling {@code job}'s log and stopping when {@code job} is stopped.
     */
    Opened open(long assetId, BigInteger orderId, List<URI> sources, Path jobFolder, String fileName, long maxBytes,
                WaitingJob job);
}

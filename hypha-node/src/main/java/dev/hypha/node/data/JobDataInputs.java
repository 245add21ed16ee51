package dev.hypha.node.data;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.compute.SealedInputs;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link SealedInputs} for a provider's job runner: {@link JobData} tried against each of the job's sources in turn
 * (the tenant's server usually lacks the ciphertext; the owner's node has it), stopping at the first that has it.
 */
public final class JobDataInputs implements SealedInputs {
    private final JobData data;

    public JobDataInputs(JobData data) {
        this.data = Objects.requireNonNull(data, "data");
    }

    @Override
    public Opened open(long assetId, BigInteger orderId, List<URI> sources, Path jobFolder, String fileName, long maxBytes) {
        if (sources.isEmpty()) {
            throw HyphaException.input("the job names no source to fetch sealed asset #" + assetId + " from");
        }
        HyphaException last = null;
        for (URI source : sources) {
            try {
                JobData.Opened o = data.open(assetId, orderId, Optional.of(source), jobFolder, fileName, maxBytes);
                return new Opened() {
                    @Override
                    public Path file() {
                        return o.file();
                    }

                    @Override
                    public ContentId plaintext() {
                        return o.plaintext();
                    }

                    @Override
                    public void close() {
                        o.close();
                    }
                };
            } catch (HyphaException e) {
                if (e.category() != ErrorCategory.NOT_FOUND && e.category() != ErrorCategory.NETWORK) {
                    throw e; // refused or tampered: not a matter of where it was fetched from
                }
                last = e;
            }
        }
        throw last;
    }
}

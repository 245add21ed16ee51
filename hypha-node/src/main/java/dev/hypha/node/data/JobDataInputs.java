package dev.hypha.node.data;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.compute.SealedInputs;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link SealedInputs} for a provider's job runner: {@link JobData} tried against each of the job's sources in turn
 * (the tenant's server usually lacks the ciphertext; the owner's node has it), stopping at the first that has it.
 *
 * <p>An owner who releases keys by hand can do so only once the lease exists (the key goes to the leaseholder), so a
 * job whose key is not released yet waits for it, up to {@link KeyWait#bound()}, looking every {@link KeyWait#poll()}:
 * the job's log tells the tenant what to ask the owner to run (with this provider's card), and the wait ends early
 * when the job is stopped (its lease closed, the provider stopping). It runs on the job's own thread, so other jobs go
 * on meanwhile.
 */
public final class JobDataInputs implements SealedInputs {
    /** How a waiting job's log lines begin (the tenant's `hypha train submit` looks for it). */
    public static final String WAITING = "waiting for the owner of asset #";
    /** How often a waiting job checks whether it was stopped (the chain is polled less often). */
    private static final Duration STOP_CHECK = Duration.ofMillis(100);

    private final JobData data;
    private final KeyWait wait;

    public JobDataInputs(JobData data, KeyWait wait) {
        this.data = Objects.requireNonNull(data, "data");
        this.wait = Objects.requireNonNull(wait, "wait");
    }

    @Override
    public Opened open(long assetId, BigInteger orderId, List<URI> sources, Path jobFolder, String fileName, long maxBytes,
                       WaitingJob job) {
        if (sources.isEmpty()) {
            throw HyphaException.input("the job names no source to fetch sealed asset #" + assetId + " from");
        }
        long start = System.nanoTime();
        long nextLog = start;
        while (true) {
            try {
                return openFromAny(assetId, orderId, sources, jobFolder, fileName, maxBytes);
            } catch (JobData.KeyNotReleased e) {
                Duration waited = Duration.ofNanos(System.nanoTime() - start);
                if (waited.compareTo(wait.bound()) >= 0) {
                    throw HyphaException.input(e.getMessage() + "; gave up after waiting " + wait.amount(wait.bound())
                            + " for it");
                }
                if (System.nanoTime() - nextLog >= 0) {
                    job.log(WAITING + assetId + " to release its key for order " + orderId
                            + " (`hypha data release " + assetId + " --order " + orderId + " --key " + data.card().text()
                            + "`), " + wait.progress(waited));
                    nextLog += wait.logEvery().toNanos();
                }
                sleep(job, Duration.ofNanos(Math.min(wait.poll().toNanos(), wait.bound().minus(waited).toNanos())));
            }
        }
    }

    /** Sleeps {@code d}, checking every {@link #STOP_CHECK} whether the job was stopped (which throws out of the wait). */
    private static void sleep(WaitingJob job, Duration d) {
        long end = System.nanoTime() + d.toNanos();
        for (long left = d.toNanos(); left > 0; left = end - System.nanoTime()) {
            job.checkStop();
            try {
                Thread.sleep(Duration.ofNanos(Math.min(left, STOP_CHECK.toNanos())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                job.checkStop();
                throw HyphaException.input("interrupted while waiting for the key of a sealed input");
            }
        }
        job.checkStop();
    }

    private SealedInputs.Opened openFromAny(long assetId, BigInteger orderId, List<URI> sources, Path jobFolder,
                                            String fileName, long maxBytes) {
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
                    throw e; // refused or tampered (or the key not released yet): not a matter of where it came from
                }
                last = e;
            }
        }
        throw last;
    }
}

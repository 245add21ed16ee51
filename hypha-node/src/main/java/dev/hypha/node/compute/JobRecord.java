package dev.hypha.node.compute;

import java.math.BigInteger;
import java.util.List;

/**
 * A provider's record of one job, kept on disk by {@link JobBook} so a restarted provider knows its bids and leases.
 *
 * @param sources     where the tenant said the inputs are (empty until the hand-off)
 * @param step        steps done at the last report
 * @param steps       the spec's steps (0 before the spec is read)
 * @param loss        the last step's loss (NaN before any)
 * @param result      the trained model's content id, once DONE
 * @param message     why it stopped or failed
 * @param leaseClosed whether this provider no longer has a lease to close (it closed it, or it was closed)
 */
public record JobRecord(BigInteger orderId, JobState state, List<String> sources, long step, long steps, double loss,
                        String result, String message, boolean leaseClosed) {
    public JobRecord {
        sources = List.copyOf(sources);
        message = message == null ? "" : message;
        result = result == null ? "" : result;
    }

    /** A new bid. */
    public static JobRecord bid(BigInteger orderId) {
        return new JobRecord(orderId, JobState.BID, List.of(), 0, 0, Double.NaN, "", "", false);
    }

    public JobRecord withState(JobState s, String why) {
        return new JobRecord(orderId, s, sources, step, steps, loss, result, why, leaseClosed);
    }

    public JobRecord withSources(List<String> s) {
        return new JobRecord(orderId, state, s, step, steps, loss, result, message, leaseClosed);
    }

    public JobRecord withProgress(long stepsDone, long total, double lastLoss) {
        return new JobRecord(orderId, state, sources, stepsDone, total, lastLoss, result, message, leaseClosed);
    }

    public JobRecord done(String model) {
        return new JobRecord(orderId, JobState.DONE, sources, step, steps, loss, model, "", leaseClosed);
    }

    public JobRecord closed() {
        return new JobRecord(orderId, state, sources, step, steps, loss, result, message, true);
    }
}

package dev.hypha.node.data;

import java.time.Duration;
import java.util.Locale;

/**
 * How long a provider's job waits for a data owner to release a compute-to-data key by hand, and how often it looks.
 * The wait cannot begin before the lease: the grant contract releases a key only to the provider holding the order's
 * lease, so an owner can release only once there is a leaseholder. The lease's escrow streams while the job waits (the
 * tenant's cost, bounded by this wait; `hypha train cancel` ends it sooner).
 *
 * @param bound how long a job waits for the key before it fails (0: not at all)
 * @param poll  how often the chain is asked whether the key was released
 */
public record KeyWait(Duration bound, Duration poll) {
    /** The longest wait accepted: the lease pays for all of it. */
    static final Duration MAX_BOUND = Duration.ofHours(24);
    /**
     * Ten minutes, looking every two seconds (as often as a provider looks at the chain by default; two reads a look):
     * long enough for an owner told by the tenant to run one command.
     */
    public static final KeyWait DEFAULT = new KeyWait(Duration.ofMinutes(10), Duration.ofSeconds(2));

    public KeyWait {
        if (bound.isNegative() || bound.compareTo(MAX_BOUND) > 0) {
            throw new IllegalArgumentException("the key wait must be 0 .. 24 h, got " + bound);
        }
        if (poll.compareTo(Duration.ofMillis(100)) < 0 || poll.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("the key poll interval must be 100 ms .. 10 min, got " + poll);
        }
    }

    /** A wait of {@code minutes}, polling as {@link #DEFAULT} does (the CLI's --key-wait). */
    public static KeyWait ofMinutes(long minutes) {
        if (minutes < 0 || minutes > MAX_BOUND.toMinutes()) {
            throw new IllegalArgumentException("the key wait must be 0 .. " + MAX_BOUND.toMinutes() + " minutes, got " + minutes);
        }
        return new KeyWait(Duration.ofMinutes(minutes), DEFAULT.poll);
    }

    /** How far a wait has got, in the bound's unit: "2 min of 10", or "3 s of 5" for bounds under two minutes. */
    String progress(Duration waited) {
        return String.format(Locale.ROOT, "%s of %d", amount(waited), inUnit(bound));
    }

    /** {@code d} in the bound's unit: "10 min", or "5 s" for bounds under two minutes. */
    String amount(Duration d) {
        return inUnit(d) + (inMinutes() ? " min" : " s");
    }

    private long inUnit(Duration d) {
        return inMinutes() ? d.toMinutes() : d.toSeconds();
    }

    private boolean inMinutes() {
        return bound.compareTo(Duration.ofMinutes(2)) >= 0;
    }

    /** How often a waiting job tells its log: every minute, or every few seconds for a short bound. */
    Duration logEvery() {
        return inMinutes() ? Duration.ofMinutes(1) : Duration.ofSeconds(1);
    }
}

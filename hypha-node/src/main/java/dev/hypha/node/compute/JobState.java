package dev.hypha.node.compute;

/** Where a job is on the provider's side. */
public enum JobState {
    /** This provider bid on the order; no lease yet. */
    BID,
    /** The lease is ours; waiting for the tenant to say where the inputs are. */
    LEASED,
    /** Fetching the spec and dataset. */
    FETCHING,
    /** Training. */
    RUNNING,
    /** Finished: the model is served by content id. */
    DONE,
    /** Stopped before the end: the lease closed or its deposit ran out. */
    STOPPED,
    /** Refused or broken (a hostile spec, inputs not found); the message says why. */
    FAILED;

    /** Whether nothing more will happen to the job. */
    public boolean finished() {
        return this == DONE || this == STOPPED || this == FAILED;
    }
}

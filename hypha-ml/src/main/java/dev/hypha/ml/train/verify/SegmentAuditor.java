package dev.hypha.ml.train.verify;

import dev.hypha.ml.train.run.RunState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A verifier's pass over a lease's commitments: re-executes each segment its {@link SegmentSampler} picks, from the
 * provider's own published checkpoint at the segment's start, and reports every segment whose end root differs.
 * Segments are independent: a provider that cheats in one segment and trains honestly after it is caught in exactly
 * that segment, and a checkpoint whose root is not the commitment is itself a finding.
 */
public final class SegmentAuditor {
    private final Replayer replayer;

    public SegmentAuditor(Replayer replayer) {
        this.replayer = replayer;
    }

    /** A commitment the provider posted: the state root after {@code step} steps. */
    public record Commitment(long step, byte[] root) {}

    /** Where the verifier gets the provider's published state at a committed step (its content store, in a node). */
    @FunctionalInterface
    public interface Checkpoints {
        RunState at(long step);
    }

    /** What an audit of segment {@code index} found. */
    public record Finding(int index, Commitment from, Commitment to, Kind kind, byte[] expectedRoot) {
        public enum Kind {
            /** The published checkpoint at the segment's start is not the state its commitment names. */
            CHECKPOINT_MISMATCH,
            /** Re-executing the segment gives another root than the commitment at its end. */
            REPLAY_MISMATCH
        }
    }

    /**
     * Audits the segments of {@code commitments} (in step order, the first one the state at step 0) that
     * {@code sampler} picks; returns the findings, empty when every audited segment matched.
     */
    public List<Finding> audit(List<Commitment> commitments, Checkpoints checkpoints, SegmentSampler sampler) {
        List<Finding> findings = new ArrayList<>();
        for (int i = 1; i < commitments.size(); i++) {
            if (!sampler.audits(i)) {
                continue;
            }
            Commitment from = commitments.get(i - 1);
            Commitment to = commitments.get(i);
            if (to.step() <= from.step()) {
                throw new IllegalArgumentException("commitment " + i + " is at step " + to.step() + ", not after " + from.step());
            }
            RunState start = checkpoints.at(from.step());
            byte[] startRoot = replayer.root(start);
            if (start.step() != from.step() || !Arrays.equals(startRoot, from.root())) {
                findings.add(new Finding(i, from, to, Finding.Kind.CHECKPOINT_MISMATCH, startRoot));
                continue;
            }
            Replayer.Verdict v = replayer.check(start, to.step(), to.root());
            if (!v.matches()) {
                findings.add(new Finding(i, from, to, Finding.Kind.REPLAY_MISMATCH, v.expectedRoot()));
            }
        }
        return findings;
    }
}

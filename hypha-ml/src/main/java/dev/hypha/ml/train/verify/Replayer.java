package dev.hypha.ml.train.verify;

import dev.hypha.core.crypto.Hex;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.run.TrainSpec;
import java.util.Arrays;
import java.util.Optional;

/**
 * Re-executes a job's training from a committed state and compares with what a provider claimed. Training is
 * deterministic (same spec, dataset and state give the same bits on any thread count or machine), so an honest claim
 * always matches and any other claim differs in its root.
 */
public final class Replayer {
    private final ReplayableTraining job;
    private final byte[] specDigest;

    /** A classifier's replayer; {@code specDigest}: see {@link #Replayer(ReplayableTraining, byte[])}. */
    public Replayer(TrainSpec spec, byte[] specDigest, ImageSplit data, FloatMatMul gemm) {
        this(new ClassifierReplay(spec, data, gemm), specDigest);
    }

    /** @param specDigest the job spec's 32-byte digest (what the roots are bound to, the lease's spec on-chain) */
    public Replayer(ReplayableTraining job, byte[] specDigest) {
        if (specDigest.length != 32) {
            throw new IllegalArgumentException("a spec digest has 32 bytes, got " + specDigest.length);
        }
        this.job = java.util.Objects.requireNonNull(job, "job");
        this.specDigest = specDigest.clone();
    }

    /** The state at step 0: what every run of the spec starts from. */
    public RunState initial() {
        return job.initial();
    }

    /** A checkpoint of this job read back as a state ({@code name} names it in errors); check its {@link #root}. */
    public RunState checkpoint(String name, byte[] bytes) {
        return job.checkpoint(name, bytes);
    }

    /** The root of {@code state} under this job's spec digest. */
    public byte[] root(RunState state) {
        return StateLeaves.tree(specDigest, state).root();
    }

    /** Re-executes from {@code from} up to step {@code toStep} (not before {@code from}, not past the spec's steps). */
    public RunState replay(RunState from, long toStep) {
        if (toStep < from.step() || toStep > job.steps()) {
            throw new IllegalArgumentException("cannot replay from step " + from.step() + " to " + toStep + " (the spec has "
                    + job.steps() + " steps)");
        }
        return from.step() == toStep ? from : job.replay(from, toStep);
    }

    /** The outcome of re-executing one segment. */
    public record Verdict(long fromStep, long toStep, byte[] expectedRoot, byte[] claimedRoot) {
        public boolean matches() {
            return Arrays.equals(expectedRoot, claimedRoot);
        }

        @Override
        public String toString() {
            return "steps " + fromStep + ".." + toStep + ": " + (matches() ? "match " + Hex.encode(expectedRoot)
                    : "MISMATCH, re-executed " + Hex.encode(expectedRoot) + ", claimed " + Hex.encode(claimedRoot));
        }
    }

    /** Re-executes from {@code from} to {@code toStep} and compares the root with {@code claimedRoot}. */
    public Verdict check(RunState from, long toStep, byte[] claimedRoot) {
        return new Verdict(from.step(), toStep, root(replay(from, toStep)), claimedRoot.clone());
    }

    /** The other party's roots at any step of a disputed segment (a provider's answers in the bisection game). */
    @FunctionalInterface
    public interface ClaimedRoots {
        byte[] rootAt(long step);
    }

    /**
     * The first step whose execution the claims get wrong: step {@code step} run from the state both agree on
     * ({@code agreedRoot}) gives {@code expectedRoot}, the claim at {@code step + 1} is {@code claimedRoot}.
     */
    public record Divergence(long step, byte[] agreedRoot, byte[] expectedRoot, byte[] claimedRoot) {}

    /**
     * Bisection over re-execution, as the on-chain game plays it: with the state at {@code agreed} accepted and the
     * claim at {@code toStep} disputed, ask the claims for the root in the middle, keep the half where they first
     * differ from re-execution, until one step is left. Costs at most {@code toStep - agreed.step()} re-executed steps
     * and ⌈log2(toStep - agreed.step())⌉ questions. Empty when the claim at {@code toStep} matches.
     */
    public Optional<Divergence> firstDifference(RunState agreed, long toStep, ClaimedRoots claims) {
        RunState lo = agreed;
        long hi = toStep;
        RunState atHi = replay(lo, hi);
        if (Arrays.equals(root(atHi), claims.rootAt(hi))) {
            return Optional.empty();
        }
        while (hi - lo.step() > 1) {
            long mid = lo.step() + (hi - lo.step()) / 2;
            RunState atMid = replay(lo, mid);
            if (Arrays.equals(root(atMid), claims.rootAt(mid))) {
                lo = atMid;
            } else {
                hi = mid;
            }
        }
        byte[] expected = root(replay(lo, hi));
        return Optional.of(new Divergence(lo.step(), root(lo), expected, claims.rootAt(hi)));
    }
}

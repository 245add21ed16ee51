package dev.hypha.node.verify;

import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.verify.MerkleTree;
import dev.hypha.ml.train.verify.Replayer;
import dev.hypha.ml.train.verify.StateLeaves;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The states of one disputed segment by re-execution from its start: the state both sides agree on (the checkpoint
 * at the previous commitment, checked against its root, or the initial state). Only replays from that start are used,
 * never a checkpoint of the other side inside or at the end of the segment, so these are this node's own answers.
 * The furthest state replayed so far is kept (bisection asks about later steps after earlier ones and vice versa, so a
 * step before it is replayed from the start again), and a few trees are cached.
 */
public final class SegmentStates implements StateSource {
    private static final int MAX_TREES = 8;

    /** How this node re-executes: a {@link Replayer}'s {@code replay}, or a dev-only cheater's version of it. */
    @FunctionalInterface
    public interface Replay {
        RunState replay(RunState from, long toStep);
    }

    private final Replay replayer;
    private final byte[] specDigest;
    private final RunState start;
    private RunState furthest;
    private long stepsReplayed;
    private final Map<Long, MerkleTree> trees = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, MerkleTree> eldest) {
            return size() > MAX_TREES;
        }
    };

    public SegmentStates(Replayer replayer, byte[] specDigest, RunState start) {
        this(replayer::replay, specDigest, start);
    }

    public SegmentStates(Replay replayer, byte[] specDigest, RunState start) {
        this.replayer = replayer;
        this.specDigest = specDigest.clone();
        this.start = start;
        this.furthest = start;
    }

    public long startStep() {
        return start.step();
    }

    /** The state after {@code step} steps (not before the segment's start). */
    public synchronized RunState at(long step) {
        if (step < start.step()) {
            throw new IllegalArgumentException("step " + step + " is before the segment's start at step " + start.step());
        }
        RunState from = furthest.step() <= step ? furthest : start;
        RunState s = from.step() == step ? from : replayer.replay(from, step);
        stepsReplayed += step - from.step();
        if (s.step() > furthest.step()) {
            furthest = s;
        }
        return s;
    }

    @Override
    public synchronized MerkleTree tree(long step) {
        MerkleTree t = trees.get(step);
        if (t == null) {
            t = StateLeaves.tree(specDigest, at(step));
            trees.put(step, t);
        }
        return t;
    }

    /** Training steps re-executed so far. */
    public synchronized long stepsReplayed() {
        return stepsReplayed;
    }
}

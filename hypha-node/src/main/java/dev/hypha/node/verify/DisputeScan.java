package dev.hypha.node.verify;

import dev.hypha.chain.compute.DisputePhase;
import dev.hypha.chain.compute.VerifierDispute;
import dev.hypha.chain.deploy.TrainingVerifierClient;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Follows TrainingVerifier's disputes: ids count up from 1 with no gaps, so a cursor finds every new one; those a
 * role cares about stay followed until resolved (each is read again every poll, which is all a round's state needs).
 */
final class DisputeScan {
    /** Most new disputes looked at per poll (bounds one poll's reads). */
    private static final int MAX_NEW = 64;

    private final TrainingVerifierClient verifier;
    private final Predicate<VerifierDispute> follows;
    private final TreeSet<BigInteger> open = new TreeSet<>();
    private BigInteger next = BigInteger.ONE;

    DisputeScan(TrainingVerifierClient verifier, Predicate<VerifierDispute> follows) {
        this.verifier = verifier;
        this.follows = follows;
    }

    /** The next dispute id to look at (the cursor a restarted verifier resumes from). */
    BigInteger next() {
        return next;
    }

    /** The disputes followed until resolved. */
    java.util.SortedSet<BigInteger> followed() {
        return java.util.Collections.unmodifiableSortedSet(open);
    }

    /** Resumes from a saved cursor: {@code next} and the disputes followed then. */
    void resume(BigInteger next, java.util.Collection<BigInteger> followed) {
        this.next = next;
        open.clear();
        open.addAll(followed);
    }

    /** The followed disputes as they stand now, in id order; a resolved one is returned once more, then dropped. */
    Map<BigInteger, VerifierDispute> poll() {
        BigInteger end = verifier.nextDisputeId();
        for (int i = 0; i < MAX_NEW && next.compareTo(end) < 0; i++, next = next.add(BigInteger.ONE)) {
            if (follows.test(verifier.dispute(next))) {
                open.add(next);
            }
        }
        Map<BigInteger, VerifierDispute> out = new LinkedHashMap<>();
        List<BigInteger> done = new ArrayList<>();
        for (BigInteger id : open) {
            VerifierDispute d = verifier.dispute(id);
            out.put(id, d);
            if (d.phase() == DisputePhase.RESOLVED) {
                done.add(id);
            }
        }
        done.forEach(open::remove);
        return out;
    }
}

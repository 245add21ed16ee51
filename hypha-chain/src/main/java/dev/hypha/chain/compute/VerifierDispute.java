package dev.hypha.chain.compute;

import dev.hypha.core.crypto.Address;
import java.math.BigInteger;

/**
 * A TrainingVerifier dispute as the contract stores it. {@code providerHash} / {@code challengerHash} are what the two
 * sides hold at the disputed point: roots at {@code hi} while bisecting, the node ({@code level}, {@code nodeIndex})
 * while descending, the leaf {@code nodeIndex} while voting. {@code agreedRoot} is the state both accept at {@code lo}.
 */
public record VerifierDispute(BigInteger orderId, Address provider, Address challenger, long commitmentIndex,
                              DisputePhase phase, DisputeOutcome outcome, int depth, int level, long lo, long hi,
                              long nodeIndex, long deadline, byte[] agreedRoot, byte[] providerHash, byte[] challengerHash,
                              boolean providerMoved, boolean challengerMoved, long votesProvider, long votesChallenger,
                              long votesOther, BigInteger bond) {
    public VerifierDispute {
        agreedRoot = agreedRoot.clone();
        providerHash = providerHash.clone();
        challengerHash = challengerHash.clone();
    }

    @Override
    public byte[] agreedRoot() {
        return agreedRoot.clone();
    }

    @Override
    public byte[] providerHash() {
        return providerHash.clone();
    }

    @Override
    public byte[] challengerHash() {
        return challengerHash.clone();
    }

    /** The step whose roots the sides post in a bisection round. */
    public long midStep() {
        return lo + (hi - lo) / 2;
    }
}

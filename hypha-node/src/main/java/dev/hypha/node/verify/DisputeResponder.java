package dev.hypha.node.verify;

import dev.hypha.chain.compute.DisputePhase;
import dev.hypha.chain.compute.VerifierDispute;
import dev.hypha.chain.deploy.TrainingVerifierClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A provider's side of its disputes, driven by {@link #poll()}: in every bisection or descent round it has not moved in
 * yet, it posts its root at the middle step or the children of its node, from its own states (for an honest provider,
 * re-executed from its checkpoints, so they are the truth); a silent provider would lose the round by timeout. After a
 * round's deadline it resolves the dispute itself (to collect a losing challenger's bond). The referee vote is not its
 * to play.
 */
public final class DisputeResponder {
    private final TrainingVerifierClient verifier;
    private final Function<VerifierDispute, StateSource> states;
    private final LongSupplier chainTime;
    private final Consumer<String> log;
    private final DisputeScan scan;

    /**
     * @param verifier TrainingVerifier, sending as the provider
     * @param states   the provider's states of a dispute's segment
     */
    public DisputeResponder(TrainingVerifierClient verifier, Address self, Function<VerifierDispute, StateSource> states,
                            LongSupplier chainTime, Consumer<String> log) {
        this.verifier = verifier;
        this.states = states;
        this.chainTime = chainTime;
        this.log = log;
        this.scan = new DisputeScan(verifier, d -> d.provider().equals(self));
    }

    /** One round: answer or resolve each dispute against this provider. Chain errors are logged and retried next poll. */
    public void poll() {
        long now = chainTime.getAsLong();
        for (Map.Entry<BigInteger, VerifierDispute> e : scan.poll().entrySet()) {
            BigInteger id = e.getKey();
            VerifierDispute d = e.getValue();
            try {
                act(id, d, now);
            } catch (HyphaException | IllegalStateException ex) {
                log.accept("dispute " + id + ": " + ex.getMessage());
            }
        }
    }

    private void act(BigInteger id, VerifierDispute d, long now) {
        switch (d.phase()) {
            case BISECT, DESCEND -> {
                if (now > d.deadline()) {
                    verifier.resolve(id);
                    log.accept("dispute " + id + " (order " + d.orderId() + "): resolved after the round's deadline");
                } else if (!d.providerMoved()) {
                    DisputeMoves.Move m = DisputeMoves.next(d, states.apply(d));
                    if (d.phase() == DisputePhase.BISECT) {
                        verifier.postRoot(id, m.a());
                        log.accept("dispute " + id + " (order " + d.orderId() + "): posted the root at step " + d.midStep()
                                + " (" + Hex.encode(m.a()) + ")");
                    } else {
                        verifier.revealChildren(id, m.a(), m.b());
                        log.accept("dispute " + id + " (order " + d.orderId() + "): revealed the children of node "
                                + d.nodeIndex() + " at level " + d.level());
                    }
                }
            }
            case VOTE -> {
                if (now > d.deadline()) {
                    verifier.resolve(id);
                    log.accept("dispute " + id + " (order " + d.orderId() + "): resolved after the vote");
                }
            }
            case RESOLVED -> log.accept("dispute " + id + " (order " + d.orderId() + ") ended: " + d.outcome());
            case NONE -> { }
        }
    }
}

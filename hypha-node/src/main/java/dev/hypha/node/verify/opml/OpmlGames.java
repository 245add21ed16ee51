package dev.hypha.node.verify.opml;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.chain.deploy.OpmlVerifierClient;
import dev.hypha.chain.opml.OpmlDispute;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The disputes one node plays (as provider or challenger), advanced together by {@link #poll}: each player makes its
 * next move if it has one, a dispute whose round deadline has passed is ended by {@code timeout} (so a silent other
 * side loses), and a resolved one is reported and dropped.
 */
final class OpmlGames {
    /** How a dispute this node played ended. */
    record Ended(BigInteger disputeId, OpmlDispute.Outcome outcome) {}

    private final OpmlVerifierClient client;
    private final LongSupplier chainTime;
    private final Consumer<String> log;
    private final Map<BigInteger, OpmlPlayer> players = new TreeMap<>();

    OpmlGames(OpmlVerifierClient client, LongSupplier chainTime, Consumer<String> log) {
        this.client = client;
        this.chainTime = chainTime;
        this.log = log;
    }

    boolean plays(BigInteger disputeId) {
        return players.containsKey(disputeId);
    }

    void add(OpmlPlayer player) {
        players.put(player.disputeId(), player);
    }

    int open() {
        return players.size();
    }

    /** One move per open dispute (or a timeout); returns those that ended. */
    List<Ended> poll() {
        List<Ended> ended = new ArrayList<>();
        for (var it = players.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            BigInteger id = e.getKey();
            try {
                OpmlDispute d = client.dispute(id);
                if (d.phase() != OpmlDispute.Phase.RESOLVED) {
                    if (e.getValue().step()) {
                        log.accept("dispute " + id + ": " + describe(d));
                    } else if (chainTime.getAsLong() > d.deadline()) {
                        client.timeout(id);
                        log.accept("dispute " + id + ": the round's deadline passed, timed out");
                    }
                    d = client.dispute(id);
                }
                if (d.phase() == OpmlDispute.Phase.RESOLVED) {
                    it.remove();
                    ended.add(new Ended(id, d.outcome()));
                }
            } catch (HyphaException failure) {
                log.accept("dispute " + id + ": " + failure.getMessage() + " (tried again next poll)");
            }
        }
        return ended;
    }

    private static String describe(OpmlDispute d) {
        return switch (d.phase()) {
            case DESCEND -> "moved at level " + d.level() + " of " + d.depth() + " (node " + d.nodeIndex() + ")";
            case REVEAL -> "revealed the output of leaf " + d.nodeIndex();
            case RESOLVE -> "resolved leaf " + d.nodeIndex() + " with the operation's inputs";
            default -> d.phase().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}

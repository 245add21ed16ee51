package dev.hypha.node.verify;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.DisputePhase;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.compute.StateCommitment;
import dev.hypha.chain.compute.VerifierDispute;
import dev.hypha.chain.deploy.ComputeMarketClient;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.chain.deploy.TrainingVerifierClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.ml.train.verify.MerkleTree;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A staked node's verifier and referee, driven by {@link #poll()} (one thread; every chain write happens there):
 * <ul>
 *   <li>follows every ComputeMarket order (ids count up from 1, so a cursor finds each) once leased to another
 *       provider, and each new commitment of it on TrainingVerifier; checks the initial state (step 0, a function of
 *       the spec: free to check) and re-executes each later segment {@link AuditSampling} picks, from the anchor at its
 *       start ({@link LeaseReplay});</li>
 *   <li>on a mismatch, challenges the commitment with its own root (bonding HYP) and plays every round of the
 *       dispute: its roots at the bisection's middle steps and the children of its tree nodes, all from its own
 *       re-execution of the segment ({@link SegmentStates}), then resolves it once the vote is over (a provider that
 *       stops answering loses by timeout);</li>
 *   <li>referees other verifiers' disputes: re-executes the one disputed step from the agreed state (checked against
 *       the agreed root) and votes the disputed leaf's hash.</li>
 * </ul>
 * Chain and network errors are logged and the work retried next poll; a lease that cannot be replayed (a spec refused
 * by the limits, a provider that registered no endpoint) is logged once and dropped. Re-execution from a committed
 * state whose next step diverges (NaN) does not stop: it yields the diverged state, whose root mismatches the claim,
 * so the segment is challenged like any wrong one. Any other failure of one lease's audit is logged with the lease and
 * the commitment, which is skipped; it never stops the other leases' audits.
 */
public final class VerifierDaemon implements AutoCloseable {
    /** Most new orders looked at per poll. */
    private static final int MAX_NEW_ORDERS = 64;
    /**
     * Most segments re-executed per poll: the rest wait for the next poll, so a provider committing faster than this node
     * replays (a flood of commitments, or just a long job) cannot keep it from its dispute moves until it loses them
     * by timeout. While one of its own disputes is being bisected it audits nothing: a round has a deadline (a minute on
     * the local chain) that one segment's replay on a busy machine can overrun, while an audit can wait for the whole
     * challenge window.
     */
    static final int MAX_REPLAYS_PER_POLL = 4;

    /** What the verifier has done: the cost side of verification ({@code stepsReplayed / stepsCommitted}). */
    public record Stats(long commitmentsSeen, long segmentsAudited, long stepsCommitted, long stepsReplayed, long challenges,
                        long votes) {}

    private final ComputeMarketClient market;
    private final TrainingVerifierClient verifier;
    private final ProviderRegistryClient registry;
    private final Address self;
    private final AuditSampling sampling;
    private final ContentStore store;
    private final HttpClient http;
    private final LongSupplier chainTime;
    private final Consumer<String> log;
    private final Parallel parallel;
    private final FloatMatMul gemm;
    private final TreeMap<BigInteger, Long> watched = new TreeMap<>(); // order -> next commitment index to look at
    private final Map<BigInteger, LeaseReplay> leases = new HashMap<>();
    private final Map<BigInteger, SegmentStates> played = new HashMap<>();
    private final Set<BigInteger> voted = new HashSet<>();
    private final DisputeScan disputes;
    /** Where the cursor is saved after each poll (null: kept in memory only). */
    private final Path stateFile;
    private BigInteger nextOrder = BigInteger.ONE;
    private long now;
    private long challengeWindow = -1;
    private long commitmentsSeen;
    private long segmentsAudited;
    private long stepsCommitted;
    private long stepsReplayed;
    private long challenges;
    private long votes;

    /**
     * @param market, verifier, registry clients sending as this verifier (a VALIDATOR staker with HYP for bonds)
     * @param threads threads re-execution uses (any count gives the same bits)
     */
    public VerifierDaemon(ComputeMarketClient market, TrainingVerifierClient verifier, ProviderRegistryClient registry,
                          Address self, AuditSampling sampling, ContentStore store, HttpClient http, int threads,
                          LongSupplier chainTime, Consumer<String> log) {
        this(market, verifier, registry, self, sampling, store, http, threads, chainTime, log, null);
    }

    /**
     * @param stateFile where the cursor ({@link VerifierCursor}) is kept: loaded now, so a restarted verifier resumes the
     *                  audits and disputes it was in, and saved after every poll
     */
    public VerifierDaemon(ComputeMarketClient market, TrainingVerifierClient verifier, ProviderRegistryClient registry,
                          Address self, AuditSampling sampling, ContentStore store, HttpClient http, int threads,
                          LongSupplier chainTime, Consumer<String> log, Path stateFile) {
        this.market = market;
        this.verifier = verifier;
        this.registry = registry;
        this.self = self;
        this.sampling = sampling;
        this.store = store;
        this.http = http;
        this.chainTime = chainTime;
        this.log = log;
        this.parallel = new Parallel(threads);
        this.gemm = new FloatMatMul(parallel);
        this.disputes = new DisputeScan(verifier, d -> !d.provider().equals(self));
        this.stateFile = stateFile;
        if (stateFile != null) {
            VerifierCursor c = VerifierCursor.load(stateFile);
            if (c.nextOrder().compareTo(market.nextOrderId()) > 0 || c.nextDispute().compareTo(verifier.nextDisputeId()) > 0) {
                // A fresh local chain at the same addresses: the saved cursor is of another chain's history.
                log.accept("the saved state " + stateFile + " is ahead of this chain (a new chain?): rescanning from order 1");
                c = VerifierCursor.start();
            }
            nextOrder = c.nextOrder();
            watched.putAll(c.watched());
            disputes.resume(c.nextDispute(), c.disputes());
            voted.addAll(c.voted());
        }
    }

    /** The cursor as it stands (what is saved after each poll). */
    public synchronized VerifierCursor cursor() {
        return new VerifierCursor(nextOrder, watched, disputes.next(), new java.util.TreeSet<>(disputes.followed()),
                new java.util.TreeSet<>(voted));
    }

    public synchronized Stats stats() {
        return new Stats(commitmentsSeen, segmentsAudited, stepsCommitted, stepsReplayed, challenges, votes);
    }

    /**
     * One round: move, vote and resolve in the disputes followed first (each round has a deadline), then audit new
     * commitments, at most {@link #MAX_REPLAYS_PER_POLL} segments re-executed (none while a dispute of its own is bisected).
     */
    public synchronized void poll() {
        try {
            now = chainTime.getAsLong();
        } catch (ChainException e) {
            log.accept("chain: " + e.getMessage() + " (retried next poll)");
            return;
        }
        boolean inPlay = false;
        try {
            for (Map.Entry<BigInteger, VerifierDispute> e : disputes.poll().entrySet()) {
                VerifierDispute d = e.getValue();
                inPlay |= d.challenger().equals(self) && (d.phase() == DisputePhase.BISECT || d.phase() == DisputePhase.DESCEND);
                try {
                    act(e.getKey(), e.getValue(), now);
                } catch (ChainException ex) {
                    throw ex; // the chain, not this dispute: the rest of the poll's dispute work waits for the next
                } catch (RuntimeException ex) {
                    log.accept("dispute " + e.getKey() + ": " + ex); // one dispute's failure never stops the others
                }
            }
        } catch (ChainException e) {
            log.accept("disputes: " + e.getMessage());
        }
        try {
            followOrders(inPlay ? 0 : MAX_REPLAYS_PER_POLL);
        } catch (ChainException e) {
            log.accept("orders: " + e.getMessage() + " (retried next poll)");
        }
        if (stateFile != null) {
            cursor().save(stateFile); // after the poll's transactions: a crash before this redoes the poll, harmlessly
        }
    }

    // ------------------------------------------------------------------------------------------ audits

    private void followOrders(int maxReplays) {
        BigInteger end = market.nextOrderId();
        for (int i = 0; i < MAX_NEW_ORDERS && nextOrder.compareTo(end) < 0; i++, nextOrder = nextOrder.add(BigInteger.ONE)) {
            watched.put(nextOrder, 0L);
        }
        int replays = 0;
        for (BigInteger id : watched.keySet().toArray(BigInteger[]::new)) {
            if (replays >= maxReplays) {
                return; // the rest next poll
            }
            ComputeOrder o = market.order(id);
            if (o.state() == OrderState.OPEN) {
                continue;
            }
            if (o.state() != OrderState.LEASED && o.state() != OrderState.CLOSED || o.provider().equals(self)) {
                watched.remove(id); // cancelled, or this node's own lease
                continue;
            }
            long n = verifier.commitmentCount(id); // read after the state: a closed lease commits nothing more
            long i = watched.get(id);
            try {
                for (; i < n && replays < maxReplays; i++) {
                    if (audit(id, o, i)) {
                        replays++;
                    }
                    watched.put(id, i + 1);
                }
            } catch (ChainException e) {
                log.accept("order " + id + ": " + e.getMessage() + " (retried next poll)");
                continue;
            } catch (HyphaException e) {
                if (e.category() == ErrorCategory.INPUT) {
                    log.accept("order " + id + ": cannot be verified, dropped: " + e.getMessage());
                    watched.remove(id);
                    leases.remove(id);
                    continue;
                }
                log.accept("order " + id + ": " + e.getMessage() + " (retried next poll)");
                continue;
            } catch (RuntimeException e) {
                // Anything else this lease's data caused: that commitment is skipped (retrying it would fail the same
                // way every poll) and the other leases are still audited. Counted as a replay: it may have cost one.
                log.accept("order " + id + ": commitment " + i + " could not be audited, skipped: " + e);
                watched.put(id, i + 1);
                replays++;
                continue;
            }
            if (o.state() == OrderState.CLOSED && watched.get(id) >= n) {
                watched.remove(id);
            }
        }
    }

    /** Audits commitment {@code i} of order {@code id}; whether a segment was re-executed. */
    private boolean audit(BigInteger id, ComputeOrder o, long i) {
        StateCommitment c = verifier.commitment(id, i);
        commitmentsSeen++;
        if (challengeWindow < 0) {
            challengeWindow = verifier.challengeWindow();
        }
        if (now > c.time() + challengeWindow) {
            return false; // it can no longer be challenged (a verifier started late): replaying it would buy nothing
        }
        if (i == 0) {
            LeaseReplay lease = lease(id, o);
            byte[] expected = lease.replayer().root(lease.replayer().initial());
            if (!Arrays.equals(expected, c.root())) {
                challenge(id, 0, expected, "its initial state");
            }
            return false;
        }
        StateCommitment prev = verifier.commitment(id, i - 1);
        stepsCommitted += c.step() - prev.step();
        if (!sampling.audits(self, id, i, c.root())) {
            return false;
        }
        segmentsAudited++;
        LeaseReplay lease = lease(id, o);
        long before = lease.stepsReplayed();
        try {
            OptionalLong wrong = lease.anchorAt(i - 1);
            if (wrong.isPresent()) {
                long j = wrong.getAsLong();
                StateCommitment cj = verifier.commitment(id, j);
                lease.anchorAt(j - 1);
                byte[] expected = lease.replayer().root(lease.replay(lease.anchor(j - 1), cj.step()));
                challenge(id, j, expected, "segment " + j + " (its checkpoints were not served)");
                return true;
            }
            RunState end = lease.replay(lease.anchor(i - 1), c.step());
            byte[] expected = lease.replayer().root(end);
            if (!Arrays.equals(expected, c.root())) {
                challenge(id, i, expected, "segment " + i + " (steps " + prev.step() + ".." + c.step() + ")");
            } else {
                log.accept("order " + id + ": segment " + i + " (steps " + prev.step() + ".." + c.step() + ") replayed, matches");
            }
        } finally {
            stepsReplayed += lease.stepsReplayed() - before;
        }
        return true;
    }

    private void challenge(BigInteger id, long index, byte[] root, String what) {
        BigInteger open = verifier.openDispute(id, index);
        if (open.signum() != 0) {
            log.accept("order " + id + ": " + what + " is wrong; dispute " + open + " is already open on it");
            return;
        }
        try {
            BigInteger dispute = verifier.challenge(id, index, root);
            challenges++;
            log.accept("order " + id + ": " + what + " is wrong (re-executed " + Hex.encode(root) + "); challenged, dispute "
                    + dispute);
        } catch (ChainException e) {
            log.accept("order " + id + ": " + what + " is wrong, but the challenge failed: " + e.getMessage());
        }
    }

    private LeaseReplay lease(BigInteger id, ComputeOrder o) {
        LeaseReplay l = leases.get(id);
        if (l == null) {
            String endpoint = registry.provider(o.provider().toString()).map(ProviderRegistryClient.ProviderInfo::endpoint)
                    .orElseThrow(() -> HyphaException.input("provider " + o.provider() + " of order " + id + " is not registered"));
            URI uri;
            try {
                uri = URI.create(endpoint);
            } catch (IllegalArgumentException e) {
                throw HyphaException.input("provider " + o.provider() + " registered no URL (" + endpoint + ")");
            }
            l = LeaseReplay.open(id, o.spec(), uri, store, gemm, verifier, http);
            leases.put(id, l);
        }
        return l;
    }

    // ------------------------------------------------------------------------------------------ disputes

    private void act(BigInteger id, VerifierDispute d, long now) {
        boolean mine = d.challenger().equals(self);
        switch (d.phase()) {
            case BISECT, DESCEND -> {
                if (!mine) {
                    return;
                }
                if (now > d.deadline()) {
                    verifier.resolve(id);
                    log.accept("dispute " + id + ": resolved after the round's deadline");
                } else if (!d.challengerMoved()) {
                    SegmentStates states = segment(id, d);
                    long before = states.stepsReplayed();
                    DisputeMoves.Move m = DisputeMoves.next(d, states);
                    stepsReplayed += states.stepsReplayed() - before;
                    if (d.phase() == DisputePhase.BISECT) {
                        verifier.postRoot(id, m.a());
                        log.accept("dispute " + id + ": posted the root at step " + d.midStep());
                    } else {
                        verifier.revealChildren(id, m.a(), m.b());
                        log.accept("dispute " + id + ": revealed the children of node " + d.nodeIndex() + " at level " + d.level());
                    }
                }
            }
            case VOTE -> {
                if (now > d.deadline()) {
                    if (mine || voted.contains(id)) {
                        verifier.resolve(id);
                        log.accept("dispute " + id + ": resolved after the vote");
                    }
                } else if (!mine && !voted.contains(id)) {
                    referee(id, d);
                }
            }
            case RESOLVED -> {
                if (mine || voted.contains(id)) {
                    log.accept("dispute " + id + " (order " + d.orderId() + ") ended: " + d.outcome());
                }
                played.remove(id);
                voted.remove(id);
            }
            case NONE -> { }
        }
    }

    /** This node's states of the disputed segment: replays from the state both sides agree on at its start. */
    private SegmentStates segment(BigInteger id, VerifierDispute d) {
        SegmentStates s = played.get(id);
        if (s == null) {
            ComputeOrder o = market.order(d.orderId());
            LeaseReplay lease = lease(d.orderId(), o);
            RunState start = lease.replayer().initial();
            if (d.commitmentIndex() > 0) {
                OptionalLong wrong = lease.anchorAt(d.commitmentIndex() - 1);
                if (wrong.isPresent()) {
                    throw new IllegalStateException("cannot reproduce the state at commitment " + (d.commitmentIndex() - 1)
                            + " of order " + d.orderId() + " (commitment " + wrong.getAsLong() + " differs from re-execution)");
                }
                start = lease.anchor(d.commitmentIndex() - 1);
            }
            s = new SegmentStates(lease.replayer(), lease.job().specDigest(), start);
            played.put(id, s);
        }
        return s;
    }

    private void referee(BigInteger id, VerifierDispute d) {
        ComputeOrder o = market.order(d.orderId());
        if (o.tenant().equals(self)) {
            return; // the tenant may not vote
        }
        SegmentStates s = segment(id, d);
        long before = s.stepsReplayed();
        try {
            if (d.commitmentIndex() > 0 && !Arrays.equals(s.tree(d.lo()).root(), d.agreedRoot())) {
                log.accept("dispute " + id + ": the agreed state at step " + d.lo() + " is not what re-execution gives; not voting");
                voted.add(id); // nothing to vote for; do not try again
                return;
            }
            MerkleTree t = s.tree(d.hi());
            if (t.depth() != d.depth()) {
                log.accept("dispute " + id + ": the state at step " + d.hi() + " has depth " + t.depth() + ", the lease "
                        + d.depth() + "; not voting");
                voted.add(id);
                return;
            }
            byte[] leaf = t.node(d.depth(), d.nodeIndex());
            verifier.vote(id, leaf);
            voted.add(id);
            votes++;
            String side = Arrays.equals(leaf, d.providerHash()) ? "the provider's" : Arrays.equals(leaf, d.challengerHash())
                    ? "the challenger's" : "neither side's";
            log.accept("dispute " + id + " (order " + d.orderId() + "): re-executed step " + d.lo() + " -> " + d.hi()
                    + ", voted leaf " + d.nodeIndex() + " = " + side);
        } finally {
            stepsReplayed += s.stepsReplayed() - before;
        }
    }

    @Override
    public void close() {
        parallel.close();
    }
}

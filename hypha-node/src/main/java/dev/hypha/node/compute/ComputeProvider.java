package dev.hypha.node.compute;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.deploy.ComputeMarketClient;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.ml.train.store.ContentStore;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The provider side of the compute market, driven by {@link #poll()} (one thread; every chain write happens there):
 * bids through {@link BidEngine}, notices won leases, starts a {@link JobRunner} once the tenant has handed over where
 * the inputs are, stops a run when its lease closes or its deposit is used up (settling, which closes an overdrawn
 * lease), closes the lease itself when a job ends (so the tenant pays for no idle second) and publishes finished
 * models. Jobs run on their own threads, at most {@link ComputeOffer#maxJobs()} at once.
 *
 * <p>Restart: the {@link JobBook} says which leases are ours and how far each got; a job that was fetching or
 * running is started again and resumes from its newest checkpoint; finished models are published again.
 */
public final class ComputeProvider implements AutoCloseable {
    /**
     * Chain seconds after a lease starts within which the tenant must say where the inputs are; also how long after
     * its bid window an order nobody leased keeps this provider's bid (and a slot).
     */
    public static final long HANDOFF_TIMEOUT_SECONDS = 600;

    private final ComputeMarketClient market;
    private final Address self;
    private final ComputeOffer offer;
    private final ContentStore store;
    private final JobBook book;
    private final PublishedContent published;
    private final HttpClient http;
    private final CheckpointListener checkpoints;
    private final LongSupplier chainTime;
    private final Consumer<String> log;
    private final BidEngine engine;
    private final ExecutorService workers;
    private final Map<BigInteger, JobRunner> running = new TreeMap<>();
    private final Path workRoot;
    private final SealedInputs sealed;
    private final DevCheat cheat;
    /** Chain seconds between two looks at a closed lease's held-back pay. */
    static final long PAY_CHECK_SECONDS = 30;
    /** Closed leases with nothing more to be released (kept in memory: a restarted provider looks once more). */
    private final java.util.Set<BigInteger> paidOut = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Map<BigInteger, Long> nextPayCheck = new java.util.concurrent.ConcurrentHashMap<>();

    public ComputeProvider(ComputeMarketClient market, Address self, ComputeOffer offer, ContentStore store, JobBook book,
                           PublishedContent published, HttpClient http, CheckpointListener checkpoints,
                           LongSupplier chainTime, Consumer<String> log, Path workRoot) {
        this(market, self, offer, store, book, published, http, checkpoints, chainTime, log, workRoot, SealedInputs.NONE);
    }

    /** @param sealed opens fine-tunes' sealed data for the leases this provider holds (compute-to-data) */
    public ComputeProvider(ComputeMarketClient market, Address self, ComputeOffer offer, ContentStore store, JobBook book,
                           PublishedContent published, HttpClient http, CheckpointListener checkpoints,
                           LongSupplier chainTime, Consumer<String> log, Path workRoot, SealedInputs sealed) {
        this(market, self, offer, store, book, published, http, checkpoints, chainTime, log, workRoot, sealed, DevCheat.NONE);
    }

    /** @param cheat DEVELOPMENT AND TEST ONLY: how this provider fakes classifier jobs ({@link DevCheat#NONE}: it does not) */
    public ComputeProvider(ComputeMarketClient market, Address self, ComputeOffer offer, ContentStore store, JobBook book,
                           PublishedContent published, HttpClient http, CheckpointListener checkpoints,
                           LongSupplier chainTime, Consumer<String> log, Path workRoot, SealedInputs sealed, DevCheat cheat) {
        this.sealed = java.util.Objects.requireNonNull(sealed, "sealed");
        this.cheat = java.util.Objects.requireNonNull(cheat, "cheat");
        this.market = market;
        this.self = self;
        this.offer = offer;
        this.store = store;
        this.book = book;
        this.published = published;
        this.http = http;
        this.checkpoints = checkpoints;
        this.chainTime = chainTime;
        this.log = log;
        this.workRoot = workRoot;
        this.engine = new BidEngine(market, self, offer, book, log);
        this.workers = Executors.newFixedThreadPool(offer.maxJobs(), r -> {
            Thread t = new Thread(r, "compute-job");
            t.setDaemon(true);
            return t;
        });
        for (JobRecord r : book.all()) {
            if (r.state() == JobState.DONE && !r.result().isEmpty()) {
                ContentId model = ContentId.parse(r.result());
                if (store.contains(model)) {
                    published.publish(store.get(model));
                }
            }
        }
    }

    /** The job book (records, logs). */
    public JobBook book() {
        return book;
    }

    /** The live progress of a running job. */
    public synchronized Optional<JobProgress> progress(BigInteger orderId) {
        JobRunner r = running.get(orderId);
        return r == null ? Optional.empty() : Optional.ofNullable(r.progress());
    }

    /** One round: bid, follow leases, start, stop and close jobs. Chain errors are logged and retried next round. */
    public void poll() {
        long now = chainTime.getAsLong();
        for (JobRecord r : book.all()) {
            try {
                follow(r, now);
            } catch (ChainException e) {
                log.accept("order " + r.orderId() + ": " + e.getMessage());
            }
        }
        int active = (int) book.all().stream().filter(r -> !r.state().finished()).count();
        if (active < offer.maxJobs()) {
            try {
                engine.scan(now, offer.maxJobs() - active);
            } catch (ChainException e) {
                log.accept("bidding: " + e.getMessage());
            }
        }
    }

    private void follow(JobRecord r, long now) {
        switch (r.state()) {
            case BID -> {
                ComputeOrder o = market.order(r.orderId());
                if (o.state() == OrderState.LEASED && o.provider().equals(self)) {
                    // the tenant's hand-off may have recorded LEASED with its sources since r was read: keep them
                    book.update(r.orderId(), held -> held.state() == JobState.BID ? held.withState(JobState.LEASED, "") : held);
                    book.log(r.orderId(), "lease won at " + o.pricePerHour() + "/h; waiting for the tenant's inputs");
                    log.accept("order " + r.orderId() + ": lease won");
                } else if (o.state() != OrderState.OPEN) {
                    book.remove(r.orderId()); // leased to another provider, or cancelled
                } else if (now > o.bidsCloseAt() + HANDOFF_TIMEOUT_SECONDS) {
                    withdraw(r.orderId()); // nobody leased it: the bid would hold a slot for good
                }
            }
            case LEASED, FETCHING, RUNNING -> {
                ComputeOrder o = market.order(r.orderId());
                boolean mine = isRunning(r.orderId());
                if (o.state() != OrderState.LEASED) {
                    if (mine) {
                        stopRun(r.orderId(), "the lease was closed (" + o.closeReason() + ")");
                    } else {
                        book.put(r.withState(JobState.STOPPED, "the lease was closed (" + o.closeReason() + ")").closed());
                    }
                } else if (now >= market.fundedUntil(r.orderId())) {
                    market.settle(r.orderId()); // closes the overdrawn lease and pays what accrued
                    if (mine) {
                        stopRun(r.orderId(), "the lease's deposit is used up");
                    }
                } else if (!mine && !r.sources().isEmpty()) {
                    start(r, o);
                } else if (!mine && now > o.leaseStart() + HANDOFF_TIMEOUT_SECONDS) {
                    // A slot held for a tenant that never hands over its inputs would idle until the deposit runs out.
                    book.log(r.orderId(), "failed: no inputs handed over within " + HANDOFF_TIMEOUT_SECONDS + " s of the lease");
                    book.put(r.withState(JobState.FAILED, "the tenant did not hand over the inputs within "
                            + HANDOFF_TIMEOUT_SECONDS + " s"));
                }
            }
            case DONE, STOPPED, FAILED -> {
                if (!r.leaseClosed()) {
                    ComputeOrder o = market.order(r.orderId());
                    if (o.state() == OrderState.LEASED) {
                        market.closeLease(r.orderId());
                        book.log(r.orderId(), "lease closed by the provider");
                    }
                    book.put(r.closed());
                } else {
                    collectPay(r.orderId(), now);
                }
            }
        }
    }

    /**
     * Asks the market for a closed lease's held-back pay once it is final (a challenge window after the lease's last
     * commitment and its close, no dispute open), at most every {@link #PAY_CHECK_SECONDS} of chain time per lease;
     * forgets the lease once everything it paid was released or it was closed for a fault (nothing more will come).
     */
    private void collectPay(BigInteger orderId, long now) {
        if (paidOut.contains(orderId) || now < nextPayCheck.getOrDefault(orderId, 0L)) {
            return;
        }
        nextPayCheck.put(orderId, now + PAY_CHECK_SECONDS);
        if (market.releasable(orderId).signum() > 0) {
            market.release(orderId);
            book.log(orderId, "pay released: " + market.released(orderId) + " in all");
        }
        ComputeOrder o = market.order(orderId);
        if (o.closeReason() == dev.hypha.chain.compute.CloseReason.FAULT || market.released(orderId).equals(o.paid())) {
            paidOut.add(orderId);
            nextPayCheck.remove(orderId);
        }
    }

    private void withdraw(BigInteger orderId) {
        var bids = market.bids(orderId);
        for (int i = 0; i < bids.size(); i++) {
            if (bids.get(i).provider().equals(self) && !bids.get(i).withdrawn()) {
                market.withdrawBid(orderId, i);
            }
        }
        book.remove(orderId);
        log.accept("order " + orderId + ": bid withdrawn, the order was not leased " + HANDOFF_TIMEOUT_SECONDS
                + " s after its bid window");
    }

    private synchronized boolean isRunning(BigInteger orderId) {
        return running.containsKey(orderId);
    }

    private synchronized void stopRun(BigInteger orderId, String reason) {
        JobRunner runner = running.get(orderId);
        if (runner != null) {
            runner.stop(reason, false);
        }
    }

    private synchronized void start(JobRecord r, ComputeOrder o) {
        JobRunner runner = new JobRunner(r.orderId(), o, r.sources(), offer, store, book, http, checkpoints, System::nanoTime,
                workRoot.resolve(JobRunner.checkpointRef(r.orderId(), o)), sealed, cheat);
        running.put(r.orderId(), runner);
        book.put(r.withState(JobState.FETCHING, ""));
        log.accept("order " + r.orderId() + ": starting");
        workers.execute(() -> finish(r.orderId(), runner));
    }

    private void finish(BigInteger orderId, JobRunner runner) {
        JobRunner.Outcome outcome;
        try {
            outcome = runner.run();
        } catch (RuntimeException e) {
            outcome = new JobRunner.Failed(e.toString());
        }
        JobRecord r = book.get(orderId).orElseThrow();
        JobProgress p = runner.progress();
        if (p != null) {
            r = r.withProgress(p.step(), p.steps(), p.loss());
        }
        switch (outcome) {
            case JobRunner.Done d -> {
                published.publish(d.modelBytes());
                book.put(r.done(d.model().toString()));
            }
            case JobRunner.Halted h when h.shutdown() -> book.put(r); // still ours: a restart resumes it
            case JobRunner.Halted h -> {
                book.log(orderId, "stopped: " + h.reason());
                book.put(r.withState(JobState.STOPPED, h.reason()));
            }
            case JobRunner.Failed f -> {
                book.log(orderId, "failed: " + f.reason());
                book.put(r.withState(JobState.FAILED, f.reason()));
            }
        }
        log.accept("order " + orderId + ": " + book.get(orderId).orElseThrow().state());
        synchronized (this) {
            running.remove(orderId);
        }
    }

    /** Whether no job is running. */
    public synchronized boolean idle() {
        return running.isEmpty();
    }

    /** Stops running jobs without ending them (they stay RUNNING in the book and resume after a restart). */
    @Override
    public void close() {
        synchronized (this) {
            running.values().forEach(r -> r.stop("the provider is stopping", true));
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(60, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}

package dev.hypha.node.offers;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.deploy.OfferRegistryClient;
import dev.hypha.chain.deploy.OfferRegistryClient.OfferTerms;
import dev.hypha.chain.deploy.OfferRegistryClient.PublishedOffer;
import dev.hypha.core.time.Backoff;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A provider's offers on chain for as long as it serves: {@link #start} makes the registry hold exactly the given
 * offers (publishing new or changed ones, withdrawing ones a previous run left that are no longer offered), then a
 * heartbeat every {@code interval} keeps them live; {@link #close} withdraws them all.
 *
 * <p>A failed heartbeat (node unreachable, transaction refused) is logged and retried after a backoff that starts at
 * a second and never exceeds the interval. The retry first compares the chain's offers with the wanted ones and
 * republishes what is missing, so a provider that was cut off longer than the registry's maxAge (and pruned meanwhile)
 * comes back by itself. Transactions go through the client's {@code TransactionSender}, whose submission is idempotent
 * (a retried send never publishes twice).
 *
 * <p>The scheduler is the caller's: the publisher schedules on it and cancels its own task on close, but never shuts it
 * down. Thread-safe.
 */
public final class OfferPublisher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OfferPublisher.class.getName());
    private static final Backoff RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));

    private final OfferRegistryClient registry;
    private List<OfferTerms> wanted;
    private final ScheduledExecutorService scheduler;
    private final Duration interval;
    private final String account;
    private ScheduledFuture<?> next;
    private int failures;
    private boolean closed;

    private OfferPublisher(OfferRegistryClient registry, List<OfferTerms> wanted, ScheduledExecutorService scheduler,
                           Duration interval) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.wanted = checked(wanted);
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.account = registry.account();
    }

    /**
     * Publishes {@code offers} as {@code registry}'s account (which must be an active provider), withdraws any other
     * offer that account still has, and schedules a heartbeat every {@code interval} on {@code scheduler}.
     *
     * @param registry  OfferRegistry, connected as the provider's account ({@code HyphaContracts.offers()})
     * @param offers    what to publish (empty: only withdraw what a previous run left); one per model and token
     * @param scheduler runs the heartbeats; not shut down by the publisher
     * @param interval  time between heartbeats: positive and at most half the registry's maxAge, so one lost heartbeat
     *                  does not take the offers offline ({@link #intervalFor} gives a third of it)
     * @return the running publisher; close it when the provider stops serving
     * @throws dev.hypha.chain.ChainException INPUT for a bad interval or duplicate offers, CHAIN when publishing fails
     *     (e.g. the account is not an active provider: {@code OfferRegistry: ProviderNotActive(...)})
     */
    public static OfferPublisher start(OfferRegistryClient registry, List<OfferTerms> offers,
                                       ScheduledExecutorService scheduler, Duration interval) {
        OfferPublisher p = new OfferPublisher(registry, offers, scheduler, interval);
        long maxAge = registry.maxAge();
        if (!interval.isPositive() || interval.compareTo(Duration.ofSeconds(maxAge).dividedBy(2)) > 0) {
            throw ChainErrors.input("heartbeat interval " + interval + " must be positive and at most half the registry's"
                    + " maxAge of " + maxAge + " s");
        }
        p.reconcile();
        p.schedule(interval);
        return p;
    }

    /** One offer per model and token, at most the registry's per-provider limit. */
    private static List<OfferTerms> checked(List<OfferTerms> offers) {
        List<OfferTerms> copy = List.copyOf(offers);
        Set<String> keys = new HashSet<>();
        for (OfferTerms t : copy) {
            if (!keys.add(key(t.modelId(), t.token()))) {
                throw ChainErrors.input("two offers for model " + t.modelId() + " in token " + t.token()
                        + ": the registry keeps one offer per model and token");
            }
        }
        if (copy.size() > OfferRegistryClient.MAX_OFFERS_PER_PROVIDER) {
            throw ChainErrors.input(copy.size() + " offers given; a provider may publish at most "
                    + OfferRegistryClient.MAX_OFFERS_PER_PROVIDER);
        }
        return copy;
    }

    /**
     * Offers {@code offers} from now on instead of what was offered (a model added to or removed from the store):
     * the chain is brought to hold exactly them at once, or, if that fails, at the next scheduled step.
     */
    public synchronized void offer(List<OfferTerms> offers) {
        List<OfferTerms> next = checked(offers);
        if (closed || next.equals(wanted)) {
            return;
        }
        wanted = next;
        try {
            reconcile();
        } catch (RuntimeException e) {
            failures++; // the next step reconciles again
            LOG.log(System.Logger.Level.WARNING, "updating the offers of " + account + " failed, retrying: "
                    + e.getMessage());
        }
    }

    /** A third of {@code maxAgeSeconds}: two heartbeats may fail before the offers stop being live. */
    public static Duration intervalFor(long maxAgeSeconds) {
        return Duration.ofSeconds(maxAgeSeconds).dividedBy(3);
    }

    /** The offers this publisher keeps live. */
    public synchronized List<OfferTerms> offers() {
        return wanted;
    }

    /**
     * One scheduled step, run now: a heartbeat, or after a failure a comparison with the chain that republishes what
     * is missing. Never throws; returns how long to wait before the next step (the interval, or a backoff after a
     * failure), or null once closed.
     */
    synchronized Duration beat() {
        if (closed) {
            return null;
        }
        try {
            if (failures > 0) {
                reconcile();
            } else if (!wanted.isEmpty()) {
                registry.heartbeat();
            }
            if (failures > 0) {
                LOG.log(System.Logger.Level.INFO, "offers of " + account + " are published again after " + failures
                        + " failed heartbeat(s)");
            }
            failures = 0;
            return interval;
        } catch (RuntimeException e) {
            failures++;
            Duration wait = RETRY.delay(failures);
            wait = wait.compareTo(interval) > 0 ? interval : wait;
            LOG.log(System.Logger.Level.WARNING, "offer heartbeat of " + account + " failed (" + failures
                    + " in a row), retrying in " + wait + ": " + e.getMessage());
            return wait;
        }
    }

    /** Withdraws every offer of this account and stops the heartbeats. Failures are logged: offers expire anyway. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (next != null) {
            next.cancel(false);
        }
        try {
            registry.withdrawAll();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "withdrawing the offers of " + account + " failed (they stop being live"
                    + " after the registry's maxAge): " + e.getMessage());
        }
    }

    /** Makes the chain hold exactly the wanted offers; a heartbeat when nothing needed publishing. */
    private void reconcile() {
        List<PublishedOffer> onChain = registry.offersOf(account);
        for (PublishedOffer p : onChain) {
            if (wanted.stream().noneMatch(t -> key(t.modelId(), t.token()).equals(key(p.modelId(), p.token())))) {
                registry.withdraw(p.modelId(), p.token());
            }
        }
        boolean published = false;
        for (OfferTerms t : wanted) {
            if (onChain.stream().noneMatch(p -> same(t, p))) {
                registry.publish(t);
                published = true;
            }
        }
        if (!published && !wanted.isEmpty()) {
            registry.heartbeat();
        }
    }

    private synchronized void schedule(Duration delay) {
        if (closed) {
            return;
        }
        try {
            next = scheduler.schedule(this::runScheduled, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.WARNING, "offer heartbeats of " + account + " stopped: the scheduler was shut down");
        }
    }

    private void runScheduled() {
        Duration wait = beat();
        if (wait != null) {
            schedule(wait);
        }
    }

    private static boolean same(OfferTerms t, PublishedOffer p) {
        return key(t.modelId(), t.token()).equals(key(p.modelId(), p.token())) && t.model().equals(p.model())
                && t.inputPerMillion().equals(p.inputPerMillion()) && t.outputPerMillion().equals(p.outputPerMillion())
                && t.contextLength() == p.contextLength() && t.concurrency() == p.concurrency();
    }

    private static String key(String modelId, String token) {
        return modelId.toLowerCase(java.util.Locale.ROOT) + "/" + token.toLowerCase(java.util.Locale.ROOT);
    }
}

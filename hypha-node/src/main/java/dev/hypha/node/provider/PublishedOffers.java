package dev.hypha.node.provider;

import dev.hypha.chain.deploy.OfferRegistryClient;
import dev.hypha.chain.deploy.OfferRegistryClient.OfferTerms;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.offers.OfferPublisher;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.time.Duration;

/**
 * A provider's models on the OfferRegistry while it serves: one offer per model at the provider's prices, kept live by
 * heartbeats on a scheduler of its own, following the engine's model list (a model imported or removed while it
 * serves is offered or withdrawn within {@link #FOLLOW_EVERY}), withdrawn on close. The engine runs one request per
 * model at a time, so each offer says concurrency 1.
 */
public final class PublishedOffers implements AutoCloseable {
    /** How often the offers are compared with the engine's models. */
    static final Duration FOLLOW_EVERY = Duration.ofSeconds(10);
    private static final System.Logger LOG = System.getLogger(PublishedOffers.class.getName());
    /** What an offer says when the engine does not tell its model's context (an upstream Ollama server). */
    static final long UNKNOWN_CONTEXT = 2048;
    private final ScheduledExecutorService scheduler;
    private final OfferPublisher publisher;

    private PublishedOffers(ScheduledExecutorService scheduler, OfferPublisher publisher) {
        this.scheduler = scheduler;
        this.publisher = publisher;
    }

    /**
     * Publishes {@code models} (the account behind {@code registry} must be an active provider).
     *
     * @throws dev.hypha.chain.ChainException when publishing fails (e.g. {@code ProviderNotActive})
     */
    public static PublishedOffers publish(OfferRegistryClient registry, Supplier<List<ModelInfo>> models,
                                          ProviderTerms terms) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("offer-heartbeat").factory());
        try {
            OfferPublisher publisher = OfferPublisher.start(registry, offers(models.get(), terms), scheduler,
                    OfferPublisher.intervalFor(registry.maxAge()));
            scheduler.scheduleWithFixedDelay(() -> follow(publisher, models, terms), FOLLOW_EVERY.toMillis(),
                    FOLLOW_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            return new PublishedOffers(scheduler, publisher);
        } catch (RuntimeException e) {
            scheduler.shutdownNow();
            throw e;
        }
    }

    private static List<OfferTerms> offers(List<ModelInfo> models, ProviderTerms terms) {
        return models.stream().map(m -> terms(m, terms)).toList();
    }

    private static void follow(OfferPublisher publisher, Supplier<List<ModelInfo>> models, ProviderTerms terms) {
        try {
            publisher.offer(offers(models.get(), terms));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot bring the offers in line with the store: " + e.getMessage());
        }
    }

    /** The offer for one model: the content-id digest receipts carry, the provider's prices, its trained context. */
    static OfferTerms terms(ModelInfo m, ProviderTerms terms) {
        return new OfferTerms(m.digestHex(),
                terms.token().lowercaseHex(), m.name(), terms.prices().inputPerMillion(),
                terms.prices().outputPerMillion(), m.contextLength() > 0 ? m.contextLength() : UNKNOWN_CONTEXT, 1);
    }

    /** How many offers are kept live. */
    public int count() {
        return publisher.offers().size();
    }

    /** Withdraws the offers and stops the heartbeats. */
    @Override
    public void close() {
        try {
            publisher.close();
        } finally {
            scheduler.shutdown();
        }
    }
}

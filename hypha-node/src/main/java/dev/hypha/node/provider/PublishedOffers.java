package dev.hypha.node.provider;

import dev.hypha.chain.deploy.OfferRegistryClient;
import dev.hypha.chain.deploy.OfferRegistryClient.OfferTerms;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.offers.OfferPublisher;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A provider's models on the OfferRegistry while it serves: one offer per model at the provider's prices, kept live by
 * heartbeats on a scheduler of its own, withdrawn on close. The engine runs one request per model at a time, so each
 * offer says concurrency 1.
 */
public final class PublishedOffers implements AutoCloseable {
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
    public static PublishedOffers publish(OfferRegistryClient registry, List<ModelInfo> models, ProviderTerms terms) {
        List<OfferTerms> offers = models.stream().map(m -> terms(m, terms)).toList();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("offer-heartbeat").factory());
        try {
            return new PublishedOffers(scheduler, OfferPublisher.start(registry, offers, scheduler,
                    OfferPublisher.intervalFor(registry.maxAge())));
        } catch (RuntimeException e) {
            scheduler.shutdownNow();
            throw e;
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

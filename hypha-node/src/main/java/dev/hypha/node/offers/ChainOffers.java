package dev.hypha.node.offers;

import dev.hypha.chain.deploy.OfferRegistryClient;
import dev.hypha.chain.deploy.OfferRegistryClient.PublishedOffer;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.chain.deploy.ProviderRegistryClient.ProviderInfo;
import dev.hypha.core.crypto.Address;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The offers published in OfferRegistry, joined with each provider's endpoint and signing key from ProviderRegistry.
 * Providers that are not active there (deactivated, or staked below the minimum) are left out.
 *
 * <p>Everything read from the chain was written by someone else, so it is treated as hostile: at most
 * {@link #MAX_OFFERS} offers are read (in pages of {@link OfferRegistryClient#MAX_PAGE_SIZE}), endpoints must be
 * http or https URIs with a host, model names printable ASCII of bounded length, numbers within what {@link Offer}
 * holds. An entry that fails a check is skipped with a log line naming the offer and what was wrong; the rest of the
 * list is still returned (each bad entry is logged once per instance). Each call reads the chain afresh (callers cache
 * as they see fit).
 */
public final class ChainOffers implements OfferSource {
    /** Most offers one {@link #offers()} call reads; beyond it the rest are skipped (and logged). */
    public static final int MAX_OFFERS = 10_000;
    private static final System.Logger LOG = System.getLogger(ChainOffers.class.getName());
    private static final int MAX_ENDPOINT_LENGTH = 256;
    private static final Pattern MODEL_NAME =
            Pattern.compile("[\\x21-\\x7e]{1," + OfferRegistryClient.MAX_MODEL_NAME_LENGTH + "}");
    private static final Pattern BYTES32 = Pattern.compile("0x[0-9a-f]{64}");

    /** Bound on the remembered skip warnings; the set starts afresh when it is full. */
    private static final int MAX_WARNED = 1_000;

    private final OfferRegistryClient offers;
    private final ProviderRegistryClient providers;
    /** Offers already logged as skipped (id and reason), so a gateway polling the chain logs each bad entry once. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /**
     * @param offers    the offer registry (read-only clients suffice)
     * @param providers the provider registry its offers' providers are registered in
     */
    public ChainOffers(OfferRegistryClient offers, ProviderRegistryClient providers) {
        this.offers = Objects.requireNonNull(offers, "offers");
        this.providers = Objects.requireNonNull(providers, "providers");
    }

    /** The offers of active providers, live or not, ordered by provider, then model id, then token. */
    @Override
    public List<Offer> offers() {
        Map<String, PublishedOffer> byId = new LinkedHashMap<>();
        long total = offers.offerCount();
        if (total > MAX_OFFERS) {
            LOG.log(System.Logger.Level.WARNING, "OfferRegistry lists " + total + " offers; reading only the first "
                    + MAX_OFFERS);
        }
        long end = Math.min(total, MAX_OFFERS);
        for (long start = 0; start < end; start += OfferRegistryClient.MAX_PAGE_SIZE) {
            List<PublishedOffer> page = offers.page(start, (int) Math.min(OfferRegistryClient.MAX_PAGE_SIZE, end - start));
            if (page.isEmpty()) {
                break; // the list shrank while we read it
            }
            // A removal between pages moves the last offer into the removed one's place: an offer may then be seen
            // twice (kept once) or missed until the next call, never invented.
            page.forEach(o -> byId.putIfAbsent(o.id(), o));
        }
        Map<String, Optional<ProviderInfo>> usable = new HashMap<>();
        List<Offer> out = new ArrayList<>();
        for (PublishedOffer p : byId.values()) {
            Optional<ProviderInfo> provider = usable.computeIfAbsent(p.provider(), this::activeProvider);
            if (provider.isEmpty()) {
                continue;
            }
            try {
                out.add(toOffer(p, provider.get()));
            } catch (IllegalArgumentException e) {
                warnOnce(p, e.getMessage());
            }
        }
        out.sort(Comparator.comparing((Offer o) -> o.provider().lowercaseHex())
                .thenComparing(Offer::modelId).thenComparing(o -> o.token().lowercaseHex()));
        return List.copyOf(out);
    }

    private void warnOnce(PublishedOffer p, String reason) {
        if (warned.size() >= MAX_WARNED) {
            warned.clear();
        }
        if (warned.add(p.id() + " " + reason)) {
            LOG.log(System.Logger.Level.WARNING, "skipping offer " + p.id() + " of provider " + p.provider() + ": "
                    + reason);
        }
    }

    private Optional<ProviderInfo> activeProvider(String address) {
        if (!providers.isActive(address)) {
            return Optional.empty();
        }
        return providers.provider(address);
    }

    /**
     * Checks one published offer and joins its provider's endpoint and signing key.
     *
     * @throws IllegalArgumentException naming the field that is wrong
     */
    static Offer toOffer(PublishedOffer p, ProviderInfo provider) {
        if (!MODEL_NAME.matcher(p.model()).matches()) {
            throw new IllegalArgumentException("model name is not 1.." + OfferRegistryClient.MAX_MODEL_NAME_LENGTH
                    + " printable ASCII characters");
        }
        if (!BYTES32.matcher(p.modelId()).matches()) {
            throw new IllegalArgumentException("model id is not 0x + 64 hex digits");
        }
        return new Offer(Address.parse(p.provider()), endpoint(provider.endpoint()), Address.parse(provider.signingKey()),
                p.model(), p.modelId(), Address.parse(p.token()), p.inputPerMillion(), p.outputPerMillion(),
                positiveInt("context length", p.contextLength()), positiveInt("concurrency", p.concurrency()),
                Instant.ofEpochSecond(p.liveUntil()));
    }

    /** The provider's registered endpoint, if it is an absolute http(s) URI with a host and no user info. */
    static URI endpoint(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_ENDPOINT_LENGTH) {
            throw new IllegalArgumentException("endpoint is empty or longer than " + MAX_ENDPOINT_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("endpoint is not a URI: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("endpoint scheme must be http or https");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("endpoint must have a host and no user info, query or fragment");
        }
        return uri;
    }

    private static int positiveInt(String what, long v) {
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " " + v + " is not between 1 and " + Integer.MAX_VALUE);
        }
        return (int) v;
    }
}

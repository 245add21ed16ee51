package dev.hypha.node.gateway.network;

import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.crypto.TypedData;
import dev.hypha.node.apps.AppCharges;
import dev.hypha.node.apps.AppTag;
import dev.hypha.node.gateway.AdmissionQueue;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.EmbedCall;
import dev.hypha.node.gateway.Embeddings;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.ModelDetails;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.RunningModel;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.TokenBudget;
import dev.hypha.node.gateway.remote.OfferTerms;
import dev.hypha.node.gateway.remote.ProviderCheated;
import dev.hypha.node.gateway.remote.ProviderFailure;
import dev.hypha.node.gateway.remote.ProviderHttp;
import dev.hypha.node.gateway.remote.RemoteBackend;
import dev.hypha.node.gateway.remote.RemoteProvider;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.offers.OfferSource;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PayerReceipts;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Answers bought from the network's providers (see the package notes). A request goes to the best-ranked live offer
 * for its model; when that provider fails before or during its answer, the next one continues from the text already
 * delivered, so the client receives one answer and pays each provider only for what that provider produced (plus at
 * most the failed request's reserved maximum, which a provider that died mid-answer may redeem).
 */
public final class NetworkBackend implements InferenceBackend {
    /** Most providers tried for one request. */
    static final int MAX_ATTEMPTS = 3;
    private static final System.Logger LOG = System.getLogger(NetworkBackend.class.getName());

    /**
     * Everything that identifies who and how the payer pays.
     *
     * @param opmlVerifier the OpmlVerifier answers of verifiable models are committed for (empty: the deployment has
     *                     none, and such answers are refused)
     */
    public record Payer(PayerLedger ledger, PayerReceipts receipts, Function<TypedData, Signature> key,
                        PayerChannels channels, Address channelsContract, ReceiptDomain receiptDomain,
                        Optional<Address> opmlVerifier) {
        /** A payer on a deployment without OpmlVerifier. */
        public Payer(PayerLedger ledger, PayerReceipts receipts, Function<TypedData, Signature> key,
                     PayerChannels channels, Address channelsContract, ReceiptDomain receiptDomain) {
            this(ledger, receipts, key, channels, channelsContract, receiptDomain, Optional.empty());
        }

        public Payer {
            Objects.requireNonNull(opmlVerifier, "opmlVerifier");
            Objects.requireNonNull(ledger, "ledger");
            Objects.requireNonNull(receipts, "receipts");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(channels, "channels");
            Objects.requireNonNull(channelsContract, "channelsContract");
            Objects.requireNonNull(receiptDomain, "receiptDomain");
        }
    }

    private final OfferSource offers;
    private final Router router;
    private final ProviderStats stats;
    private final Payer payer;
    private final Function<Offer, ProviderHttp> transport;
    private final Clock clock;
    private final Map<String, RemoteBackend> remotes = new HashMap<>();
    private final AdmissionQueue admission = new AdmissionQueue(AdmissionQueue.DEFAULT_CAPACITY);
    private final Optional<AppCharges> appCharges;

    /**
     * @param transport the HTTP client to reach an offer's provider with (closed with this backend)
     */
    public NetworkBackend(OfferSource offers, Router router, Payer payer, Function<Offer, ProviderHttp> transport,
                          Clock clock) {
        this(offers, router, payer, transport, clock, Optional.empty());
    }

    /**
     * @param appCharges charges requests tagged with an app ({@link AppTag}) once answered; empty: tagged requests are
     *                   refused (this gateway cannot charge apps)
     */
    public NetworkBackend(OfferSource offers, Router router, Payer payer, Function<Offer, ProviderHttp> transport,
                          Clock clock, Optional<AppCharges> appCharges) {
        this.appCharges = Objects.requireNonNull(appCharges, "appCharges");
        this.offers = Objects.requireNonNull(offers, "offers");
        this.router = Objects.requireNonNull(router, "router");
        this.stats = router.stats();
        this.payer = Objects.requireNonNull(payer, "payer");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Completion generate(GenerateCall request, TextSink sink) {
        Optional<AppUse> app = appUse();
        try (AdmissionQueue.Ticket ticket = admission.enter()) { // 503 beyond 512 requests held, as Ollama
            return bought(request, sink, app);
        }
    }

    /** A tagged request's app and the price quoted for its use. */
    private record AppUse(long appId, BigInteger quoted) {}

    /** The request's app use, checked (and quoted) before anything is bought; empty when it names no app. */
    private Optional<AppUse> appUse() {
        OptionalLong app = AppTag.current();
        if (app.isEmpty()) {
            return Optional.empty();
        }
        AppCharges charges = appCharges.orElseThrow(() -> GatewayException.badRequest(AppTag.HEADER + " names app "
                + app.getAsLong() + ", but this gateway cannot charge apps (no AppRewards)"));
        return Optional.of(new AppUse(app.getAsLong(), charges.check(app.getAsLong())));
    }

    /**
     * Pays the app's price for an answered request to the provider that answered it. A failed charge does not take
     * back the answer the client already has: it is logged (the app's Paid events are the record of what was charged).
     */
    private void chargeApp(Optional<AppUse> app, Offer offer) {
        if (app.isEmpty()) {
            return;
        }
        try {
            appCharges.orElseThrow().charge(app.get().appId(), app.get().quoted(), offer.provider());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "answered request for app " + app.get().appId() + " was not charged: "
                    + e.getMessage());
        }
    }

    private Completion bought(GenerateCall request, TextSink sink, Optional<AppUse> app) {
        long start = System.nanoTime();
        List<Offer> ranked = ranked(request.model());
        GenerateCall call = request.withModel(Router.canonical(request.model())); // receipts and usage name it one way
        StringBuilder delivered = new StringBuilder();
        int[] pieces = {0};
        List<String> failures = new ArrayList<>();
        for (Offer offer : ranked.subList(0, Math.min(MAX_ATTEMPTS, ranked.size()))) {
            int piecesBefore = pieces[0];
            Optional<GenerateCall> next = Continuation.of(call, delivered.toString(), piecesBefore);
            if (next.isEmpty()) {
                // The failed provider delivered the whole token limit: the answer is complete as it is.
                return new Completion(delivered.toString(), Completion.DoneReason.LENGTH, 0, piecesBefore, 0, 0, 0,
                        System.nanoTime() - start);
            }
            long asked = System.nanoTime();
            long[] firstPiece = {0};
            TextSink counting = piece -> {
                if (firstPiece[0] == 0) {
                    firstPiece[0] = System.nanoTime();
                }
                sink.accept(piece);
                pieces[0]++;
            };
            try {
                Completion c = remoteFor(offer).generate(next.get(), Optional.of(OfferTerms.of(offer)), counting);
                stats.answered(offer.provider(), clock.instant(),
                        (firstPiece[0] == 0 ? System.nanoTime() : firstPiece[0]) - asked);
                chargeApp(app, offer); // the provider that finished the answer serves the app's use
                if (piecesBefore == 0) {
                    return c;
                }
                return new Completion(delivered + c.text(), c.doneReason(),
                        Math.max(1, c.promptTokens() - piecesBefore), piecesBefore + c.generatedTokens(), c.loadNanos(),
                        c.promptEvalNanos(), c.evalNanos(), System.nanoTime() - start, c.toolCalls(), c.logprobs());
            } catch (ProviderFailure f) {
                Optional<String> whyNot = Continuation.whyNot(call);
                if (whyNot.isPresent() && !f.partialText().isEmpty()) {
                    stats.failed(offer.provider(), f.fault(), f.getMessage(), clock.instant());
                    throw new GatewayException(GatewayException.Kind.INTERNAL, f.getMessage() + " after "
                            + f.partialText().length() + " characters; " + whyNot.get()
                            + ", so the answer cannot be continued by another provider");
                }
                delivered.append(f.partialText());
                stats.failed(offer.provider(), f.fault(), f.getMessage(), clock.instant());
                failures.add(f.getMessage());
                LOG.log(System.Logger.Level.WARNING, f.getMessage() + (f.partialText().isEmpty() ? ""
                        : " after " + f.partialText().length() + " characters; continuing with another provider"));
            } catch (ProviderCheated c) {
                stats.failed(offer.provider(), c.fault(), c.getMessage(), clock.instant());
                LOG.log(System.Logger.Level.WARNING, "caught cheating (" + c.fault() + "): " + c.getMessage());
                if (c.delivered() || pieces[0] > piecesBefore) {
                    throw c; // the client has seen this answer: it cannot be continued as if nothing was said
                }
                failures.add(c.getMessage());
            }
        }
        throw new GatewayException(GatewayException.Kind.INTERNAL, (ranked.size() > MAX_ATTEMPTS ? "none of the "
                + MAX_ATTEMPTS + " providers tried" : "no provider offering " + call.model()) + " could answer: "
                + String.join("; ", failures));
    }

    /** The live, permitted offers for {@code model}, best first; NOT_FOUND (with why) when there is none. */
    private List<Offer> ranked(String model) {
        Instant now = clock.instant();
        List<Offer> all = offers.offers();
        List<Offer> ranked = router.rank(model, all, now);
        if (!ranked.isEmpty()) {
            return ranked;
        }
        String name = Router.canonical(model);
        List<Offer> named = all.stream().filter(o -> Router.canonical(o.model()).equals(name)).toList();
        if (named.isEmpty()) {
            throw GatewayException.modelNotFound(model);
        }
        if (named.stream().noneMatch(o -> o.liveAt(now))) {
            throw new GatewayException(GatewayException.Kind.NOT_FOUND, "model \"" + model + "\" is offered by "
                    + named.size() + " provider(s), but none has sent a heartbeat recently (all offers lapsed)");
        }
        throw new GatewayException(GatewayException.Kind.NOT_FOUND, "model \"" + model + "\" is offered only by "
                + "providers your routing policy excludes, in a token this gateway cannot pay in, or at plain-HTTP "
                + "endpoints on other machines (prompts go only over TLS bound to the provider's key)");
    }

    private synchronized RemoteBackend remoteFor(Offer offer) {
        String key = offer.provider().lowercaseHex() + "|" + offer.token().lowercaseHex() + "|" + offer.endpoint()
                + "|" + offer.signingKey().lowercaseHex();
        RemoteBackend known = remotes.get(key);
        if (known != null) {
            return known;
        }
        ChannelParams channel = payer.channels().channelTo(offer.provider(), offer.token());
        RemoteBackend remote = new RemoteBackend(new RemoteProvider(offer.endpoint(), offer.signingKey(), channel,
                payer.channelsContract(), payer.receiptDomain(), payer.opmlVerifier()), payer.ledger(), payer.receipts(), payer.key(),
                payer.channels(), transport.apply(offer), clock);
        remotes.put(key, remote);
        return remote;
    }

    /** The models live offers name, each once, with the longest context any provider serves it with. */
    @Override
    public List<ModelInfo> models() {
        Instant now = clock.instant();
        Map<String, ModelInfo> byName = new TreeMap<>();
        for (Offer o : offers.offers()) {
            if (!o.liveAt(now)) {
                continue;
            }
            String name = Router.canonical(o.model());
            ModelInfo known = byName.get(name);
            if (known == null || known.contextLength() < o.contextLength()) {
                byName.put(name, info(name, o));
            }
        }
        return List.copyOf(byName.values());
    }

    private static ModelInfo info(String name, Offer o) {
        // The network knows a model by its content-id digest and name; file facts stay with the providers.
        return new ModelInfo(name, o.modelId().substring(2), 0, Instant.EPOCH, "", 0, "", o.contextLength());
    }

    @Override
    public ModelDetails show(String model, boolean verbose) {
        List<Offer> live = ranked(model);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("hypha.providers", live.size());
        metadata.put("hypha.cheapest_input_per_million", live.getFirst().inputPerMillion().toString());
        metadata.put("hypha.cheapest_output_per_million", live.getFirst().outputPerMillion().toString());
        return new ModelDetails(info(Router.canonical(model), live.getFirst()), metadata, "", List.of("completion"));
    }

    /** Nothing is loaded here: providers keep their own models. */
    @Override
    public List<RunningModel> running() {
        return List.of();
    }

    @Override
    public long load(String model, KeepAlive keepAlive) {
        ranked(model); // NOT_FOUND when nobody offers it; providers decide what stays loaded
        return 0;
    }

    @Override
    public TokenBudget budget(GenerateCall call) {
        throw GatewayException.badRequest("the network backend does not price requests: providers do, in their 402");
    }

    /**
     * Embeddings bought from the best-ranked live offer for the model; a provider that fails (unreachable, overloaded,
     * refused our voucher) is replaced by the next, at most {@value #MAX_ATTEMPTS} tried, each paid only for what it
     * answered (a failed one at most its reserved maximum).
     */
    @Override
    public Embeddings embed(EmbedCall request) {
        if (AppTag.current().isPresent()) {
            // Not charged here yet: refused rather than served as if the app had paid.
            throw GatewayException.badRequest(AppTag.HEADER + " is charged on /api/generate, /api/chat and their OpenAI"
                    + " equivalents only; send embedding requests without it");
        }
        try (AdmissionQueue.Ticket ticket = admission.enter()) {
            List<Offer> ranked = ranked(request.model());
            EmbedCall call = new EmbedCall(Router.canonical(request.model()), request.inputs(), request.truncate(),
                    request.keepAlive());
            List<String> failures = new ArrayList<>();
            for (Offer offer : ranked.subList(0, Math.min(MAX_ATTEMPTS, ranked.size()))) {
                long asked = System.nanoTime();
                try {
                    Embeddings e = remoteFor(offer).embed(call);
                    stats.answered(offer.provider(), clock.instant(), System.nanoTime() - asked);
                    return e;
                } catch (ProviderFailure f) {
                    stats.failed(offer.provider(), f.fault(), f.getMessage(), clock.instant());
                    failures.add(f.getMessage());
                    LOG.log(System.Logger.Level.WARNING, f.getMessage() + "; trying another provider");
                } catch (ProviderCheated c) {
                    // A wrong 402 or a refused receipt: recorded as cheating; its vectors never reached the client,
                    // so another provider may still answer
                    stats.failed(offer.provider(), c.fault(), c.getMessage(), clock.instant());
                    failures.add(c.getMessage());
                    LOG.log(System.Logger.Level.WARNING, "caught cheating (" + c.fault() + "): " + c.getMessage());
                }
            }
            throw new GatewayException(GatewayException.Kind.INTERNAL, "no provider offering " + call.model()
                    + " could embed: " + String.join("; ", failures));
        }
    }

    @Override
    public synchronized void close() {
        remotes.values().forEach(RemoteBackend::close);
        remotes.clear();
    }
}

package dev.hypha.node.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.time.TimeSource;
import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard on the node's API address: the page at {@code /ui}, its files under {@code /ui/static/}, and a JSON
 * API under {@code /ui/api/}, read-only (GET) except the actions under {@code /ui/api/actions/}, which spend only in
 * two steps, a quote that shows the cost and a confirmation of it ({@link ChannelFunding}, {@link TrainingOrders}, both
 * through {@link PendingConfirmations}), and only from a page of
 * this node's own origin. The chat playground posts to the gateway's own {@code /api/chat}, as any client of this
 * node does. Beyond loopback the node's
 * {@code ApiKeyGuard} leaves only {@link #OPEN_PATHS} and {@link #OPEN_PREFIXES} open (they hold no data); the page
 * then asks for a key and sends it on every API call. No key, password or RPC address is ever in an answer.
 */
public final class UiRoutes implements ApiRoutes, AutoCloseable {
    /** Paths that need no API key beyond loopback: the page shell and its files, which carry no node data. */
    public static final List<String> OPEN_PATHS = List.of("/ui", "/ui/");
    public static final List<String> OPEN_PREFIXES = List.of("/ui/static/");

    private static final Logger LOG = LoggerFactory.getLogger(UiRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UNSIGNED = Pattern.compile("[0-9]{1,18}");
    /**
     * The page loads only its own files and talks only to this node. Inline styles are allowed because the chart
     * library sizes its canvas through style attributes; scripts are never inline.
     */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final StaticAssets assets;
    private final InferenceReader inference;
    private final OverviewReader overview;
    private final ModelsReader models;
    private final ComputeReader compute;
    private final AssetsReader assetsReader;
    private final SubnetsReader subnets;
    private final AgentsReader agents;
    private final ChannelFunding funding;
    private final TrainingOrders training;
    private final LiveTicks ticks;
    private final boolean paying;

    public UiRoutes(DashboardSources sources, TimeSource clock) {
        Objects.requireNonNull(sources, "sources");
        Objects.requireNonNull(clock, "clock");
        this.assets = new StaticAssets();
        this.inference = new InferenceReader(sources, clock);
        Supplier<TokenLabel> token = new Cached<>(() -> TokenLabel.payment(sources.contracts()), Duration.ofDays(365),
                clock);
        Supplier<TokenLabel> hyp = new Cached<>(() -> TokenLabel.hyp(sources.contracts()), Duration.ofDays(365), clock);
        this.compute = new ComputeReader(sources, inference::liveness, clock);
        this.assetsReader = new AssetsReader(sources, clock);
        this.subnets = new SubnetsReader(sources, clock);
        this.agents = new AgentsReader(sources, clock);
        this.funding = new ChannelFunding(sources, clock, inference::channelsChanged);
        this.training = new TrainingOrders(sources, clock, compute::changed);
        this.overview = new OverviewReader(sources, inference, compute, assetsReader, subnets, agents, token, hyp);
        this.models = new ModelsReader(sources.store());
        this.paying = sources.payer().isPresent();
        Cached<String> tick = new Cached<>(() -> tick(sources), LiveTicks.EVERY, clock);
        this.ticks = new LiveTicks(tick, clock);
        // The first page load would otherwise pay for reading token labels, offers and standings and for warming
        // the JSON and RPC paths (a second on a busy machine); done once in the background, it costs nobody a wait.
        Thread.ofVirtual().name("dashboard-warm-up").start(() -> {
            try {
                overview.json();
                inference.offersJson();
            } catch (RuntimeException e) {
                LOG.debug("dashboard warm-up failed (the first page load reads again): {}", e.toString());
            }
        });
    }

    private String tick(DashboardSources sources) {
        ObjectNode t = JsonNodeFactory.instance.objectNode();
        Instant at = inference.liveness();
        t.put("block", sources.chain().blockNumber()).put("receipts", inference.newestReceipt())
                .put("earned", inference.newestCharge())
                .put("models", sources.store().list().models().size())
                .put("liveOffers", inference.offers().stream().filter(o -> o.liveAt(at)).count())
                .put("partialPulls", models.partialPulls().size())
                .put("compute", compute.fingerprint()).put("assets", assetsReader.fingerprint())
                .put("subnets", subnets.fingerprint()).put("agents", agents.fingerprint())
                .put("channels", inference.channelsFingerprint()).put("training", training.fingerprint());
        return t.toString();
    }

    @Override
    public void addTo(Javalin api) {
        api.get("/ui", this::page);
        api.get("/ui/", this::page);
        api.get("/ui/static/{name}", ctx -> assets.serve(ctx, ctx.pathParam("name")));
        api.get("/ui/static/uplot/{name}", ctx -> assets.serve(ctx, "uplot/" + ctx.pathParam("name")));
        api.get("/ui/api/overview", ctx -> json(ctx, overview::json));
        api.get("/ui/api/offers", ctx -> json(ctx, inference::offersJson));
        api.get("/ui/api/channels", ctx -> json(ctx, inference::channelsJson));
        api.get("/ui/api/spending", ctx -> json(ctx, inference::spendingJson));
        api.get("/ui/api/earnings", ctx -> json(ctx, inference::earningsJson));
        api.get("/ui/api/models", ctx -> json(ctx, models::json));
        api.get("/ui/api/compute", ctx -> json(ctx, compute::json));
        api.get("/ui/api/assets", ctx -> json(ctx, assetsReader::json));
        api.get("/ui/api/subnets", ctx -> json(ctx, subnets::json));
        api.get("/ui/api/agents", ctx -> json(ctx, agents::json));
        api.get("/ui/api/node", ctx -> json(ctx, () -> JsonNodeFactory.instance.objectNode().put("paying", paying)
                .put("canFundChannels", funding.available()).put("canOrderTraining", training.available())));
        api.get("/ui/api/training", ctx -> json(ctx, training::json));
        api.post("/ui/api/actions/channel/quote", ctx -> action(ctx, funding::quote));
        api.post("/ui/api/actions/channel/confirm", ctx -> action(ctx, funding::confirm));
        api.post("/ui/api/actions/training/quote", ctx -> action(ctx, training::quote));
        api.post("/ui/api/actions/training/confirm", ctx -> action(ctx, training::confirm));
        api.get("/ui/api/receipts", this::receipts);
        api.sse("/ui/api/events", ticks::serve);
    }

    private void page(Context ctx) {
        ctx.header("Content-Security-Policy", CSP).header("Referrer-Policy", "no-referrer");
        assets.serve(ctx, "index.html");
    }

    /** Most bytes an action's request body may have. */
    private static final int MAX_ACTION_BODY = 4_096;

    /**
     * An action that spends: JSON in, JSON out, and only from a page of this node's own origin reached by a name no
     * one can rebind ({@link ActionOrigin}; JSON bodies also need a CORS preflight this node never grants).
     */
    private static void action(Context ctx, java.util.function.Function<JsonNode, ? extends JsonNode> run) {
        java.util.Optional<String> foreign = ActionOrigin.refusal(ctx.header("Origin"), ctx.header("Host"));
        if (foreign.isPresent()) {
            error(ctx, 403, foreign.get());
            return;
        }
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            error(ctx, 415, "an action's body must be application/json");
            return;
        }
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > MAX_ACTION_BODY) {
            error(ctx, 413, "an action's body may have at most " + MAX_ACTION_BODY + " bytes, had " + raw.length);
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(raw);
        } catch (java.io.IOException e) {
            error(ctx, 400, "the body is not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
            return;
        }
        try {
            json(ctx, () -> run.apply(body));
        } catch (ActionRefused e) {
            error(ctx, e.status, e.getMessage());
        }
    }

    private void receipts(Context ctx) {
        long after;
        int limit;
        try {
            after = unsigned(ctx, "after", 0);
            limit = (int) unsigned(ctx, "limit", 50);
        } catch (IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        if (limit < 1 || limit > InferenceReader.MAX_RECEIPTS_PAGE) {
            error(ctx, 400, "limit must be 1.." + InferenceReader.MAX_RECEIPTS_PAGE + ", was " + limit);
            return;
        }
        json(ctx, () -> inference.receiptsJson(after, limit));
    }

    private static long unsigned(Context ctx, String name, long absent) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return absent;
        }
        if (!UNSIGNED.matcher(v).matches()) {
            throw new IllegalArgumentException(name + " must be a whole number 0..999999999999999999, was '"
                    + (v.length() > 24 ? v.substring(0, 24) + "…" : v) + "'");
        }
        return Long.parseLong(v);
    }

    private static void json(Context ctx, Supplier<? extends JsonNode> read) {
        JsonNode body;
        try {
            body = read.get();
        } catch (ActionRefused e) {
            throw e; // an action's refusal carries its own status
        } catch (RuntimeException e) {
            // The chain or a file failed: say so (the page shows it) instead of a blank 500.
            LOG.warn("dashboard read {} failed: {}", ctx.path(), e.toString());
            error(ctx, 503, "cannot read the node's state: " + e.getMessage());
            return;
        }
        try {
            ctx.header("Cache-Control", "no-store").contentType("application/json; charset=utf-8")
                    .result(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the dashboard's JSON", e);
        }
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).header("Cache-Control", "no-store").contentType("application/json; charset=utf-8")
                .result(JsonNodeFactory.instance.objectNode().put("error", message).toString());
    }

    /** Ends the live streams and stops following orders (the node's server closes their connections when it stops). */
    @Override
    public void close() {
        ticks.close();
        training.close();
    }
}

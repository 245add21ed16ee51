package dev.hypha.node.compute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.ChainException;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.deploy.ComputeMarketClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.math.BigInteger;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A provider's job API, only for each lease's tenant ({@link TenantAuth} signature on every request):
 * <ul>
 *   <li>{@code POST /compute/jobs/{order}/inputs} {@code {"sources": ["http://host:port", ...]}}: where to fetch the
 *       spec and dataset (action {@code inputs sha256:<hex of the body>}); recorded before the 202 answer.</li>
 *   <li>{@code GET /compute/jobs/{order}}: state, step, steps, loss, samples per second, result, message.</li>
 *   <li>{@code GET /compute/jobs/{order}/logs?from=N}: log lines from line N (at most 1000).</li>
 * </ul>
 * The finished model is fetched by content id from the provider's {@link PublishedContent}.
 */
public final class ComputeRoutes implements ApiRoutes {
    /** Largest hand-off body. */
    static final int MAX_BODY = 4096;
    /** Most sources in a hand-off. */
    static final int MAX_SOURCES = 4;
    private static final int MAX_LOG_LINES = 1000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ComputeProvider provider;
    private final ComputeMarketClient market;
    private final Address self;
    private final long chainId;
    private final Clock clock;

    public ComputeRoutes(ComputeProvider provider, ComputeMarketClient market, Address self, long chainId, Clock clock) {
        this.provider = provider;
        this.market = market;
        this.self = self;
        this.chainId = chainId;
        this.clock = clock;
    }

    @Override
    public void addTo(Javalin api) {
        api.post("/compute/jobs/{order}/inputs", this::inputs);
        api.get("/compute/jobs/{order}", this::status);
        api.get("/compute/jobs/{order}/logs", this::logs);
    }

    private void inputs(Context ctx) {
        Optional<BigInteger> id = orderId(ctx);
        if (id.isEmpty()) return;
        byte[] body = ctx.bodyAsBytes();
        if (body.length > MAX_BODY) {
            error(ctx, 413, "the hand-off is larger than " + MAX_BODY + " bytes");
            return;
        }
        Optional<ComputeOrder> order = authorized(ctx, id.get(), "inputs sha256:" + HexFormat.of().formatHex(Hashes.sha256(body)));
        if (order.isEmpty()) return;
        if (order.get().state() != OrderState.LEASED || !order.get().provider().equals(self)) {
            error(ctx, 409, "order " + id.get() + " is not leased to this provider (it is " + order.get().state() + ")");
            return;
        }
        List<String> sources = new ArrayList<>();
        try {
            JsonNode node = JSON.readTree(body);
            JsonNode list = node == null ? null : node.get("sources");
            if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_SOURCES) {
                throw new IllegalArgumentException("\"sources\" must list 1 to " + MAX_SOURCES + " base URLs");
            }
            for (JsonNode s : list) {
                sources.add(source(s.asText()));
            }
        } catch (java.io.IOException | IllegalArgumentException e) {
            error(ctx, 400, "bad hand-off: " + e.getMessage());
            return;
        }
        JobBook book = provider.book();
        JobRecord r = book.get(id.get()).orElse(JobRecord.bid(id.get()));
        if (r.state() == JobState.BID) {
            r = r.withState(JobState.LEASED, "");
        }
        if (r.state() != JobState.LEASED) {
            error(ctx, 409, "order " + id.get() + " already has its inputs (" + r.state() + ")");
            return;
        }
        book.put(r.withSources(sources));
        book.log(id.get(), "inputs handed over: " + String.join(", ", sources));
        ctx.status(202).json(Map.of("order", id.get().toString(), "state", JobState.LEASED.name()));
    }

    private void status(Context ctx) {
        Optional<BigInteger> id = orderId(ctx);
        if (id.isEmpty() || authorized(ctx, id.get(), "read").isEmpty()) return;
        Optional<JobRecord> r = provider.book().get(id.get());
        if (r.isEmpty()) {
            error(ctx, 404, "this provider has no job for order " + id.get());
            return;
        }
        JobRecord job = r.get();
        Optional<JobProgress> live = provider.progress(id.get());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("order", id.get().toString());
        out.put("state", job.state().name());
        out.put("step", live.map(JobProgress::step).orElse(job.step()));
        out.put("steps", live.map(JobProgress::steps).orElse(job.steps()));
        double loss = live.map(JobProgress::loss).orElse(job.loss());
        out.put("loss", Double.isNaN(loss) ? null : loss);
        out.put("samplesPerSecond", live.map(JobProgress::samplesPerSecond).orElse(0.0));
        out.put("result", job.result());
        out.put("message", job.message());
        ctx.json(out);
    }

    private void logs(Context ctx) {
        Optional<BigInteger> id = orderId(ctx);
        if (id.isEmpty() || authorized(ctx, id.get(), "read").isEmpty()) return;
        long from;
        try {
            String text = ctx.queryParam("from");
            from = text == null ? 0 : Long.parseLong(text);
            if (from < 0) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            error(ctx, 400, "from must be a line number (0 or more)");
            return;
        }
        List<String> lines = provider.book().logLines(id.get(), from, MAX_LOG_LINES);
        ctx.json(Map.of("lines", lines, "next", from + lines.size()));
    }

    /** The order, when the request is signed by its tenant for {@code action}; otherwise answers 401/403/404. */
    private Optional<ComputeOrder> authorized(Context ctx, BigInteger id, String action) {
        ComputeOrder order;
        try {
            order = market.order(id);
        } catch (ChainException e) {
            error(ctx, 503, "cannot read order " + id + " from the chain: " + e.getMessage());
            return Optional.empty();
        }
        if (order.state() == OrderState.NONE) {
            error(ctx, 404, "no order " + id);
            return Optional.empty();
        }
        String signature = ctx.header(TenantAuth.SIGNATURE_HEADER);
        String expires = ctx.header(TenantAuth.EXPIRES_HEADER);
        Optional<String> refusal = TenantAuth.check(signature, expires, clock.instant().getEpochSecond(), chainId,
                market.address(), id, action, order.tenant());
        if (refusal.isPresent()) {
            error(ctx, signature == null ? 401 : 403, refusal.get());
            return Optional.empty();
        }
        return Optional.of(order);
    }

    private static Optional<BigInteger> orderId(Context ctx) {
        String text = ctx.pathParam("order");
        if (!text.matches("[1-9][0-9]{0,76}")) {
            error(ctx, 400, "an order id is a positive whole number");
            return Optional.empty();
        }
        return Optional.of(new BigInteger(text));
    }

    private static String source(String text) {
        if (text.length() > 256) {
            throw new IllegalArgumentException("a source URL is at most 256 characters");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getMessage());
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("a source must be an http(s) URL with a host, got " + text);
        }
        return uri.toString();
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message));
    }
}

package dev.hypha.node.gateway.api;

import dev.hypha.node.apps.AppTag;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.ollama.OllamaRequests;
import dev.hypha.node.gateway.ollama.OllamaRoutes;
import dev.hypha.node.gateway.openai.OpenAiRequests;
import dev.hypha.node.gateway.openai.OpenAiRoutes;
import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The whole gateway as one area of the node's API: the Ollama and the OpenAI routes over one backend. This is what
 * {@code hypha gateway} serves and what {@code hypha up} adds to its node. A request's {@code X-Hypha-App} header tags it
 * with an app ({@link AppTag}), which a paying network backend charges.
 */
public final class GatewayRoutes implements ApiRoutes {
    private final OllamaRoutes ollama;
    private final OpenAiRoutes openai;

    /** With the system clock and random seeds from {@link SecureRandom} (for requests that ask for no seed). */
    public GatewayRoutes(InferenceBackend backend) {
        this(backend, Clock.systemUTC(), new SecureRandom()::nextLong);
    }

    public GatewayRoutes(InferenceBackend backend, Clock clock, LongSupplier randomSeeds) {
        Objects.requireNonNull(backend, "backend");
        this.ollama = new OllamaRoutes(backend, new OllamaRequests(randomSeeds), clock);
        this.openai = new OpenAiRoutes(backend, new OpenAiRequests(randomSeeds), clock);
    }

    @Override
    public void addTo(Javalin api) {
        // Every request rebinds the tag (or clears it), so a pooled thread never carries an earlier request's app.
        api.before(ctx -> AppTag.set(ctx.header(AppTag.HEADER)));
        api.after(ctx -> AppTag.clear());
        ollama.addTo(api);
        openai.addTo(api);
    }
}

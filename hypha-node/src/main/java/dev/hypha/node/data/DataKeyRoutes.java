package dev.hypha.node.data;

import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import java.util.Objects;

/**
 * Publishes a provider's data key card at {@code GET /data/key} on its registered endpoint (the job API of {@code hypha
 * compute offer}), so a data owner's node can release a compute-to-data key to the provider holding a lease without
 * anyone handing the card over by hand ({@link ProviderKeyCards} reads it). The card is signed by the provider's
 * account, so whoever serves or relays it cannot swap in another key: the reader checks the signer is the leaseholder.
 */
public final class DataKeyRoutes implements ApiRoutes {
    /** Where the card is served. */
    public static final String PATH = "/data/key";

    private final String card;

    public DataKeyRoutes(DataKeyCard card) {
        this.card = Objects.requireNonNull(card, "card").text();
    }

    @Override
    public void addTo(Javalin api) {
        api.get(PATH, ctx -> ctx.contentType("text/plain; charset=us-ascii").result(card));
    }
}

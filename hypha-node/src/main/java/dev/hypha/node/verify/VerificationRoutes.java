package dev.hypha.node.verify;

import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /compute/jobs/{order}/checkpoints} on a provider's job API: the lease's spec and the content id of the
 * checkpoint at each committed step, for any verifier or referee (no signature: everything it names is fetched by
 * content id from {@code /ipfs/} and checked against the roots on chain, so the list itself need not be trusted).
 * Known limit: the spec and dataset of every verifiable lease are public this way.
 */
public final class VerificationRoutes implements ApiRoutes {
    private final CheckpointIndex index;

    public VerificationRoutes(CheckpointIndex index) {
        this.index = index;
    }

    @Override
    public void addTo(Javalin api) {
        api.get("/compute/jobs/{order}/checkpoints", this::checkpoints);
    }

    private void checkpoints(Context ctx) {
        String text = ctx.pathParam("order");
        if (!text.matches("[1-9][0-9]{0,76}")) {
            ctx.status(400).json(Map.of("error", "an order id is a positive whole number"));
            return;
        }
        BigInteger order = new BigInteger(text);
        Optional<CheckpointIndex.Lease> lease = index.lease(order);
        if (lease.isEmpty()) {
            ctx.status(404).json(Map.of("error", "this provider keeps no checkpoints of order " + order));
            return;
        }
        List<Map<String, Object>> list = new ArrayList<>();
        lease.get().checkpoints().forEach((step, id) -> list.add(Map.of("step", step, "cid", id.toString())));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("order", order.toString());
        out.put("spec", lease.get().spec().toString());
        out.put("checkpoints", list);
        ctx.json(out);
    }
}

package dev.hypha.node.devnet;

import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.ProvenFeedClient;
import dev.hypha.zk.mlp.ShippedModel;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * Creates the local network's proven Fashion-MNIST feed (docs/ZK.md, "Proven feed") once: a feed named after the
 * shipped int8 model, pinned to its model id and weight root, in the deployment's ProvenPredictionFeed. Idempotent: a
 * feed already there is kept (and reported if it pins another model, which only happens if someone else created it
 * first).
 */
public final class ProvenFeedSetup {
    private ProvenFeedSetup() {}

    /** The feed, created from {@code contracts}' account if it does not exist yet. */
    public static ProvenFeedClient.Feed ensure(HyphaContracts contracts, ShippedModel model, Consumer<String> progress) {
        byte[] feedId = ProvenFeedClient.feedId(model.name());
        ProvenFeedClient.Feed feed = contracts.feeds().feed(feedId);
        byte[] root = model.root();
        if (!feed.exists()) {
            contracts.feeds().createFeed(feedId, model.id(), root);
            feed = contracts.feeds().feed(feedId);
            progress.accept("created proven feed " + model.name() + " for int8 model " + model.id() + " (weight root 0x"
                    + HexFormat.of().formatHex(root) + ")");
        } else if (!feed.pins(model.id(), root)) {
            progress.accept("proven feed " + model.name() + " exists but pins another model; `hypha zk feed post` will be"
                    + " refused there");
        }
        return feed;
    }
}

package dev.hypha.node.subnet;

import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.offers.Offer;

/** How a validator puts one evaluation request to one miner's provider. */
public interface AnswerProbe extends AutoCloseable {
    /** The answer's text from {@code offer}'s provider; any failure (unreachable, refused, cheated) throws. */
    String ask(Offer offer, GenerateCall call);

    @Override
    void close();
}

package dev.hypha.node.offers;

import java.util.List;

/**
 * Where a gateway learns what the network offers. The chain-backed source reads the offer registry; tests and
 * {@code hypha localnet} may hand a fixed list. Implementations bound the work a hostile registry can cause (page
 * sizes, string lengths) and skip entries they cannot parse rather than failing the whole list.
 */
public interface OfferSource {

    /** The offers currently published, live or not (callers filter with {@link Offer#liveAt}), in a stable order. */
    List<Offer> offers();
}

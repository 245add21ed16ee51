/**
 * What providers sell on the network: {@link dev.hypha.node.offers.Offer} (one model at one price from one provider,
 * as published on chain) and {@link dev.hypha.node.offers.OfferSource} (where a gateway learns the current offers).
 * The provider side publishes and refreshes its offers; the gateway side reads them to route. Depends on nothing in
 * the gateway or provider packages, so both can depend on it.
 */
package dev.hypha.node.offers;

/**
 * Optimistic verification (opML) of inference, the node side of OpmlVerifier: a provider that answers with a receipt
 * committing to its trace ({@link dev.hypha.node.verify.opml.OpmlProvider}), a challenger that checks a receipt by
 * re-running the model ({@link dev.hypha.node.verify.opml.OpmlChallenger}) and the player both sides use in a dispute
 * ({@link dev.hypha.node.verify.opml.OpmlPlayer}). The model and traces are hypha-ml {@code opml}.
 */
package dev.hypha.node.verify.opml;

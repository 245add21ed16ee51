/**
 * Data of optimistic verification (opML) as {@code OpmlVerifier.sol} takes it: the provider's receipt and its EIP-712
 * digest ({@link dev.hypha.chain.opml.OpmlReceipt}), a dispute's state ({@link dev.hypha.chain.opml.OpmlDispute}) and
 * the witness that settles one operation ({@link dev.hypha.chain.opml.OpmlWitness}). The calls are
 * {@link dev.hypha.chain.deploy.OpmlVerifierClient}; the model and traces live in hypha-ml {@code opml}.
 */
package dev.hypha.chain.opml;

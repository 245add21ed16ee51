/**
 * What every per-contract client shares: read calls of the generated bindings routed through {@code ChainClient}
 * ({@link dev.hypha.chain.contract.ChainCallManager}); writes always go through {@code TransactionSender}.
 */
package dev.hypha.chain.contract;

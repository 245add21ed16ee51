/**
 * hypha-chain: everything Hypha does with an EVM chain. {@code devnet} starts anvil, {@code rpc}
 * talks JSON-RPC with timeouts and retries, {@code tx} signs and sends with nonce management and
 * readable reverts, {@code contracts} holds the bindings generated from the Solidity ABIs during
 * the build, {@code deploy} deploys and records them, {@code indexer} follows their events into
 * SQLite. Every user-facing failure is a {@link dev.hypha.chain.ChainException} with a category.
 */
package dev.hypha.chain;

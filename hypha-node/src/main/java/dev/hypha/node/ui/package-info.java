/**
 * The dashboard ({@code /ui} on the node's API address): a page shell and its static assets from the jar, and a small
 * read-only JSON API under {@code /ui/api/} backed by the node's real state (chain reads, the payer's ledger and
 * receipts, the offers on chain, the model store, the compute market and verifier, a compute provider's job book on
 * the node's home, the asset registry, and grants and royalty credits found through the node's event index), with
 * live ticks as server-sent events. Other areas add their panel by serving their own JSON under
 * {@code /ui/api/<area>} and registering a panel in the page's {@code app.js}.
 */
package dev.hypha.node.ui;

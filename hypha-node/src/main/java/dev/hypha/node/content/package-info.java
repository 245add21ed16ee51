/**
 * Provider side of model distribution: the blocks of the models a provider serves, by content id, in the shape of
 * IPFS's Trustless Gateway ({@code GET /ipfs/{cid}?format=raw}, one verified block per request). A {@link
 * dev.hypha.node.content.BlockIndex} per stored model says where each block lives; {@link
 * dev.hypha.node.content.ServedBlocks} keeps them for the store's models; {@link dev.hypha.node.content.BlockRoutes}
 * answers the requests with bounded work and bounded concurrency per client.
 */
package dev.hypha.node.content;

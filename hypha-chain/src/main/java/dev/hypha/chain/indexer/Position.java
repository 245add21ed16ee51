package dev.hypha.chain.indexer;

/**
 * How far the indexer has processed the chain.
 *
 * @param blockNumber the last fully indexed block
 * @param blockHash that block's hash (to notice when it leaves the canonical chain)
 */
public record Position(long blockNumber, String blockHash) {}

/** Following contract events into SQLite, across restarts and reorganisations: {@link dev.hypha.chain.indexer.EventIndexer}. */
package dev.hypha.chain.indexer;

package dev.hypha.chain.indexer;

/**
 * Told about events as the indexer commits them. Called on the indexer's thread after the
 * database transaction commits; keep it quick. Exceptions are logged and do not stop indexing.
 */
public interface EventListener {
    /** A new event is stored. */
    void added(IndexedEvent event);

    /** A stored event was dropped because its block left the canonical chain (a reorganisation). */
    default void removed(IndexedEvent event) {}

    /** A listener that ignores everything. */
    EventListener NONE = e -> { };
}

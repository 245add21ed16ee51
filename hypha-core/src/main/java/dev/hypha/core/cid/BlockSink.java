package dev.hypha.core.cid;

/** Receives the blocks an import produces, leaves first and each parent after its children. */
@FunctionalInterface
public interface BlockSink {
    /** Discards every block: for computing an id only. */
    BlockSink NONE = (cid, block) -> {};

    /** Takes one block; {@code block} is not used by the importer afterwards. */
    void put(ContentId cid, byte[] block);
}

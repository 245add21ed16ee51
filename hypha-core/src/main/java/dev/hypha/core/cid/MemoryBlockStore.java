package dev.hypha.core.cid;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Blocks held in memory, in CID order: for tests and small transfers. */
public final class MemoryBlockStore implements BlockSink, BlockSource {
    private final Map<ContentId, byte[]> blocks = Collections.synchronizedMap(new TreeMap<>());

    @Override
    public void put(ContentId cid, byte[] block) {
        blocks.put(cid, block.clone());
    }

    @Override
    public Optional<byte[]> get(ContentId cid) {
        byte[] block = blocks.get(cid);
        return block == null ? Optional.empty() : Optional.of(block.clone());
    }

    /** Replaces a block without checking it (for tests that corrupt a store on purpose). */
    public void overwrite(ContentId cid, byte[] block) {
        blocks.put(cid, block.clone());
    }

    /** The ids held, in order. */
    public java.util.List<ContentId> ids() {
        synchronized (blocks) {
            return java.util.List.copyOf(blocks.keySet());
        }
    }

    public int size() {
        return blocks.size();
    }
}

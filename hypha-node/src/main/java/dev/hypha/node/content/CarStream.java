package dev.hypha.node.content;

import dev.hypha.core.car.CarWriter;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.DagPb;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Writes the CARv1 answer for one root: the header naming it, then its blocks depth-first in pre-order (a parent
 * before its children, children in link order: the spec's {@code order=dfs}), each block once unless {@code dups=y}.
 * A reader can so rebuild and verify the file while the stream arrives. Blocks are fetched one at a time as they are
 * written, so memory stays one block plus the walk's stack.
 */
final class CarStream {
    /** Thrown when a block the DAG links is not there: the stream is cut, as the spec tells a gateway to do. */
    static final class MissingBlock extends IOException {
        MissingBlock(ContentId cid) {
            super("block " + cid + " is linked but not held here");
        }
    }

    private CarStream() {}

    /**
     * @param blocks     where blocks come from (empty when missing)
     * @return the number of blocks written
     */
    static long write(OutputStream out, ContentId root, byte[] rootBlock, TrustlessRequest request,
            Function<ContentId, java.util.Optional<byte[]>> blocks) throws IOException {
        CarWriter car = new CarWriter(out, List.of(root.bytes()));
        car.write(root, rootBlock);
        long written = 1;
        if (request.scope() == TrustlessRequest.Scope.BLOCK || root.codec() != ContentId.DAG_PB) {
            return written;
        }
        Set<ContentId> sent = new HashSet<>();
        sent.add(root);
        // An explicit stack instead of recursion: pre-order, children pushed in reverse so the first link comes next.
        Deque<ContentId> pending = new ArrayDeque<>();
        pushChildren(pending, rootBlock);
        while (!pending.isEmpty()) {
            ContentId cid = pending.pop();
            if (!request.dups() && !sent.add(cid)) {
                continue;
            }
            byte[] block = blocks.apply(cid).orElseThrow(() -> new MissingBlock(cid));
            car.write(cid, block);
            written++;
            if (cid.codec() == ContentId.DAG_PB) {
                pushChildren(pending, block);
            }
        }
        return written;
    }

    private static void pushChildren(Deque<ContentId> pending, byte[] parent) {
        List<DagPb.Link> links = DagPb.decode(parent).links();
        for (int i = links.size() - 1; i >= 0; i--) {
            pending.push(links.get(i).hash());
        }
    }
}

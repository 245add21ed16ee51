package dev.hypha.node.content;

import dev.hypha.core.car.CarWriter;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.DagPb;
import dev.hypha.core.cid.UnixFsData;
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
        long[] range = {0, Long.MAX_VALUE}; // inclusive; the whole file unless entity-bytes narrows it
        if (request.range().isPresent()) {
            var resolved = request.range().get().resolve(fileSize(rootBlock));
            if (resolved.isEmpty()) return written; // nothing of the file: the root block alone, as the spec says
            range = resolved.get();
        }
        Set<ContentId> sent = new HashSet<>();
        sent.add(root);
        // An explicit stack instead of recursion: pre-order, children pushed in reverse so the first link comes next.
        // Each entry carries the offset of its subtree in the file, so entity-bytes can skip what lies outside.
        Deque<Pending> pending = new ArrayDeque<>();
        pushChildren(pending, rootBlock, 0, range);
        while (!pending.isEmpty()) {
            Pending next = pending.pop();
            ContentId cid = next.cid();
            if (!request.dups() && !sent.add(cid)) {
                continue;
            }
            byte[] block = blocks.apply(cid).orElseThrow(() -> new MissingBlock(cid));
            car.write(cid, block);
            written++;
            if (cid.codec() == ContentId.DAG_PB) {
                pushChildren(pending, block, next.offset(), range);
            }
        }
        return written;
    }

    /** A block still to send and where its bytes start in the file. */
    private record Pending(ContentId cid, long offset) {}

    /** Whether {@code range} holds none of the bytes of the file whose root block this is. */
    static boolean rangeOutside(ContentId root, byte[] rootBlock, TrustlessRequest.EntityBytes range) {
        return range.resolve(root.codec() == ContentId.RAW ? rootBlock.length : fileSize(rootBlock)).isEmpty();
    }

    private static long fileSize(byte[] parent) {
        return UnixFsData.decode(DagPb.decode(parent).data()).fileSize();
    }

    /** Pushes the children whose bytes meet {@code range} (block sizes say where each child's bytes are). */
    private static void pushChildren(Deque<Pending> pending, byte[] parent, long offset, long[] range) {
        DagPb.Node node = DagPb.decode(parent);
        List<DagPb.Link> links = node.links();
        List<Long> sizes = UnixFsData.decode(node.data()).blockSizes();
        long[] starts = new long[links.size()];
        long at = offset;
        for (int i = 0; i < links.size(); i++) {
            starts[i] = at;
            at += i < sizes.size() ? sizes.get(i) : 0;
        }
        for (int i = links.size() - 1; i >= 0; i--) {
            long end = i < sizes.size() ? starts[i] + sizes.get(i) - 1 : Long.MAX_VALUE;
            if (end >= range[0] && starts[i] <= range[1]) {
                pending.push(new Pending(links.get(i).hash(), starts[i]));
            }
        }
    }
}

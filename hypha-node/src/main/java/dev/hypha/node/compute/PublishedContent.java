package dev.hypha.node.compute;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ImportResult;
import dev.hypha.core.cid.MemoryBlockStore;
import dev.hypha.core.cid.UnixFsImporter;
import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Files this node hands out by content id, in the shape of IPFS's Trustless Gateway: {@code GET /ipfs/{cid}?format=raw}
 * answers one block of a published file. A tenant publishes its spec and dataset so the provider can fetch them; a
 * provider publishes the models it trained so the tenant can.
 *
 * <p>Decision: the blocks are cut once, with the same unixfs-v1-2025 importer that named the file, and kept in memory.
 * Specs and models here are kilobytes to megabytes and a dataset tens of megabytes, published for the length of one
 * job; a store-wide block index (as {@code node.content} keeps for models) is the next step when that stops holding.
 */
public final class PublishedContent implements ApiRoutes {
    /** Longest content id text accepted in a path. */
    private static final int MAX_CID_TEXT = 128;

    private final MemoryBlockStore blocks = new MemoryBlockStore();
    private final Set<ContentId> roots = new ConcurrentSkipListSet<>();

    /** Publishes {@code bytes}; returns their content id (the id a fetch of it is verified against). */
    public ContentId publish(byte[] bytes) {
        ImportResult result;
        try {
            result = UnixFsImporter.PROFILE.importFrom(new ByteArrayInputStream(bytes), blocks);
        } catch (IOException e) {
            throw new UncheckedIOException("reading from memory cannot fail", e);
        }
        roots.add(result.root());
        return result.root();
    }

    /** Whether {@code root} was published here. */
    public boolean has(ContentId root) {
        return roots.contains(root);
    }

    /** One block of a published file. */
    public Optional<byte[]> block(ContentId cid) {
        return blocks.get(cid);
    }

    @Override
    public void addTo(Javalin api) {
        api.get("/ipfs/{cid}", this::serve);
    }

    private void serve(Context ctx) {
        if (!"raw".equals(ctx.queryParam("format"))) {
            error(ctx, 406, "only single raw blocks are served: add ?format=raw");
            return;
        }
        String text = ctx.pathParam("cid");
        ContentId cid;
        try {
            if (text.length() > MAX_CID_TEXT) throw new IllegalArgumentException("longer than " + MAX_CID_TEXT + " characters");
            cid = ContentId.parse(text);
        } catch (RuntimeException e) {
            error(ctx, 400, "not a content id (" + e.getMessage() + ")");
            return;
        }
        Optional<byte[]> block = blocks.get(cid);
        if (block.isEmpty()) {
            error(ctx, 404, "block " + cid + " is not part of anything published here");
            return;
        }
        ctx.status(200).contentType("application/vnd.ipld.raw");
        ctx.header("Cache-Control", "public, max-age=29030400, immutable");
        ctx.result(block.get());
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message));
    }
}

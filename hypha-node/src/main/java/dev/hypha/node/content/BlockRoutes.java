package dev.hypha.node.content;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.cid.ContentId;
import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The blocks of the provider's models in the shape of IPFS's Trustless Gateway: {@code GET /ipfs/{cid}?format=raw}
 * (or {@code Accept: application/vnd.ipld.raw}) answers one block, {@code application/vnd.ipld.raw}; 404 for a block
 * that belongs to no model this provider serves. Pullers check every block against its id, so nothing here is trusted
 * by them; the provider checks leaves anyway before sending ({@link ServedBlocks}).
 *
 * <p>Free for now (decision: no voucher): serving a block costs one read of at most 1 MiB and one hash, and each client
 * address may have at most {@link #PER_CLIENT} requests in flight ({@link #TOTAL} over all clients); beyond that the
 * answer is 429 with {@code Retry-After}, so one puller cannot take the machine from paying customers.
 */
public final class BlockRoutes implements ApiRoutes {
    /** Requests in flight per client address. */
    public static final int PER_CLIENT = 4;
    /** Requests in flight over all clients. */
    public static final int TOTAL = 32;
    /** The media type of one raw block. */
    public static final String RAW_BLOCK = "application/vnd.ipld.raw";
    /** Longest content id text accepted in a path (a CIDv1 sha2-256 in base32 is 59 characters). */
    private static final int MAX_CID_TEXT = 128;

    private final ServedBlocks blocks;
    private final ClientLimit limit = new ClientLimit(PER_CLIENT, TOTAL);
    private final AtomicInteger served = new AtomicInteger();
    /** The indexing started by {@link #forStore}, if any (joined by {@link #awaitIndexed}). */
    private final Thread indexing;

    public BlockRoutes(ServedBlocks blocks) {
        this(blocks, null);
    }

    private BlockRoutes(ServedBlocks blocks, Thread indexing) {
        this.blocks = Objects.requireNonNull(blocks, "blocks");
        this.indexing = indexing;
    }

    /**
     * Waits until the indexing {@link #forStore} started has finished (it writes index files under the home: whoever
     * removes the home afterwards, a test's temporary folder say, waits for it first).
     */
    public void awaitIndexed() throws InterruptedException {
        if (indexing != null) {
            indexing.join();
        }
    }

    /** The blocks of every model in {@code store}, indexes saved under {@code <home>/provider/blocks}. */
    public static BlockRoutes forStore(dev.hypha.ml.store.ModelStore store, java.nio.file.Path home) {
        ServedBlocks served = new ServedBlocks(store, home.resolve("provider").resolve("blocks"), java.time.Clock.systemUTC());
        // Index the models now rather than on the first request (a first read of a big model takes seconds).
        Thread indexing = Thread.ofVirtual().name("block-index").start(() -> {
            try {
                served.roots();
            } catch (RuntimeException e) {
                System.getLogger(BlockRoutes.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot index the store's models yet (the first block request tries again): " + e.getMessage());
            }
        });
        return new BlockRoutes(served, indexing);
    }

    @Override
    public void addTo(Javalin api) {
        api.get("/ipfs/{cid}", this::serve);
    }

    /** Blocks answered with 200 since start (the tests count what each provider handed out). */
    public int blocksServed() {
        return served.get();
    }

    private void serve(Context ctx) {
        if (!wantsRawBlock(ctx)) {
            error(ctx, 406, "only single raw blocks are served: add ?format=raw or Accept: " + RAW_BLOCK);
            return;
        }
        String text = ctx.pathParam("cid");
        ContentId cid;
        try {
            if (text.length() > MAX_CID_TEXT) throw new IllegalArgumentException("longer than " + MAX_CID_TEXT + " characters");
            cid = ContentId.parse(text);
        } catch (RuntimeException e) {
            error(ctx, 400, "not a content id: '" + abbreviate(text) + "' (" + e.getMessage() + ")");
            return;
        }
        String client = ctx.ip();
        if (!limit.enter(client)) {
            ctx.header("Retry-After", "1");
            error(ctx, 429, "too many block requests at once from " + client + " (at most " + PER_CLIENT + ")");
            return;
        }
        try {
            Optional<byte[]> block = blocks.block(cid);
            if (block.isEmpty()) {
                error(ctx, 404, "block " + cid + " is not part of any model this provider serves");
                return;
            }
            served.incrementAndGet();
            ctx.status(200).contentType(RAW_BLOCK);
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.header("Cache-Control", "public, max-age=29030400, immutable");
            ctx.result(block.get());
        } catch (ServedBlocks.DamagedBlockException e) {
            error(ctx, 500, e.getMessage());
        } finally {
            limit.leave(client);
        }
    }

    private static boolean wantsRawBlock(Context ctx) {
        String format = ctx.queryParam("format");
        if (format != null) {
            return format.equals("raw");
        }
        String accept = ctx.header("Accept");
        return accept != null && accept.contains(RAW_BLOCK);
    }

    /** A path segment as it may be quoted in an error: short, printable ASCII only. */
    private static String abbreviate(String text) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static void error(Context ctx, int status, String message) {
        ObjectNode body = JsonBody.MAPPER.createObjectNode().put("error", message);
        ctx.status(status).contentType("application/json; charset=utf-8").result(JsonBody.write(body));
    }
}

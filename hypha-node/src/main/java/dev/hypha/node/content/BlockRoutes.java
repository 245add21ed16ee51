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
 * The blocks of the provider's models as an IPFS Trustless Gateway (https://specs.ipfs.tech/http-gateways/trustless-gateway/):
 * {@code GET|HEAD /ipfs/{cid}} with {@code ?format=raw} (or {@code Accept: application/vnd.ipld.raw}) answers one
 * block; with {@code ?format=car} (or {@code Accept: application/vnd.ipld.car}) a CARv1 stream of the DAG under the
 * block, depth-first, each block once ({@code dups=y} on request), or only the root block with {@code dag-scope=block}
 * ({@link CarStream}). 400 for a malformed id or request, 406 for an Accept header naming nothing served, 404 for a
 * block that belongs to no model this provider serves; {@code /ipfs/bafkqaaa} answers the spec's probe. IPFS clients
 * (Helia's trustless-gateway broker, tested) fetch from it unchanged. Pullers check every block against its id, so
 * nothing here is trusted by them; the provider checks leaves anyway before sending ({@link ServedBlocks}).
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
    /** The spec's probe path: the empty identity CID, which every trustless gateway answers. */
    static final String PROBE_CID = "bafkqaaa";
    private static final byte[] PROBE_CID_BYTES = {0x01, 0x55, 0x00, 0x00};
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

    /**
     * The blocks of every model in {@code store} and of the sealed data {@code hypha data add} stored under
     * {@code <home>/content} (ciphertext: public by design), indexes saved under {@code <home>/provider/blocks}.
     */
    public static BlockRoutes forStore(dev.hypha.ml.store.ModelStore store, java.nio.file.Path home) {
        return forFiles(ServedFiles.union(ServedFiles.models(store),
                ServedFiles.sealedData(new dev.hypha.ml.train.store.ContentStore(home))), home);
    }

    /** The blocks of {@code files}, indexes saved under {@code <home>/provider/blocks}, indexing started now. */
    public static BlockRoutes forFiles(ServedFiles files, java.nio.file.Path home) {
        ServedBlocks served = new ServedBlocks(files, home.resolve("provider").resolve("blocks"), java.time.Clock.systemUTC());
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
        api.head("/ipfs/{cid}", this::serve);
    }

    /** Blocks answered with 200 since start (the tests count what each provider handed out). */
    public int blocksServed() {
        return served.get();
    }

    private void serve(Context ctx) {
        TrustlessRequest request;
        try {
            request = TrustlessRequest.parse(ctx.queryParam("format"), ctx.header("Accept"), ctx.queryParam("dag-scope"),
                    ctx.queryParam("car-version"), ctx.queryParam("car-order"), ctx.queryParam("car-dups"),
                    ctx.queryParam("entity-bytes"));
        } catch (TrustlessRequest.Refused e) {
            error(ctx, e.status, e.getMessage());
            return;
        }
        String text = ctx.pathParam("cid");
        if (text.equals(PROBE_CID)) {
            answerProbe(ctx, request);
            return;
        }
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
                // The spec's answer to Cache-Control: only-if-cached is 412 when the root is not at hand; this gateway
                // serves only what it holds, so otherwise 404.
                String cacheControl = ctx.header("Cache-Control");
                boolean onlyIfCached = cacheControl != null && cacheControl.toLowerCase(java.util.Locale.ROOT).contains("only-if-cached");
                error(ctx, onlyIfCached ? 412 : 404, "block " + cid + " is not part of any model this provider serves");
                return;
            }
            if (request.range().isPresent() && CarStream.rangeOutside(cid, block.get(), request.range().get())) {
                error(ctx, 400, "entity-bytes=" + ctx.queryParam("entity-bytes") + " is outside the " + cid
                        + " file's bytes");
                return;
            }
            headers(ctx, cid, request);
            if (request.format() == TrustlessRequest.Format.RAW) {
                served.incrementAndGet();
                ctx.header("Content-Length", Integer.toString(block.get().length));
                if (!isHead(ctx)) ctx.result(block.get());
            } else if (!isHead(ctx)) {
                // Streamed as it is walked: status and headers are sent with the first bytes, so a block found
                // missing or damaged later cuts the stream (the spec's rule), and the client's verification fails.
                long sent = CarStream.write(ctx.outputStream(), cid, block.get(), request, blocks::block);
                served.addAndGet((int) Math.min(Integer.MAX_VALUE, sent));
            }
        } catch (ServedBlocks.DamagedBlockException e) {
            if (ctx.res().isCommitted()) throw e;
            error(ctx, 500, e.getMessage());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("CAR stream of " + cid + " cut: " + e.getMessage(), e);
        } finally {
            limit.leave(client);
        }
    }

    /** The spec's probe: the empty identity CID answers an empty block, or a CAR with it as root and no blocks. */
    private static void answerProbe(Context ctx, TrustlessRequest request) {
        ctx.status(200).contentType(request.contentType());
        if (isHead(ctx)) return;
        if (request.format() == TrustlessRequest.Format.RAW) {
            ctx.result(new byte[0]);
        } else {
            java.io.ByteArrayOutputStream car = new java.io.ByteArrayOutputStream();
            try {
                new dev.hypha.core.car.CarWriter(car, java.util.List.of(PROBE_CID_BYTES.clone()));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("writing to memory never fails", e);
            }
            ctx.result(car.toByteArray());
        }
    }

    private static void headers(Context ctx, ContentId cid, TrustlessRequest request) {
        boolean raw = request.format() == TrustlessRequest.Format.RAW;
        ctx.disableCompression(); // blocks are hashes' inputs and mostly incompressible weights: sent as they are
        ctx.status(200).contentType(request.contentType());
        ctx.header("Content-Disposition", "attachment; filename=\"" + cid + (raw ? ".bin" : ".car") + "\"");
        ctx.header("Etag", "\"" + cid + (raw ? ".raw" : ".car." + request.scope().name().toLowerCase(java.util.Locale.ROOT)
                + ".dfs." + (request.dups() ? "y" : "n") + request.range().map(r -> ".bytes." + r.from() + "-"
                        + (r.to().isPresent() ? Long.toString(r.to().getAsLong()) : "end")).orElse("")) + "\"");
        ctx.header("X-Ipfs-Path", "/ipfs/" + cid);
        ctx.header("Vary", "Accept");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "public, max-age=29030400, immutable");
    }

    private static boolean isHead(Context ctx) {
        return ctx.method() == io.javalin.http.HandlerType.HEAD;
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

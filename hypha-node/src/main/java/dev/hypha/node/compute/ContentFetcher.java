package dev.hypha.node.compute;

import dev.hypha.core.cid.ChunkVerifier;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Fetches a file by content id from nodes that publish it ({@code GET {source}/ipfs/{cid}?format=raw}, one block per
 * request), checking every block against its id with {@link ChunkVerifier}: a source can be slow or missing a block,
 * never able to change a byte. Sources are tried in order for each block. The work is bounded by {@code maxBytes},
 * checked against the root's claimed size before anything below it is fetched, and each answer is read up to the
 * largest block IPFS allows.
 */
public final class ContentFetcher {
    /** IPFS's largest block. */
    static final int MAX_BLOCK = 2 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final List<URI> sources;

    public ContentFetcher(HttpClient http, List<URI> sources) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no sources to fetch from");
        }
        this.http = http;
        this.sources = List.copyOf(sources);
    }

    /**
     * The whole file {@code root}, verified.
     *
     * @throws HyphaException NOT_FOUND when no source has a block, INPUT when a block fails its check or the file is
     *     larger than {@code maxBytes}
     */
    public byte[] fetch(ContentId root, long maxBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new ChunkVerifier(this::block).verifyAndWrite(root, out, maxBytes);
        } catch (IOException e) {
            throw HyphaException.io("writing " + root + " to memory failed", e);
        }
        return out.toByteArray();
    }

    private Optional<byte[]> block(ContentId cid) {
        for (URI source : sources) {
            URI uri = source.resolve("/ipfs/" + cid + "?format=raw");
            try {
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                        .header("Accept", "application/vnd.ipld.raw").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = response.body()) {
                    if (response.statusCode() != 200) {
                        continue;
                    }
                    byte[] bytes = body.readNBytes(MAX_BLOCK + 1);
                    if (bytes.length > MAX_BLOCK) {
                        continue; // no real block is this large: a hostile source
                    }
                    if (cid.matches(bytes)) {
                        return Optional.of(bytes);
                    }
                }
            } catch (IOException e) {
                // try the next source
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HyphaException(ErrorCategory.NETWORK, "interrupted while fetching " + cid, e);
            }
        }
        return Optional.empty();
    }
}

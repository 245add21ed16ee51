package dev.hypha.node.gateway.pull;

import dev.hypha.core.cid.ContentId;
import dev.hypha.node.offers.Offer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * One provider's blocks, fetched as from an IPFS Trustless Gateway ({@code GET /ipfs/{cid}?format=raw}). Everything it
 * sends is hostile until checked: at most {@code maxBytes} are read whatever the provider sends, and a block is
 * returned only when its sha2-256 matches the id asked for.
 */
final class ProviderBlocks {
    /** The longest a provider may take to send one block (1 MiB) before it counts as failed. */
    static final Duration BLOCK_TIMEOUT = Duration.ofSeconds(60);
    /** Closes the bodies of blocks that take too long (one daemon thread for all pulls). */
    private static final java.util.concurrent.ScheduledExecutorService DEADLINES =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("pull-block-deadlines").factory());

    /** A provider that does not have the block (404): not a fault, the next candidate id or provider is asked. */
    static final class Missing extends Exception {
        Missing(String message) {
            super(message);
        }
    }

    /** A provider that failed or lied; it is not asked again during this pull. */
    static final class Failed extends Exception {
        Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Offer offer;
    private final HttpClient client;

    ProviderBlocks(Offer offer, HttpClient client) {
        this.offer = Objects.requireNonNull(offer, "offer");
        this.client = Objects.requireNonNull(client, "client");
    }

    Offer offer() {
        return offer;
    }

    /** Who this is, for messages: the provider's address and endpoint. */
    String label() {
        return offer.provider().toChecksumString() + " (" + offer.endpoint() + ")";
    }

    /**
     * The block {@code cid}, verified.
     *
     * @param maxBytes the most the block may hold; a provider that sends more is failed
     * @throws Missing when the provider answers 404
     * @throws Failed  for any other failure: connection, status, timeout, a block too big or whose hash differs
     */
    byte[] fetch(ContentId cid, int maxBytes) throws Missing, Failed {
        HttpRequest request = HttpRequest.newBuilder(blockUri(cid))
                .timeout(BLOCK_TIMEOUT)
                .header("Accept", "application/vnd.ipld.raw")
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new Failed("did not answer for block " + cid + " within " + BLOCK_TIMEOUT.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new Failed("cannot be reached for block " + cid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed("the pull was interrupted", e);
        }
        // The request's timeout ends when the headers arrive; a provider that then trickles the body would hold the
        // worker forever, so the body gets the rest of the same deadline and is closed (failing the read) after it.
        InputStream stream = response.body();
        java.util.concurrent.ScheduledFuture<?> cutOff = DEADLINES.schedule(() -> closeQuietly(stream),
                BLOCK_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        try (InputStream body = stream) {
            if (response.statusCode() == 404) {
                throw new Missing("does not have block " + cid);
            }
            if (response.statusCode() != 200) {
                throw new Failed("answered HTTP " + response.statusCode() + " for block " + cid, null);
            }
            byte[] block = body.readNBytes(maxBytes + 1);
            if (block.length > maxBytes) {
                throw new Failed("sent more than " + maxBytes + " bytes for block " + cid, null);
            }
            if (!cid.matches(block)) {
                throw new Failed("sent a block whose sha2-256 does not match " + cid, null);
            }
            return block;
        } catch (IOException e) {
            throw new Failed(cutOff.isDone() ? "took more than " + BLOCK_TIMEOUT.toSeconds() + " s to send block " + cid
                    : "broke off while sending block " + cid + ": " + e.getMessage(), e);
        } finally {
            cutOff.cancel(false);
        }
    }

    private static void closeQuietly(InputStream stream) {
        try {
            stream.close();
        } catch (IOException ignored) {
            // the read it interrupts reports the failure
        }
    }

    /** Drops the connections to the provider (requests still in flight fail). */
    void close() {
        client.shutdownNow();
    }

    private URI blockUri(ContentId cid) {
        String root = offer.endpoint().toString();
        return URI.create((root.endsWith("/") ? root.substring(0, root.length() - 1) : root) + "/ipfs/" + cid + "?format=raw");
    }
}

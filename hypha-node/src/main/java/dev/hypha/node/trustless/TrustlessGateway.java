package dev.hypha.node.trustless;

import dev.hypha.core.car.CarReader;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One trustless gateway, by its base URL ({@code http://host:port}, the part before {@code /ipfs/}). Nothing it sends
 * is trusted: a raw block is returned only when its hash matches the CID asked for, a CAR is handed out only through a
 * {@link CarReader} (which checks each block), and a gateway that goes quiet for {@link #IDLE_TIMEOUT} is cut off.
 */
public final class TrustlessGateway implements AutoCloseable {
    /** The longest a gateway may stay silent (no headers, or no new bytes of a body) before the fetch fails. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Largest raw block accepted: IPFS's 2 MiB limit. */
    public static final int MAX_BLOCK = CarReader.MAX_BLOCK;
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("trustless-gateway-watchdog").factory());

    private final URI base;
    private final HttpClient client;

    /**
     * @throws HyphaException (INPUT) when {@code base} is not an http or https URL
     */
    public TrustlessGateway(URI base) {
        Objects.requireNonNull(base, "base");
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || base.getHost() == null) {
            throw HyphaException.input("gateway URL '" + base + "' is not an http(s) URL like http://127.0.0.1:8080");
        }
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.client = HttpClient.newBuilder().connectTimeout(IDLE_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** The base URL, without a trailing slash. */
    public URI base() {
        return base;
    }

    /**
     * The block {@code cid} ({@code ?format=raw}), verified; empty when the gateway answers 404.
     *
     * @throws HyphaException NETWORK when the gateway cannot be reached, answers another status or goes quiet; INPUT when
     *     it sends more than {@link #MAX_BLOCK} bytes or a block whose hash differs from {@code cid}
     */
    public Optional<byte[]> block(ContentId cid) {
        try (Body body = get(cid, "raw", "application/vnd.ipld.raw")) {
            if (body == null) return Optional.empty();
            byte[] block = body.stream.readNBytes(MAX_BLOCK + 1);
            if (block.length > MAX_BLOCK) {
                throw HyphaException.input(base + " sent more than " + MAX_BLOCK + " bytes for block " + cid);
            }
            if (!cid.matches(block)) {
                throw HyphaException.input(base + " sent a block that is not " + cid + " (its sha2-256 differs)");
            }
            return Optional.of(block);
        } catch (IOException e) {
            throw broke(cid, e);
        }
    }

    /**
     * Streams the CAR of the DAG under {@code cid} ({@code ?format=car&dag-scope=all}) to {@code reader}, one verified
     * block at a time. Returns false when the gateway answers 404.
     *
     * @throws HyphaException NETWORK when the gateway cannot be reached, answers another status or content type, or goes
     *     quiet; INPUT for a malformed CAR or a block that fails verification
     */
    public boolean car(ContentId cid, BlockConsumer reader) {
        try (Body body = get(cid, "car&dag-scope=all", "application/vnd.ipld.car; version=1; order=dfs; dups=n")) {
            if (body == null) return false;
            String type = body.contentType.toLowerCase(Locale.ROOT);
            if (!type.startsWith("application/vnd.ipld.car")) {
                throw new HyphaException(ErrorCategory.NETWORK, base + " answered Content-Type '" + body.contentType
                        + "' for a CAR request (a trustless gateway answers application/vnd.ipld.car)");
            }
            if (type.contains("version=") && !type.replace(" ", "").contains("version=1")) {
                throw new HyphaException(ErrorCategory.NETWORK, base + " answered a CAR version other than 1: " + body.contentType);
            }
            CarReader car = CarReader.open(body.stream);
            Optional<CarReader.Block> next;
            while ((next = car.next()).isPresent()) {
                body.progress();
                reader.accept(next.get().cid(), next.get().bytes());
            }
            return true;
        } catch (IOException e) {
            throw broke(cid, e);
        }
    }

    /** Receives the blocks of a CAR as they are read and verified. */
    @FunctionalInterface
    public interface BlockConsumer {
        void accept(ContentId cid, byte[] block) throws IOException;
    }

    @Override
    public void close() {
        client.shutdownNow();
    }

    private HyphaException broke(ContentId cid, IOException e) {
        return new HyphaException(ErrorCategory.NETWORK, base + " broke off while sending " + cid + ": " + e.getMessage(), e);
    }

    /** The response body with a watchdog that closes it after {@link #IDLE_TIMEOUT} without progress; null on 404. */
    private Body get(ContentId cid, String format, String accept) {
        URI uri = URI.create(base + "/ipfs/" + cid + "?format=" + format);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(IDLE_TIMEOUT).header("Accept", accept).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new HyphaException(ErrorCategory.NETWORK, base + " did not answer for " + cid + " within "
                    + IDLE_TIMEOUT.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.NETWORK, "cannot reach gateway " + base + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.NETWORK, "interrupted while fetching " + cid, e);
        }
        Body body = new Body(response.body(), response.headers().firstValue("Content-Type").orElse(""));
        if (response.statusCode() == 404) {
            body.close();
            return null;
        }
        if (response.statusCode() != 200) {
            String detail;
            try {
                detail = new String(body.stream.readNBytes(300), java.nio.charset.StandardCharsets.UTF_8).strip()
                        .replaceAll("[^\\x20-\\x7e]", "?");
            } catch (IOException e) {
                detail = "";
            } finally {
                body.close();
            }
            throw new HyphaException(ErrorCategory.NETWORK, base + " answered HTTP " + response.statusCode() + " for " + uri
                    + (detail.isEmpty() ? "" : ": " + detail));
        }
        return body;
    }

    /** A response body whose reads must keep making progress. */
    private static final class Body implements AutoCloseable {
        final InputStream stream;
        final String contentType;
        private ScheduledFuture<?> cutOff;

        Body(InputStream stream, String contentType) {
            this.stream = stream;
            this.contentType = contentType;
            progress();
        }

        /** Re-arms the watchdog: called after every block read. */
        synchronized void progress() {
            if (cutOff != null) cutOff.cancel(false);
            cutOff = WATCHDOG.schedule(this::closeQuietly, IDLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void closeQuietly() {
            try {
                stream.close();
            } catch (IOException ignored) {
                // the read it interrupts reports the failure
            }
        }

        @Override
        public synchronized void close() {
            if (cutOff != null) cutOff.cancel(false);
            closeQuietly();
        }
    }
}

package dev.hypha.node.agents;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.x402.PaymentRequired;
import dev.hypha.node.x402.X402;
import java.io.IOException;
import java.io.InputStream;
import java.net.IDN;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The runtime's built-in {@value #TOOL} tool: GET one URL on the spec's allowlist ({@link FetchPolicy}) and return its
 * text. Everything a page returns is hostile input, so every hop is bounded and re-checked:
 * <ul>
 *   <li>GET only, with no cookies, credentials or body: a model steered by an earlier page must not be able to change
 *   anything on an allowed host or post what it has read (a query string is all it can send, at most
 *   {@link ToolMenu#MAX_ARGUMENT_CHARS} characters of it).</li>
 *   <li>Redirects are followed by hand ({@link HttpClient.Redirect#NEVER}), at most {@link FetchPolicy#maxRedirects()},
 *   each target checked against the allowlist like the first URL; a redirect off the list ends the fetch.</li>
 *   <li>A name that is not listed as loopback must resolve only to public addresses: a public name pointing at
 *   127.0.0.1, 10/8, 192.168/16, 169.254/16 (cloud metadata) and the like is refused (DNS rebinding). The JVM keeps
 *   a successful lookup for 30 s, so the client's own lookup right after this check gets the same addresses.</li>
 *   <li>Only text/* and JSON bodies are read, at most {@link FetchPolicy#maxBytes()} (a longer one is refused, not cut:
 *   half a JSON document misleads), all within {@link FetchPolicy#timeout()} however slowly the server sends.</li>
 *   <li>The text given back is cut to {@link #MAX_RESULT_CHARS}; the runtime shows the model less still.</li>
 * </ul>
 * A 402 answer with an x402 {@code PAYMENT-REQUIRED} header is given back as a result naming the price: the runtime
 * pays MCP tools through its AgentAccount, but does not pay fetched pages.
 */
public final class HttpFetch implements AutoCloseable {
    /** The tool's name in the menu. */
    public static final String TOOL = "http_fetch";
    /** Longest text handed back (journal, log and, shortened further, the model). */
    public static final int MAX_RESULT_CHARS = 4_000;
    /** Longest URL accepted (the model writes less; fixed steps may name longer ones). */
    static final int MAX_URL_CHARS = 2_048;

    /**
     * One fetch's answer.
     *
     * @param url         the URL that answered (after redirects)
     * @param status      its HTTP status
     * @param contentType its content type ("" when it sent none)
     * @param bytes       the body's length in bytes (0 when it was not read)
     * @param text        the body as text, cut to {@link #MAX_RESULT_CHARS}, or a note on why it was not read
     * @param redirects   each redirect followed, as "STATUS URL"
     */
    public record Fetched(URI url, int status, String contentType, int bytes, String text, List<String> redirects) {
        public Fetched {
            redirects = List.copyOf(redirects);
        }

        /** What the model (and the journal) get: status, type and text. */
        public String result() {
            return "HTTP " + status + (contentType.isEmpty() ? "" : " " + contentType) + ": " + text;
        }
    }

    private final FetchPolicy policy;
    private final HttpClient http;

    public HttpFetch(FetchPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(policy.timeout())
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** The tool's description and argument schema, for the {@link ToolMenu}. */
    public ObjectNode argumentSchema() {
        ObjectNode s = JsonNodeFactory.instance.objectNode().put("type", "object");
        s.putObject("properties").putObject("url").put("type", "string")
                .put("description", "an http(s) URL on an allowed host");
        s.putArray("required").add("url");
        s.put("additionalProperties", false);
        return s;
    }

    /** For the model's instructions: where it may fetch. */
    public String description() {
        return "GET a text or JSON page from " + policy.hosts();
    }

    /**
     * GETs {@code url}, following allowed redirects.
     *
     * @throws HyphaException INPUT naming what was refused (host, address, redirect, size, type), NETWORK when the
     *                        host cannot be reached or is too slow
     */
    public Fetched fetch(String url) {
        if (url == null || url.isBlank() || url.length() > MAX_URL_CHARS) {
            throw HyphaException.input("http_fetch needs a url of 1.." + MAX_URL_CHARS + " characters");
        }
        URI current;
        try {
            current = new URI(url.strip()).normalize();
        } catch (URISyntaxException e) {
            throw HyphaException.input("'" + AgentLog.quote(url) + "' is not a URL: " + e.getReason());
        }
        long deadline = System.nanoTime() + policy.timeout().toNanos();
        List<String> hops = new ArrayList<>();
        while (true) {
            FetchPolicy.Host allowed = policy.check(current);
            checkAddresses(current, allowed);
            HttpResponse<InputStream> r = send(current, deadline);
            int status = r.statusCode();
            Optional<String> location = r.headers().firstValue("Location");
            if (status >= 300 && status < 400 && location.isPresent()) {
                close(r);
                if (hops.size() >= policy.maxRedirects()) {
                    throw HyphaException.input(current + " redirects (" + status + ") to '"
                            + AgentLog.quote(location.get()) + "'; " + (policy.maxRedirects() == 0
                            ? "the spec follows no redirects" : "more than " + policy.maxRedirects() + " redirects"));
                }
                URI next;
                try {
                    next = current.resolve(new URI(location.get().strip())).normalize();
                } catch (URISyntaxException | IllegalArgumentException e) {
                    throw HyphaException.input(current + " redirects to '" + AgentLog.quote(location.get())
                            + "', which is not a URL");
                }
                try {
                    policy.check(next);
                } catch (HyphaException e) {
                    throw HyphaException.input(current + " redirects (" + status + ") off the allowlist: " + e.getMessage());
                }
                hops.add(status + " " + next);
                current = next;
                continue;
            }
            return read(current, r, hops, deadline);
        }
    }

    private Fetched read(URI url, HttpResponse<InputStream> r, List<String> hops, long deadline) {
        String type = r.headers().firstValue("Content-Type").orElse("").strip();
        String mime = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (r.statusCode() == 402) {
            close(r);
            return new Fetched(url, 402, type, 0, paymentNote(r), hops);
        }
        if (!isText(mime)) {
            close(r);
            throw HyphaException.input(url + " answered " + r.statusCode() + " with content type '" + AgentLog.quote(type)
                    + "'; http_fetch reads only text/* and JSON");
        }
        long declared = r.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (declared > policy.maxBytes()) {
            close(r);
            throw tooLarge(url, declared + " bytes");
        }
        byte[] body = readBounded(url, r.body(), deadline);
        if (body.length > policy.maxBytes()) {
            throw tooLarge(url, "more than " + policy.maxBytes() + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder threw", e);
        }
        if (text.length() > MAX_RESULT_CHARS) {
            text = text.substring(0, MAX_RESULT_CHARS) + "... (" + text.length() + " chars)";
        }
        return new Fetched(url, r.statusCode(), type, body.length, text, hops);
    }

    private static String paymentNote(HttpResponse<InputStream> r) {
        Optional<String> header = r.headers().firstValue(X402.PAYMENT_REQUIRED);
        if (header.isEmpty()) {
            return "payment required (no x402 " + X402.PAYMENT_REQUIRED + " header)";
        }
        try {
            PaymentRequired asked = PaymentRequired.parseHeader(header.get());
            StringBuilder s = new StringBuilder("x402 payment required: ");
            asked.accepts().forEach(a -> s.append(a.amount()).append(" of ").append(a.asset().toChecksumString())
                    .append(" on ").append(a.network()).append(" to ").append(a.payTo().toChecksumString()).append("; "));
            return s.append("the runtime does not pay fetched pages (only MCP tools)").toString();
        } catch (RuntimeException e) {
            return "payment required with an unreadable x402 header: " + AgentLog.quote(e.getMessage());
        }
    }

    private HyphaException tooLarge(URI url, String size) {
        return HyphaException.input(url + " sends " + size + "; the spec's fetch.maxBytes is " + policy.maxBytes());
    }

    static boolean isText(String mime) {
        return mime.startsWith("text/") || mime.equals("application/json") || mime.endsWith("+json");
    }

    /**
     * Refuses a host whose addresses are not what its entry allows: a loopback entry must resolve to loopback only,
     * any other to public addresses only.
     */
    static void checkAddresses(URI url, FetchPolicy.Host allowed) {
        String host = url.getHost();
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : IDN.toASCII(host));
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw new HyphaException(ErrorCategory.NETWORK, "cannot resolve " + AgentLog.quote(host) + ": " + e.getMessage(), e);
        }
        for (InetAddress a : all) {
            if (allowed.loopback() ? !a.isLoopbackAddress() : !isPublic(a)) {
                throw HyphaException.input(AgentLog.quote(host) + " resolves to " + a.getHostAddress() + ", "
                        + (allowed.loopback() ? "which is not loopback" : "a private, loopback or link-local address;"
                        + " only a loopback host listed as such may be fetched on this machine or its network"));
            }
        }
    }

    /** Whether {@code a} is on the public internet (not this machine, a private network, link-local or multicast). */
    static boolean isPublic(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first != 0 && !(first == 100 && second >= 64 && second < 128) // 100.64/10: carrier-grade NAT
                    && !(first == 198 && (second == 18 || second == 19)) && first < 240; // benchmarking, reserved
        }
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) != 0xfc; // fc00::/7: unique local
        }
        return false;
    }

    private HttpResponse<InputStream> send(URI url, long deadline) {
        HttpRequest request = HttpRequest.newBuilder(url).GET().timeout(remaining(url, deadline))
                .header("Accept", "text/*, application/json").header("User-Agent", "hypha-agent").build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.net.http.HttpTimeoutException e) {
            throw new HyphaException(ErrorCategory.NETWORK, url + " did not answer within " + policy.timeout().toSeconds() + " s", e);
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.NETWORK, "cannot fetch " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.NETWORK, "interrupted fetching " + url, e);
        }
    }

    /** Reads at most maxBytes + 1 of the body before the deadline; a server trickling bytes is cut off there. */
    private byte[] readBounded(URI url, InputStream in, long deadline) {
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (in) {
                return in.readNBytes(policy.maxBytes() + 1);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
        try {
            return read.get(remaining(url, deadline).toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            close(in);
            throw new HyphaException(ErrorCategory.NETWORK, url + " did not send its body within " + policy.timeout().toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw new HyphaException(ErrorCategory.NETWORK, "cannot read " + url + ": " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            close(in);
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.NETWORK, "interrupted reading " + url, e);
        }
    }

    private Duration remaining(URI url, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new HyphaException(ErrorCategory.NETWORK, "fetching " + url + " took longer than " + policy.timeout().toSeconds() + " s");
        }
        return Duration.ofNanos(left);
    }

    /** Drops the client's connections (a run's fetches are over). */
    @Override
    public void close() {
        http.shutdownNow();
    }

    private static void close(HttpResponse<InputStream> r) {
        close(r.body());
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // the fetch is over either way; a failed close leaves only a connection for the client to drop
        }
    }
}

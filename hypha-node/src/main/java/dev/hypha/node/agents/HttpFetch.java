package dev.hypha.node.agents;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.x402.ExactPayment;
import dev.hypha.node.x402.PaymentRequired;
import dev.hypha.node.x402.Settlement;
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
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * The runtime's built-in {@value #TOOL} tool: GET one URL on the spec's allowlist ({@link FetchPolicy}) and return its
 * text. Everything a page returns is hostile input, so every hop is bounded and re-checked:
 * <ul>
 *   <li>GET only, with no cookies, credentials or body: a model steered by an earlier page must not be able to change
 *   anything on an allowed host or post what it has read (a query string is all it can send, at most
 *   {@link ToolMenu#MAX_ARGUMENT_CHARS} characters of it).</li>
 *   <li>Redirects are followed by hand (the client follows none), at most {@link FetchPolicy#maxRedirects()},
 *   each target checked against the allowlist like the first URL; a redirect off the list ends the fetch.</li>
 *   <li>A name that is not listed as loopback must resolve only to public addresses: a public name pointing at
 *   127.0.0.1, 10/8, 192.168/16, 169.254/16 (cloud metadata) and the like is refused (DNS rebinding). The name is
 *   resolved once per hop, and the connection goes to exactly the addresses checked: the hop's HTTP client (Apache
 *   HttpClient 5) gets a {@link DnsResolver} that answers only those, so a DNS server that changes its answer between
 *   the check and the connect is never asked twice. The Host header, TLS SNI and the certificate check keep the
 *   name.</li>
 *   <li>Only text/* and JSON bodies are read, at most {@link FetchPolicy#maxBytes()} (a longer one is refused, not cut:
 *   half a JSON document misleads), all within {@link FetchPolicy#timeout()} however slowly the server sends.</li>
 *   <li>The text given back is cut to {@link #MAX_RESULT_CHARS}; the runtime shows the model less still.</li>
 * </ul>
 * A 402 answer with an x402 {@code PAYMENT-REQUIRED} header is paid when the fetch is given a {@link Payer} (the
 * runtime's, which pays within the agent's policy from its AgentAccount): the same URL is asked once more with the
 * payment, never twice; a second 402 is given back as it is. Without a payer, or when the payer refuses, the 402 is
 * given back as a result naming the price.
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
    public record Fetched(URI url, int status, String contentType, int bytes, String text, List<String> redirects,
                          Optional<ExactPayment> payment, Optional<Settlement> settlement) {
        public Fetched {
            redirects = List.copyOf(redirects);
            Objects.requireNonNull(payment, "payment");
            Objects.requireNonNull(settlement, "settlement");
        }

        Fetched(URI url, int status, String contentType, int bytes, String text, List<String> redirects) {
            this(url, status, contentType, bytes, text, redirects, Optional.empty(), Optional.empty());
        }

        Fetched paid(ExactPayment p, Optional<Settlement> s) {
            return new Fetched(url, status, contentType, bytes, text, redirects, Optional.of(p), s);
        }

        /** What the model (and the journal) get: status, type and text. */
        public String result() {
            return "HTTP " + status + (contentType.isEmpty() ? "" : " " + contentType) + ": " + text;
        }
    }

    /** How a host name becomes addresses (the system's resolver; tests give one that changes its answer). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /**
     * Pays a fetched page's x402 {@code PaymentRequired}: returns the payment to send, or throws a
     * {@link HyphaException} naming why it is not paid (no offer within the policy, or the account refused).
     */
    @FunctionalInterface
    public interface Payer {
        ExactPayment pay(URI url, PaymentRequired asked);
    }

    /** The system resolver, as the JDK's own lookups use it. */
    static final Resolver SYSTEM = InetAddress::getAllByName;

    private final FetchPolicy policy;
    private final Resolver resolver;

    public HttpFetch(FetchPolicy policy) {
        this(policy, SYSTEM);
    }

    HttpFetch(FetchPolicy policy, Resolver resolver) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
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
        return fetch(url, Optional.empty());
    }

    /**
     * GETs {@code url}, following allowed redirects, and pays a 402 through {@code payer} (once) if one is given.
     *
     * @throws HyphaException as {@link #fetch(String)}, and whatever the payer throws when it refuses
     */
    public Fetched fetch(String url, Optional<Payer> payer) {
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
            Hop r = send(current, deadline, Optional.empty());
            int status = r.status();
            Optional<String> location = r.header("Location");
            if (status >= 300 && status < 400 && location.isPresent()) {
                r.close();
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
            if (status == 402 && payer.isPresent() && r.header(X402.PAYMENT_REQUIRED).isPresent()) {
                return payAndRetry(current, r, hops, deadline, payer.get());
            }
            return read(current, r, hops, deadline);
        }
    }

    /**
     * Pays the 402 {@code first} asked for and asks {@code url} once more with the payment. An unreadable
     * PaymentRequired is given back as the 402 it was; a payer's refusal is thrown.
     */
    private Fetched payAndRetry(URI url, Hop first, List<String> hops, long deadline, Payer payer) {
        PaymentRequired asked;
        try {
            asked = PaymentRequired.parseHeader(first.header(X402.PAYMENT_REQUIRED).orElseThrow());
        } catch (RuntimeException e) {
            return read(url, first, hops, deadline);
        }
        first.close();
        ExactPayment payment = payer.pay(url, asked);
        Hop second = send(url, deadline, Optional.of(payment.toHeader()));
        Optional<Settlement> settlement;
        try {
            settlement = second.header(X402.PAYMENT_RESPONSE).map(Settlement::parseHeader);
        } catch (RuntimeException e) {
            settlement = Optional.empty(); // paid, but the receipt is unreadable: the answer still counts as paid
        }
        return read(url, second, hops, deadline).paid(payment, settlement);
    }

    private Fetched read(URI url, Hop r, List<String> hops, long deadline) {
        String type = r.header("Content-Type").orElse("").strip();
        String mime = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (r.status() == 402) {
            r.close();
            return new Fetched(url, 402, type, 0, paymentNote(r), hops);
        }
        if (!isText(mime)) {
            r.close();
            throw HyphaException.input(url + " answered " + r.status() + " with content type '" + AgentLog.quote(type)
                    + "'; http_fetch reads only text/* and JSON");
        }
        long declared = r.header("Content-Length").flatMap(HttpFetch::parseLong).orElse(-1L);
        if (declared > policy.maxBytes()) {
            r.close();
            throw tooLarge(url, declared + " bytes");
        }
        byte[] body = readBounded(url, r, deadline);
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
        return new Fetched(url, r.status(), type, body.length, text, hops);
    }

    private static Optional<Long> parseLong(String s) {
        try {
            return Optional.of(Long.parseLong(s.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String paymentNote(Hop r) {
        Optional<String> header = r.header(X402.PAYMENT_REQUIRED);
        if (header.isEmpty()) {
            return "payment required (no x402 " + X402.PAYMENT_REQUIRED + " header)";
        }
        try {
            PaymentRequired asked = PaymentRequired.parseHeader(header.get());
            StringBuilder s = new StringBuilder("x402 payment required: ");
            asked.accepts().forEach(a -> s.append(a.amount()).append(" of ").append(a.asset().toChecksumString())
                    .append(" on ").append(a.network()).append(" to ").append(a.payTo().toChecksumString()).append("; "));
            return s.append(asked.error().isEmpty() ? "not paid" : "not paid: " + AgentLog.quote(asked.error())).toString();
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
    static InetAddress[] checkAddresses(URI url, FetchPolicy.Host allowed) {
        return checkAddresses(url, allowed, SYSTEM);
    }

    /** As {@link #checkAddresses(URI, FetchPolicy.Host)}, asking {@code resolver} once; returns the addresses checked. */
    static InetAddress[] checkAddresses(URI url, FetchPolicy.Host allowed, Resolver resolver) {
        String host = url.getHost();
        InetAddress[] all;
        try {
            all = resolver.resolve(host.startsWith("[") ? host.substring(1, host.length() - 1) : IDN.toASCII(host));
            if (all == null || all.length == 0) {
                throw new UnknownHostException("no addresses");
            }
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
        return all.clone();
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

    /**
     * One request and its answer, its body not yet read. Its client was made for this hop alone: it connects only to
     * the addresses checked for the hop's host, and closing the hop closes it.
     */
    private record Hop(CloseableHttpClient client, ClassicHttpResponse response) implements AutoCloseable {
        int status() {
            return response.getCode();
        }

        Optional<String> header(String name) {
            Header h = response.getFirstHeader(name);
            return h == null ? Optional.empty() : Optional.ofNullable(h.getValue());
        }

        InputStream body() throws IOException {
            HttpEntity e = response.getEntity();
            return e == null ? InputStream.nullInputStream() : e.getContent();
        }

        @Override
        public void close() {
            try {
                response.close();
            } catch (IOException e) {
                // the hop is over either way
            }
            client.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
        }
    }

    /**
     * Checks {@code url} against the allowlist, resolves its host once, checks the addresses, and GETs it over a
     * connection to exactly those addresses (with {@code payment} as {@value X402#PAYMENT_SIGNATURE} when given).
     */
    private Hop send(URI url, long deadline, Optional<String> payment) {
        FetchPolicy.Host allowed = policy.check(url);
        InetAddress[] checked = checkAddresses(url, allowed, resolver);
        Duration left = remaining(url, deadline);
        // the deadline below ends the hop; the client's own timeouts are a backstop a little later
        Timeout backstop = Timeout.ofMilliseconds(left.toMillis() + 5_000);
        DnsResolver pinned = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) {
                return checked.clone(); // this client serves this one host: its checked addresses, never a new lookup
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
        CloseableHttpClient client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setDnsResolver(pinned)
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(backstop)
                                .setSocketTimeout(backstop).build()).build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(backstop).setRedirectsEnabled(false)
                        .build())
                .disableAutomaticRetries().disableRedirectHandling().disableCookieManagement().disableAuthCaching()
                .disableContentCompression().build();
        HttpGet get = new HttpGet(url);
        get.setHeader("Accept", "text/*, application/json");
        get.setHeader("User-Agent", "hypha-agent");
        payment.ifPresent(p -> get.setHeader(X402.PAYMENT_SIGNATURE, p));
        CompletableFuture<ClassicHttpResponse> sent = CompletableFuture.supplyAsync(() -> {
            try {
                return client.executeOpen(null, get, null);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
        try {
            return new Hop(client, sent.get(left.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            get.cancel();
            client.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
            throw new HyphaException(ErrorCategory.NETWORK, url + " (" + checked[0].getHostAddress() + ") did not answer"
                    + " within " + policy.timeout().toSeconds() + " s", e);
        } catch (ExecutionException e) {
            client.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
            Throwable cause = e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause();
            if (cause instanceof java.net.SocketTimeoutException) {
                throw new HyphaException(ErrorCategory.NETWORK, url + " (" + checked[0].getHostAddress() + ") did not"
                        + " answer within " + policy.timeout().toSeconds() + " s", cause);
            }
            throw new HyphaException(ErrorCategory.NETWORK, "cannot fetch " + url + " (" + checked[0].getHostAddress()
                    + "): " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            get.cancel();
            client.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.NETWORK, "interrupted fetching " + url, e);
        }
    }

    /** Reads at most maxBytes + 1 of the body before the deadline; a server trickling bytes is cut off there. */
    private byte[] readBounded(URI url, Hop hop, long deadline) {
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = hop.body()) {
                return in.readNBytes(policy.maxBytes() + 1);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
        try {
            return read.get(remaining(url, deadline).toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            hop.close();
            throw new HyphaException(ErrorCategory.NETWORK, url + " did not send its body within " + policy.timeout().toSeconds() + " s", e);
        } catch (ExecutionException e) {
            hop.close();
            throw new HyphaException(ErrorCategory.NETWORK, "cannot read " + url + ": " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            hop.close();
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.NETWORK, "interrupted reading " + url, e);
        } finally {
            if (read.isDone()) {
                hop.close();
            }
        }
    }

    private Duration remaining(URI url, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new HyphaException(ErrorCategory.NETWORK, "fetching " + url + " took longer than " + policy.timeout().toSeconds() + " s");
        }
        return Duration.ofNanos(left);
    }

    /** Nothing is held between fetches: each hop's client is closed with the hop. */
    @Override
    public void close() {
        // each hop's client closes with its hop
    }
}

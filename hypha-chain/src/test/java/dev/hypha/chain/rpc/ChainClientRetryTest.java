package dev.hypha.chain.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.hypha.chain.ChainException;
import dev.hypha.core.errors.ErrorCategory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import dev.hypha.core.time.Backoff;
import dev.hypha.core.time.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Retry policy against a real HTTP server on loopback that misbehaves on purpose. */
class ChainClientRetryTest {
    private static final ChainClient.Options FAST =
            new ChainClient.Options(Duration.ofSeconds(2), Duration.ofSeconds(5), 4, new Backoff(Duration.ofMillis(5), Duration.ofSeconds(1)));

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    /** Serves request n (1-based) with the status and body the function gives. */
    private String serve(IntFunction<Response> answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            Response r = answer.apply(requests.incrementAndGet());
            byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(r.status(), r.chunked() ? 0 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private record Response(int status, String body, boolean chunked) {
        Response(int status, String body) {
            this(status, body, false);
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void transientHttpFailuresAreRetriedUntilTheNodeAnswers() throws IOException {
        String url = serve(n -> n <= 2 ? new Response(503, "busy")
                : new Response(200, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x7a69\"}"));
        try (ChainClient client = ChainClient.connect(url, FAST)) {
            assertThat(client.chainId()).isEqualTo(31337);
        }
        assertThat(requests.get()).isEqualTo(3);
    }

    @Test
    void aJsonRpcErrorIsNotRetriedAndKeepsItsRevertData() throws IOException {
        String url = serve(n -> new Response(200,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":3,\"message\":\"execution reverted\",\"data\":\"0xdeadbeef\"}}"));
        try (ChainClient client = ChainClient.connect(url, FAST)) {
            assertThatThrownBy(client::blockNumber)
                    .isInstanceOfSatisfying(RpcErrorException.class, e -> {
                        assertThat(e.code()).isEqualTo(3);
                        assertThat(e.revertData()).contains("0xdeadbeef");
                        assertThat(e.category()).isEqualTo(ErrorCategory.CHAIN);
                    })
                    .hasMessage("eth_blockNumber failed: execution reverted (code 3)");
        }
        assertThat(requests.get()).isEqualTo(1);
    }

    @Test
    void aNodeThatKeepsFailingGivesOneNetworkErrorAfterTheBoundedAttempts() throws IOException {
        String url = serve(n -> new Response(502, "bad gateway"));
        try (ChainClient client = ChainClient.connect(url, FAST)) {
            assertThatThrownBy(client::chainId)
                    .isInstanceOfSatisfying(ChainException.class,
                            e -> assertThat(e.category()).isEqualTo(ErrorCategory.NETWORK))
                    .hasMessageStartingWith("RPC unreachable at " + url)
                    .hasMessageContaining("4 attempts");
        }
        assertThat(requests.get()).isEqualTo(4);
    }

    @Test
    void retriesWaitOnTheInjectedTimeSourceWithDoublingBackoff() throws IOException {
        String url = serve(n -> new Response(503, "busy"));
        ManualTimeSource time = new ManualTimeSource(Instant.EPOCH);
        ChainClient.Options options = new ChainClient.Options(Duration.ofSeconds(2), Duration.ofSeconds(5), 4,
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(3)));
        try (ChainClient client = ChainClient.connect(url, options, time)) {
            assertThatThrownBy(client::chainId).isInstanceOf(ChainException.class);
        }
        assertThat(time.sleeps()).isEqualTo(3);
        assertThat(time.elapsed()).as("1 s + 2 s + 3 s (capped), simulated").isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void anInterruptedCallerStopsRetryingAtOnce() throws IOException {
        String url = serve(n -> new Response(503, "busy"));
        ManualTimeSource time = new ManualTimeSource(Instant.EPOCH);
        try (ChainClient client = ChainClient.connect(url, FAST, time)) {
            Thread.currentThread().interrupt();
            assertThatThrownBy(client::chainId)
                    .isInstanceOfSatisfying(ChainException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NETWORK))
                    .hasMessageContaining("interrupted");
        } finally {
            Thread.interrupted();
        }
        assertThat(requests.get()).isLessThanOrEqualTo(1);
        assertThat(time.sleeps()).isZero();
    }

    @ParameterizedTest(name = "chunked={0}")
    @ValueSource(booleans = {false, true})
    void anAnswerLargerThanTheCapIsRefusedWithoutReadingItWholeOrRetrying(boolean chunked) throws IOException {
        // With a Content-Length it is refused before reading; chunked, reading stops at the cap.
        String huge = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x" + "0".repeat(3 << 20) + "1\"}";
        String url = serve(n -> new Response(200, huge, chunked));
        ChainClient.Options capped = new ChainClient.Options(Duration.ofSeconds(2), Duration.ofSeconds(5), 4,
                new Backoff(Duration.ofMillis(5), Duration.ofSeconds(1)), 1 << 20);
        try (ChainClient client = ChainClient.connect(url, capped)) {
            assertThatThrownBy(client::blockNumber)
                    .isInstanceOfSatisfying(ChainException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NETWORK))
                    .hasMessageContaining("eth_blockNumber to " + url + " failed: the node's answer is larger than 1048576 bytes");
        }
        assertThat(requests.get()).isEqualTo(1);
    }
}

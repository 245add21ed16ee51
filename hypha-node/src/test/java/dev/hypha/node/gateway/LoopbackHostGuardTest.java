package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.node.gateway.api.GatewayRoutes;
import dev.hypha.node.gateway.api.LoopbackHostGuard;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.http.HostHeader;
import dev.hypha.node.testing.TinyModelStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loopback gateway's defence against DNS rebinding, over real HTTP: requests are written on a raw socket because
 * a rebinding page's requests differ from a local client's only in their Host header, which Java's HTTP client will
 * not let a caller set.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoopbackHostGuardTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalBackend backend;
    private ApiServer server;

    @BeforeAll
    void start(@TempDir Path home) {
        backend = new LocalBackend(TinyModelStore.create(home, "tiny:latest", 7, 512), LocalBackend.Settings.defaults());
        server = new ApiServer("127.0.0.1", 0, List.of(new LoopbackHostGuard(), new GatewayRoutes(backend)));
        server.start();
    }

    @AfterAll
    void stop() {
        server.close();
        backend.close();
    }

    @Test
    void namesThatCannotBeReboundAreServed() throws IOException {
        int port = server.port();
        for (String host : List.of("127.0.0.1:" + port, "127.0.0.1", "localhost:" + port, "LOCALHOST", "[::1]:" + port,
                "app.localhost:" + port, "10.1.2.3")) {
            assertThat(exchange("GET", "/api/tags", host, null).status).as(host).isEqualTo(200);
        }
        Response answer = exchange("POST", "/api/generate", "localhost:" + port,
                "{\"model\":\"tiny\",\"prompt\":\"Hello\",\"stream\":false,\"options\":{\"num_predict\":2}}");
        assertThat(answer.status).as(answer.body).isEqualTo(200);
        assertThat(JSON.readTree(answer.body).get("done").asBoolean()).isTrue();
    }

    @Test
    void aRebindableNameIsRefusedBeforeAnyWorkInEachApisShape() throws IOException {
        int port = server.port();
        for (String host : List.of("evil.example:" + port, "127.0.0.1.evil.example:" + port, "localhost.evil.example",
                "evil.example:" + port + "@127.0.0.1", "127.0.0.1:99999999", "")) {
            Response r = exchange("POST", "/api/generate", host,
                    "{\"model\":\"tiny\",\"prompt\":\"Hello\",\"stream\":false,\"options\":{\"num_predict\":2}}");
            if (host.isEmpty() || host.contains("@") || host.endsWith(":99999999")) {
                assertThat(r.status).as(host).isIn(400, 403); // not a valid Host: Jetty or the guard, never served
                continue;
            }
            assertThat(r.status).as(host).isEqualTo(403);
            assertThat(JSON.readTree(r.body).get("error").asText()).as(host).contains("DNS rebinding")
                    .contains("127.0.0.1");
        }
        Response openAi = exchange("GET", "/v1/models", "evil.example:" + port, null);
        assertThat(openAi.status).isEqualTo(403);
        JsonNode error = JSON.readTree(openAi.body).get("error");
        assertThat(error.get("code").asText()).isEqualTo("forbidden_host");
        assertThat(error.get("message").asText()).contains("evil.example");
    }

    @Test
    void theHostRuleByItself() {
        assertThat(HostHeader.unrebindable("192.168.1.20:11434")).isTrue();
        assertThat(HostHeader.unrebindable("[fe80::1]")).isTrue();
        assertThat(HostHeader.unrebindable("a.b.localhost.")).isTrue();
        assertThat(HostHeader.unrebindable(null)).isFalse();
        assertThat(HostHeader.unrebindable("256.1.1.1")).isFalse();
        assertThat(HostHeader.unrebindable("localhost:")).isFalse();
        assertThat(HostHeader.unrebindable("xlocalhost")).isFalse();
        assertThat(HostHeader.unrebindable("-a.localhost")).isFalse();
        assertThat(HostHeader.unrebindable("a".repeat(300) + ".localhost")).isFalse();
    }

    private record Response(int status, String body) {}

    /** One HTTP/1.1 exchange with Connection: close, the whole answer read (it is small). */
    private Response exchange(String method, String path, String host, String body) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n")
                    + "\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            InputStream in = socket.getInputStream();
            String raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(raw.substring(9, 12));
            int split = raw.indexOf("\r\n\r\n");
            String rest = raw.substring(split + 4);
            if (raw.substring(0, split).toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
                rest = dechunk(rest);
            }
            return new Response(status, rest);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int eol = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, eol).trim(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(chunked, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
    }
}

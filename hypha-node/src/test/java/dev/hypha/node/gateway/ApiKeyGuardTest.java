package dev.hypha.node.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.UnauthorizedException;
import dev.hypha.node.apikeys.ApiKeys;
import dev.hypha.node.gateway.api.ApiKeyGuard;
import dev.hypha.node.gateway.api.GatewayRoutes;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.testing.TinyModelStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway with its API key check forced on, over real HTTP on loopback: a key is needed on every route, in each
 * API's error shape, and a revoked key stops working at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiKeyGuardTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "tiny:latest";

    private ApiKeys keys;
    private LocalBackend backend;
    private ApiServer server;
    private String key;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(@TempDir Path home) {
        keys = ApiKeys.open(ApiKeys.file(home));
        key = keys.create("tests").key();
        backend = new LocalBackend(TinyModelStore.create(home, MODEL, 7, 512), LocalBackend.Settings.defaults());
        server = new ApiServer("127.0.0.1", 0, List.of(new ApiKeyGuard(keys, List.of("/health", "/ui/static/"), List.of("/ui")),
                new GatewayRoutes(backend)));
        server.start();
    }

    @AfterAll
    void stop() {
        server.close();
        backend.close();
        keys.close();
    }

    @Test
    void theRightKeyOpensEveryApi() throws Exception {
        HttpResponse<String> tags = get("/api/tags", "Bearer " + key);
        assertThat(tags.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(tags.body()).at("/models/0/name").asText()).isEqualTo(MODEL);
        assertThat(get("/v1/models", "bearer " + key).statusCode()).isEqualTo(200);
        HttpResponse<String> answer = post("/api/generate", "Bearer " + key,
                "{\"model\":\"tiny\",\"prompt\":\"Hello\",\"stream\":false,\"options\":{\"num_predict\":3}}");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).get("done").asBoolean()).isTrue();
    }

    @Test
    void noKeyIsRefusedInEachApisShapeOnEveryRoute() throws Exception {
        for (String path : List.of("/", "/api/version", "/api/tags", "/no/such/route")) {
            HttpResponse<String> r = get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"hypha\"");
            assertThat(JSON.readTree(r.body()).get("error").asText()).as(path).startsWith("missing API key")
                    .contains("hypha apikey create");
        }
        HttpResponse<String> generate = post("/api/generate", null, "{\"model\":\"tiny\",\"prompt\":\"Hi\"}");
        assertThat(generate.statusCode()).isEqualTo(401);
        HttpResponse<String> chat = post("/v1/chat/completions", null,
                "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertThat(chat.statusCode()).isEqualTo(401);
        JsonNode error = JSON.readTree(chat.body()).get("error");
        assertThat(error.get("message").asText()).startsWith("missing API key");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(error.get("param").isNull()).isTrue();
    }

    @Test
    void garbledHeadersAreRefused() throws Exception {
        for (String header : List.of("Basic dXNlcjpwYXNz", "Bearer", "Bearer " + key + " extra", key,
                "Bearer \"" + key + "\"", "Bearer " + "a".repeat(600))) {
            HttpResponse<String> r = get("/api/tags", header);
            assertThat(r.statusCode()).as(header).isEqualTo(401);
            assertThat(JSON.readTree(r.body()).get("error").asText()).as(header).startsWith("malformed API key");
        }
        HttpResponse<String> wrong = get("/v1/models", "Bearer hypha_" + "A".repeat(43));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrong.body()).at("/error/message").asText()).startsWith("invalid API key");
    }

    @Test
    void openPrefixesNeedNoKey() throws Exception {
        // /health is not a gateway route here, so it answers 404, but it is not refused for the missing key
        assertThat(get("/health", null).statusCode()).isEqualTo(404);
        assertThat(get("/ui/static/app.js", null).statusCode()).isEqualTo(404);
    }

    @Test
    void openPathsNeedNoKeyButOnlyExactly() throws Exception {
        // the dashboard's page shell is open (404 here: no dashboard on this server); its data and look-alikes are not
        assertThat(get("/ui", null).statusCode()).isEqualTo(404);
        for (String path : List.of("/ui/api/overview", "/uix", "/ui/apix", "/ui/static")) {
            assertThat(get(path, null).statusCode()).as(path).isEqualTo(401);
        }
    }

    @Test
    void theOfficialOpenAiClientSendsItsKeyAndIsRefusedWithARevokedOne() {
        String revocable = keys.create("sdk").key();
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1")
                .apiKey(revocable).maxRetries(0).build();
        try {
            assertThat(client.models().list().data()).extracting(m -> m.id()).contains(MODEL);
            keys.revoke("sdk");
            assertThatThrownBy(() -> client.models().list()).isInstanceOf(UnauthorizedException.class)
                    .hasMessageContaining("invalid API key");
        } finally {
            client.close();
        }
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String authorization, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}

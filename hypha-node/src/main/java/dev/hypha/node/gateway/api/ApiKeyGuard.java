package dev.hypha.node.gateway.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.apikeys.ApiKeys;
import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.gateway.ollama.OllamaJson;
import dev.hypha.node.http.ApiRoutes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Requires {@code Authorization: Bearer <key>} with an active {@link ApiKeys} key on every request to the server it is
 * added to (paths that match no route included, so nothing is learned without a key), except under the given open
 * prefixes. A refusal is 401 in the shape the API's clients parse: OpenAI's error object under {@code /v1}, Ollama's
 * {@code {"error": "..."}} elsewhere. Added by whoever serves the gateway beyond loopback.
 */
public final class ApiKeyGuard implements ApiRoutes {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ApiKeys keys;
    private final List<String> openPrefixes;
    private final List<String> openPaths;

    /** Guards every path. */
    public ApiKeyGuard(ApiKeys keys) {
        this(keys, List.of());
    }

    /**
     * @param openPrefixes path prefixes that need no key, because something else guards them (for example
     *                     {@code /provider/} on a node that also sells: vouchers pay for those)
     */
    public ApiKeyGuard(ApiKeys keys, List<String> openPrefixes) {
        this(keys, openPrefixes, List.of());
    }

    /**
     * @param openPaths exact paths that need no key, such as the dashboard's page shell {@code /ui}, which holds no
     *                  data (the data under {@code /ui/api/} stays guarded)
     */
    public ApiKeyGuard(ApiKeys keys, List<String> openPrefixes, List<String> openPaths) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.openPrefixes = List.copyOf(openPrefixes);
        this.openPaths = List.copyOf(openPaths);
    }

    @Override
    public void addTo(Javalin api) {
        api.before(this::check);
    }

    private void check(Context ctx) {
        String path = ctx.path();
        if (openPrefixes.stream().anyMatch(path::startsWith) || openPaths.contains(path)) {
            return;
        }
        String problem = switch (BearerKey.parse(Optional.ofNullable(ctx.header("Authorization")))) {
            case BearerKey.Missing m -> "missing API key: send the header 'Authorization: Bearer <key>' (a key comes"
                    + " from `hypha apikey create NAME` on the gateway's machine)";
            case BearerKey.Malformed m -> "malformed API key: " + m.why();
            case BearerKey.Key k -> keys.accepts(k.key()) ? null : "invalid API key: it is unknown or was revoked"
                    + " (see `hypha apikey list` on the gateway's machine)";
        };
        if (problem == null) {
            return;
        }
        ctx.status(401);
        ctx.header("WWW-Authenticate", "Bearer realm=\"hypha\"");
        ctx.contentType("application/json; charset=utf-8")
                .result(JsonBody.write(isOpenAi(path) ? openAiError(problem, "invalid_api_key") : OllamaJson.error(problem)));
        ctx.skipRemainingHandlers();
    }

    static boolean isOpenAi(String path) {
        return path.equals("/v1") || path.startsWith("/v1/");
    }

    /** OpenAI's error body: its clients read error.message and error.code (such as "invalid_api_key"). */
    static ObjectNode openAiError(String message, String code) {
        ObjectNode o = JSON.objectNode();
        o.putObject("error").put("message", message).put("type", "invalid_request_error").putNull("param")
                .put("code", code);
        return o;
    }
}

package dev.hypha.node.gateway.api;

import dev.hypha.node.gateway.http.JsonBody;
import dev.hypha.node.gateway.ollama.OllamaJson;
import dev.hypha.node.http.ApiRoutes;
import dev.hypha.node.http.HostHeader;
import io.javalin.Javalin;
import io.javalin.http.Context;

/**
 * Answers 403 to every request whose {@code Host} is a name that could be re-pointed at this machine (see
 * {@link HostHeader}). Added by whoever serves the gateway on loopback without API keys: there, any web page the user
 * opens could otherwise rebind its own name to 127.0.0.1 and spend the user's money through the paying gateway (chat,
 * generate, the dashboard's actions), or read its answers. Clients that address the node as 127.0.0.1, [::1] or
 * localhost, as every Ollama and OpenAI client does by default, never notice. Beyond loopback the API keys stand
 * guard instead ({@link ApiKeyGuard}). Ollama refuses such hosts on loopback for the same reason.
 */
public final class LoopbackHostGuard implements ApiRoutes {

    @Override
    public void addTo(Javalin api) {
        api.before(this::check);
    }

    private void check(Context ctx) {
        String host = ctx.header("Host");
        if (HostHeader.unrebindable(host)) {
            return;
        }
        String problem = "the node listens on loopback and answers only requests addressed to an IP address or "
                + "localhost, not to the name '" + HostHeader.shorten(host) + "' (protection against DNS rebinding: a "
                + "web page could make its own name point here); use http://127.0.0.1:PORT or http://localhost:PORT";
        ctx.status(403);
        ctx.contentType("application/json; charset=utf-8").result(JsonBody.write(ApiKeyGuard.isOpenAi(ctx.path())
                ? ApiKeyGuard.openAiError(problem, "forbidden_host") : OllamaJson.error(problem)));
        ctx.skipRemainingHandlers();
    }
}

package dev.hypha.cli;

import dev.hypha.core.config.Settings;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.apikeys.ApiKeys;
import dev.hypha.node.apikeys.KeyRequirement;
import dev.hypha.node.gateway.api.ApiKeyGuard;
import dev.hypha.node.gateway.api.GatewayRoutes;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.http.ApiRoutes;
import dev.hypha.node.http.ApiServer;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hypha gateway}: the Ollama- and OpenAI-compatible API over the models of the local store, until Ctrl-C or
 * SIGTERM. It listens on loopback unless told otherwise; beyond loopback every request must carry an API key
 * ({@code hypha apikey create}), and it refuses to start there while no key exists.
 */
@Command(name = "gateway",
        description = {"Serve the Ollama and OpenAI APIs for the models of the local store, until Ctrl-C.",
            "Point an Ollama client at http://HOST:PORT, or an OpenAI client at http://HOST:PORT/v1.",
            "Listens on api.listen (default 127.0.0.1:11434); beyond loopback clients need an API key."})
final class GatewayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Where to listen (default: api.listen).")
    String listen;

    @Option(names = "--allow-remote",
            description = "Listen on a non-loopback address; every request must then carry an API key "
                    + "(`hypha apikey create NAME`).")
    boolean allowRemote;

    @Option(names = "--require-api-key",
            description = "Require an API key on loopback too (always required beyond it).")
    boolean requireApiKey;

    @Mixin
    EngineOptions engineOptions;

    @Override
    public Integer call() throws InterruptedException {
        Session session = Session.of(spec);
        Settings.HostPort where = where(session);
        boolean remote = !KeyRequirement.isLoopback(where.host());
        if (remote && !allowRemote) {
            throw HyphaException.input("refusing to listen on " + where + ": it is not a loopback address. Pass "
                    + "--allow-remote to serve other machines; every request must then carry one of your API keys "
                    + "(`hypha apikey create NAME`). Or listen on 127.0.0.1.");
        }
        LocalBackend.Settings backendSettings = engineOptions.backendSettings();
        ModelStore store = new ModelStore(session.home(), Clock.systemUTC());
        PrintWriter out = session.out();
        CliEnvironment.StopSignal stop = session.environment().runUntil();
        try (ApiKeys keys = KeyRequirement.applies(where.host(), requireApiKey)
                ? KeyRequirement.openActive(session.home(), where.toString()) : null;
             LocalBackend backend = new LocalBackend(store, backendSettings)) {
            List<ModelInfo> models = backend.models();
            List<ApiRoutes> routes = keys == null ? List.of(new GatewayRoutes(backend))
                    : List.of(new ApiKeyGuard(keys), new GatewayRoutes(backend));
            try (ApiServer server = new ApiServer(where.host(), where.port(), routes)) {
                server.start();
                printSummary(out, where, server.port(), models, session, keys != null);
                stop.await();
                out.println("Stopping the gateway...");
                out.flush();
            }
            out.println("Stopped.");
            out.flush();
            return ExitCodes.OK;
        } finally {
            stop.finished();
        }
    }

    private Settings.HostPort where(Session session) {
        if (listen == null) {
            return session.config().get(Settings.API_LISTEN);
        }
        try {
            return Settings.HostPort.parse(listen);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("--listen " + listen + " is not HOST:PORT (" + e.getMessage()
                    + "); for example 127.0.0.1:11434");
        }
    }

    private static void printSummary(PrintWriter out, Settings.HostPort where, int port, List<ModelInfo> models,
                                     Session session, boolean keys) {
        String base = "http://" + new Settings.HostPort(where.host(), port);
        out.println("Hypha gateway on " + base);
        if (keys) {
            out.println("  API key required: header 'Authorization: Bearer <key>' (keys: `hypha apikey list`)");
            out.println("  Ollama clients  OLLAMA_HOST=" + base + "   (curl -H 'Authorization: Bearer KEY' " + base
                    + "/api/tags)");
            out.println("  OpenAI clients  base URL " + base + "/v1, one of your API keys");
        } else {
            out.println("  Ollama clients  OLLAMA_HOST=" + base + "   (curl " + base + "/api/tags)");
            out.println("  OpenAI clients  base URL " + base + "/v1, any API key");
        }
        if (models.isEmpty()) {
            out.println("The store in " + session.home() + " has no models yet: add one with "
                    + "`hypha model import FILE.gguf --name NAME`.");
        } else {
            out.println("Models:");
            for (ModelInfo m : models) {
                out.println("  " + m.name() + "  (" + m.family() + ", " + m.quantization() + ")");
            }
        }
        out.println("Running. Press Ctrl-C to stop.");
        out.flush();
    }
}

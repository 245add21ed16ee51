package dev.hypha.cli;

import dev.hypha.core.config.Settings;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.api.GatewayRoutes;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.http.ApiServer;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
 * SIGTERM. It listens on loopback only unless told otherwise, because it has no API keys yet.
 */
@Command(name = "gateway",
        description = {"Serve the Ollama and OpenAI APIs for the models of the local store, until Ctrl-C.",
            "Point an Ollama client at http://HOST:PORT, or an OpenAI client at http://HOST:PORT/v1 (any API key).",
            "Listens on api.listen (default 127.0.0.1:11434)."})
final class GatewayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Where to listen (default: api.listen).")
    String listen;

    @Option(names = "--allow-remote",
            description = "Listen on a non-loopback address although the gateway has no API keys yet.")
    boolean allowRemote;

    @Mixin
    EngineOptions engineOptions;

    @Override
    public Integer call() throws InterruptedException {
        Session session = Session.of(spec);
        Settings.HostPort where = where(session);
        if (!allowRemote && !isLoopback(where.host())) {
            throw HyphaException.input("refusing to listen on " + where + ": it is not a loopback address, and the "
                    + "gateway has no API keys yet (they come with `hypha apikey`), so anyone who reaches it could use "
                    + "your models. Listen on 127.0.0.1, or pass --allow-remote if you accept that.");
        }
        LocalBackend.Settings backendSettings = engineOptions.backendSettings();
        ModelStore store = new ModelStore(session.home(), Clock.systemUTC());
        PrintWriter out = session.out();
        CliEnvironment.StopSignal stop = session.environment().runUntil();
        try (LocalBackend backend = new LocalBackend(store, backendSettings)) {
            List<ModelInfo> models = backend.models();
            try (ApiServer server = new ApiServer(where.host(), where.port(), List.of(new GatewayRoutes(backend)))) {
                server.start();
                printSummary(out, where, server.port(), models, session);
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

    private static boolean isLoopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            throw HyphaException.input("cannot resolve the listen host " + host + ": " + e.getMessage());
        }
    }

    private static void printSummary(PrintWriter out, Settings.HostPort where, int port, List<ModelInfo> models,
                                     Session session) {
        String base = "http://" + new Settings.HostPort(where.host(), port);
        out.println("Hypha gateway on " + base);
        out.println("  Ollama clients  OLLAMA_HOST=" + base + "   (curl " + base + "/api/tags)");
        out.println("  OpenAI clients  base URL " + base + "/v1, any API key");
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

package dev.hypha.cli;

import dev.hypha.core.config.Settings;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.apikeys.ApiKeys;
import dev.hypha.node.apikeys.KeyRequirement;
import dev.hypha.node.gateway.api.ApiKeyGuard;
import dev.hypha.node.gateway.api.GatewayRoutes;
import dev.hypha.node.gateway.api.LoopbackHostGuard;
import dev.hypha.node.gateway.pull.PullRoutes;
import dev.hypha.node.gateway.pull.Puller;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.http.ApiRoutes;
import dev.hypha.node.http.ApiServer;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.text.TerminalText;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.network.PayingGateway;
import dev.hypha.node.gateway.network.RoutingPolicy;
import org.web3j.crypto.Credentials;
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

    @Option(names = "--network",
            description = {"Buy answers from the network's providers (their offers on chain), paying from the",
                "keystore account through payment channels within `hypha budget`, instead of the local store."})
    boolean network;

    @Option(names = "--allow-provider", paramLabel = "ADDRESS",
            description = "With --network: only these providers may see prompts (repeatable).")
    List<String> allowProviders = new ArrayList<>();

    @Option(names = "--deny-provider", paramLabel = "ADDRESS",
            description = "With --network: never send prompts to this provider (repeatable).")
    List<String> denyProviders = new ArrayList<>();

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
        if (!network && (!allowProviders.isEmpty() || !denyProviders.isEmpty())) {
            throw HyphaException.input("--allow-provider and --deny-provider choose among the network's providers: "
                    + "add --network");
        }
        PrintWriter out = session.out();
        CliEnvironment.StopSignal stop = session.environment().runUntil();
        try (ApiKeys keys = KeyRequirement.applies(where.host(), requireApiKey)
                ? KeyRequirement.openActive(session.home(), where.toString()) : null;
             Backend backend = network ? paying(session) : local(session)) {
            List<ModelInfo> models = backend.backend().models();
            List<ApiRoutes> routes = keys == null ? List.of(new LoopbackHostGuard(), new GatewayRoutes(backend.backend()),
                    backend.pulls())
                    : List.of(new ApiKeyGuard(keys), new GatewayRoutes(backend.backend()), backend.pulls());
            try (ApiServer server = new ApiServer(where.host(), where.port(), routes)) {
                server.start();
                printSummary(out, where, server.port(), models, session, keys != null, backend.describe());
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

    /** What the routes serve and what owns it. */
    private record Backend(InferenceBackend backend, AutoCloseable owner, String describe, PullRoutes pulls)
            implements AutoCloseable {
        @Override
        public void close() {
            try {
                owner.close();
            } catch (Exception e) {
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
        }
    }

    private Backend local(Session session) {
        LocalBackend backend = new LocalBackend(new ModelStore(session.home(), Clock.systemUTC()),
                engineOptions.backendSettings());
        return new Backend(backend, backend, "Answers from the local store in " + session.home() + " (nothing leaves "
                + "this machine)", PullRoutes.localOnly());
    }

    private Backend paying(Session session) {
        Credentials key = session.credentials();
        HyphaContracts contracts = HyphaContracts.connect(session.deployment(), session.sender(key));
        PayingGateway gateway = PayingGateway.open(session.home(), contracts, data -> Eip712.sign(data, key),
                new RoutingPolicy(addresses("--allow-provider", allowProviders),
                        addresses("--deny-provider", denyProviders)), Clock.systemUTC());
        return new Backend(gateway.backend(), gateway, "Answers bought from the network's providers, paid by "
                + Address.parse(key.getAddress()).toChecksumString() + " (channels of "
                + TokenAmount.format(gateway.budget().perChannel(), BudgetCommand.DECIMALS) + " hUSD, at most "
                + TokenAmount.format(gateway.budget().total(), BudgetCommand.DECIMALS) + " in all: `hypha budget`)",
                // /api/pull fetches from the same network into the home's store (pulls are free: nothing is paid)
                PullRoutes.network(Puller.overChain(new ModelStore(session.home(), Clock.systemUTC()),
                        contracts, Clock.systemUTC())));
    }

    private static Set<Address> addresses(String flag, List<String> values) {
        Set<Address> out = new HashSet<>();
        for (String v : values) {
            try {
                out.add(Address.parse(v.strip()));
            } catch (IllegalArgumentException e) {
                throw HyphaException.input(flag + " " + TerminalText.line(v) + " is not an address (0x + 40 hex digits)");
            }
        }
        return out;
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
                                     Session session, boolean keys, String source) {
        String base = "http://" + new Settings.HostPort(where.host(), port);
        out.println("Hypha gateway on " + base);
        out.println("  " + source);
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
            out.println("No models yet: import one with `hypha model import FILE.gguf --name NAME` (local), or wait"
                    + " for a provider to offer one (`hypha offers`).");
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

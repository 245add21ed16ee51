package dev.hypha.cli;

import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.core.config.Settings;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.provider.DevCachedAnswers;
import dev.hypha.node.gateway.remote.OllamaUpstream;
import dev.hypha.node.gateway.remote.OpenAiUpstream;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderTerms;
import dev.hypha.node.provider.ProviderRoutes;
import dev.hypha.node.provider.ProviderService;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.node.http.ApiRoutes;
import dev.hypha.node.provider.ReceiptSigner;
import dev.hypha.node.provider.PublishedOffers;
import dev.hypha.core.text.TerminalText;
import dev.hypha.node.devnet.DevProvider;
import dev.hypha.node.devnet.LocalNetworkSettings;
import dev.hypha.chain.devnet.DevAccounts;
import dev.hypha.node.transport.ProviderTls;
import dev.hypha.node.apikeys.KeyRequirement;
import javax.net.ssl.SSLContext;
import dev.hypha.node.provider.Redeemer;
import java.io.PrintWriter;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.node.royalties.RoyaltyRouter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import dev.hypha.chain.deploy.OpmlVerifierClient;
import dev.hypha.node.verify.opml.IntLmModels;
import dev.hypha.node.verify.opml.OpmlAnswerLog;
import dev.hypha.node.verify.opml.OpmlBackend;
import dev.hypha.node.verify.opml.OpmlCheat;
import dev.hypha.node.verify.opml.OpmlDefender;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hypha provider start}: sells answers from the local store's models against payment-channel vouchers, until
 * Ctrl-C or SIGTERM, then redeems every voucher it holds. The keystore account is the payee and signs receipts.
 */
@Command(name = "start",
        description = {"Serve the store's models for payment (x402 + payment channels) until Ctrl-C, then redeem.",
            "Clients POST Ollama /api/chat, /api/generate or /api/embed bodies to http://HOST:PORT" + ProviderRoutes.PREFIX
                    + "/api/...; without a PAYMENT-SIGNATURE voucher they get 402 with what to pay."})
final class ProviderStartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:11435",
            description = "Where to listen (default ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--input-price", paramLabel = "UNITS", required = true,
            description = "Price of a million prompt tokens, in the payment token's smallest units.")
    String inputPrice;

    @Option(names = "--output-price", paramLabel = "UNITS", required = true,
            description = "Price of a million generated tokens, in the payment token's smallest units.")
    String outputPrice;

    @Option(names = "--tls", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = {"Serve HTTPS (TLS 1.3) with a certificate the account's key vouches for (default), so",
                "gateways know they talk to this provider; --no-tls serves plain HTTP, on loopback only."})
    boolean tls;

    @Option(names = "--dev-account", paramLabel = "N",
            description = {"Run as anvil's dev account N (0-9; its key is public) instead of a keystore account, and",
                "stake and register it at the listening address first. Only on the local chain (31337)."})
    Integer devAccount;

    @Option(names = "--dev-cheat", paramLabel = "KIND",
            description = {"DEVELOPMENT AND TEST ONLY, refused except with --dev-account on the local chain: KIND",
                "'cached-answers' answers every prompt as one fixed prompt (paid and receipted), so an inference",
                "subnet's validators (`subnet validate --score-answers`) can be seen to score a cheater 0; 'truncated'",
                "(with --opml) skips part of the verifiable models' computation and commits that trace, so an opML",
                "challenger (`hypha verifier opml`) can be seen to bisect, win and slash it."})
    String devCheat;

    @Option(names = "--opml", paramLabel = "MODEL",
            description = {"Also serve this verifiable model (repeatable): intlm-SEED, the integer decoder IntLm with the",
                "weights drawn from SEED. Its receipts carry a signed opML commitment to the output and the Merkle root",
                "of the computation's trace; the answers are kept under <home>/opml/ and disputes over them on",
                "OpmlVerifier are answered automatically while the provider runs."})
    List<String> opmlModels = new java.util.ArrayList<>();

    @Option(names = "--upstream", paramLabel = "URL",
            description = {"Sell the models of an engine you already run instead of the store's: an Ollama server",
                "(e.g. http://127.0.0.1:11434) or, with --upstream-api openai, an OpenAI-compatible server such as",
                "llama.cpp's llama-server or vLLM (e.g. http://127.0.0.1:8080). Answers stream through, charged as it counts."})
    String upstream;

    /** Which API the upstream engine speaks. */
    enum UpstreamApi { ollama, openai }

    @Option(names = "--upstream-api", paramLabel = "API", defaultValue = "ollama",
            description = {"The API --upstream speaks: ollama (default; /api/...) or openai (/v1/...; the server must",
                "report token usage when streaming, as llama-server and vLLM do). Valid values: ${COMPLETION-CANDIDATES}."})
    UpstreamApi upstreamApi;

    @Mixin
    EngineOptions engineOptions;

    @Mixin
    RoyaltyOptions royaltyOptions;

    @Override
    public Integer call() throws InterruptedException {
        Prices prices = new Prices(units("--input-price", inputPrice), units("--output-price", outputPrice));
        Settings.HostPort where = hostPort(listen);
        if (!tls && !KeyRequirement.isLoopback(where.host())) {
            throw HyphaException.input("--no-tls on " + listen + " would send prompts in the clear: plain HTTP is for "
                    + "loopback only (gateways refuse it elsewhere); drop --no-tls");
        }
        LocalBackend.Settings backendSettings = engineOptions.backendSettings();
        List<Address> publishers = royaltyOptions.addresses();
        checkDevCheatOption();
        try (Session session = Session.of(spec)) {
            Deployment deployment = session.deployment();
            Credentials key = devAccount == null ? session.credentials() : devKey(devAccount, deployment.chainId());
            Address account = Address.parse(key.getAddress());
            HyphaContracts contracts = HyphaContracts.connect(deployment, session.sender(key));
            PaymentChannelsClient channels = contracts.channels();
            ProviderTerms terms = new ProviderTerms(deployment.chainId(),
                    Address.parse(deployment.address("PaymentToken")), account,
                    Address.parse(deployment.address(PaymentChannelsClient.NAME)), prices, 600);
            ReceiptSigner receipts = new ReceiptSigner(new ReceiptDomain(deployment.chainId(),
                    Address.parse(deployment.address("ProviderRegistry"))), account, data -> Eip712.sign(data, key));
            Path ledgerFile = ProviderService.ledgerFile(session.home(), deployment.chainId(), account);
            PrintWriter out = session.out();
            CliEnvironment.StopSignal stop = session.environment().runUntil();
            ModelStore store = new ModelStore(session.home(), Clock.systemUTC());
            boolean cheatsAny = devCheat(deployment.chainId());
            boolean cheats = cheatsAny && "cached-answers".equals(devCheat.strip());
            OpmlCheat opmlCheat = cheatsAny && !cheats ? OpmlCheat.parse(devCheat) : OpmlCheat.NONE;
            InferenceBackend engine = upstream != null ? upstream(upstreamUri(upstream)) : new LocalBackend(store, backendSettings);
            OpmlBackend opml = opmlModels.isEmpty() ? null : opmlBackend(session, key, account, engine, opmlCheat);
            ScheduledExecutorService defence = Executors.newSingleThreadScheduledExecutor();
            try (InferenceBackend backend = opml != null ? opml : cheats ? new DevCachedAnswers(engine) : engine) {
                if (cheats) out.println("DEV-ONLY CHEATER: every prompt is answered as \"hello\" (--dev-cheat cached-answers)");
                if (opml != null) {
                    startDefence(defence, session, contracts, account, opml, out);
                    out.println("Verifiable models (opML: receipts commit to the output and the trace root): "
                            + String.join(", ", opml.served()));
                    if (opmlCheat != OpmlCheat.NONE) {
                        out.println("DEV-ONLY CHEATER: the verifiable models' answers are computed " + devCheat.strip()
                                + " (--dev-cheat " + devCheat.strip() + ")");
                    }
                }
                SSLContext transport = tls ? ProviderTls.server(key, deployment.chainId(), account, Clock.systemUTC()) : null;
                // The store's models are also handed out block by block (GET /ipfs/{cid}) to gateways that pull them;
                // an upstream engine's files are not ours to hand out.
                List<ApiRoutes> blocks = upstream != null ? List.of() : List.of(BlockRoutes.forStore(store, session.home()));
                // Its model is also an x402 endpoint metered with `upto` over the same channels (MeteredCompletions).
                try (ProviderService provider = ProviderService.start(backend, terms, channels, receipts, ledgerFile,
                        where.host(), where.port(), transport, Clock.systemUTC(), blocks,
                        List.of(dev.hypha.node.x402.MeteredCompletions.areas(backend),
                                dev.hypha.node.mcp.ProviderMcp.areas(backend)))) {
                    if (devAccount != null) {
                        DevProvider.ensureRegistered(contracts, provider.endpoint(), line -> {
                            out.println(line);
                            out.flush();
                        });
                    }
                    printSummary(out, provider.endpoint(), terms, ledgerFile, backend.models());
                    // Paid data sealed in this home by the provider's account is delivered while it runs.
                    try (PublishedOffers offers = publish(out, contracts, account, provider.endpoint(), backend, terms);
                         dev.hypha.node.data.DataSales sales = new dev.hypha.node.data.DataSales(session.home(),
                                 k -> contracts, line -> {
                                     out.println(line);
                                     out.flush();
                                 }).sellFor(List.of(key)).start(java.time.Duration.ofSeconds(5))) {
                        out.println("Running. Press Ctrl-C to stop (offers are withdrawn and vouchers redeemed on the way out).");
                        out.flush();
                        stop.await();
                        out.println("Stopping the provider...");
                        out.flush();
                    }
                    provider.stopServing();
                    redeem(out, provider.redeemAll());
                    payRoyalties(out, provider.ledger(), contracts, publishers);
                }
            } finally {
                defence.shutdownNow();
                stop.finished();
            }
            out.println("Stopped.");
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** Whether the dev-only cheat is on; refused anywhere but a --dev-account on the local chain. */
    private boolean devCheat(long chainId) {
        if (devCheat == null) return false;
        checkDevCheatOption();
        if (chainId != dev.hypha.node.devnet.LocalNetworkSettings.CHAIN_ID) {
            throw HyphaException.input("--dev-cheat is for trying subnet validation on the local dev chain "
                    + dev.hypha.node.devnet.LocalNetworkSettings.CHAIN_ID + " only, with --dev-account (this is chain "
                    + chainId + ")");
        }
        return true;
    }

    /** What can be refused before reaching the chain: an unknown cheat, or one without a dev account. */
    private void checkDevCheatOption() {
        for (String m : opmlModels) {
            if (IntLmModels.named(m).isEmpty()) {
                throw HyphaException.input("--opml " + TerminalText.line(m) + " is not a verifiable model: expected "
                        + IntLmModels.PREFIX + "SEED, e.g. " + IntLmModels.PREFIX + "11");
            }
        }
        if (devCheat == null) return;
        if ("truncated".equals(devCheat.strip()) && opmlModels.isEmpty()) {
            throw HyphaException.input("--dev-cheat truncated cheats on verifiable models: it needs --opml MODEL");
        }
        if (!"cached-answers".equals(devCheat.strip()) && !"truncated".equals(devCheat.strip())) {
            throw HyphaException.input("--dev-cheat: unknown cheat '" + devCheat + "' (there is: cached-answers, "
                    + "truncated)");
        }
        if (devAccount == null) {
            throw HyphaException.input("--dev-cheat is for trying subnet validation on the local dev chain only: it "
                    + "needs --dev-account");
        }
    }

    /** The engine plus the --opml models, answering as {@code account} signs, keeping answers under the home. */
    private OpmlBackend opmlBackend(Session session, Credentials key, Address account, InferenceBackend engine,
                                    OpmlCheat cheat) {
        Deployment deployment = session.deployment();
        if (!deployment.contracts().containsKey(OpmlVerifierClient.NAME)) {
            throw HyphaException.input("--opml needs OpmlVerifier, which this deployment lacks: redeploy with `hypha deploy`");
        }
        return new OpmlBackend(engine, opmlModels, cheat, account, key, deployment.chainId(),
                Address.parse(deployment.address(OpmlVerifierClient.NAME)), new OpmlAnswerLog(opmlDir(session, account)
                .resolve("answers"), OPML_ANSWERS_KEPT));
    }

    /** Most verifiable answers kept to defend (the oldest are dropped first). */
    static final int OPML_ANSWERS_KEPT = 10_000;

    /** Where a provider account keeps its verifiable answers on a chain (one home may run several providers). */
    private static Path opmlDir(Session session, Address account) {
        return session.home().resolve("opml").resolve("provider-" + session.deployment().chainId() + "-"
                + account.lowercaseHex());
    }

    /** Answers disputes over this provider's verifiable receipts every second while it serves. */
    private static void startDefence(ScheduledExecutorService loop, Session session, HyphaContracts contracts,
                                     Address account, OpmlBackend opml, PrintWriter out) {
        OpmlDefender defender = new OpmlDefender(contracts.opml(), account, opml.answers(), opml::runs,
                () -> session.chain().latestBlock().getTimestamp().longValueExact(), line -> {
                    out.println("opML " + line);
                    out.flush();
                }, opmlDir(session, account).resolve("defender-cursor"));
        loop.scheduleWithFixedDelay(() -> {
            try {
                defender.poll();
            } catch (RuntimeException e) {
                out.println("opML defence poll failed: " + e.getMessage());
                out.flush();
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    private InferenceBackend upstream(java.net.URI uri) {
        return switch (upstreamApi) {
            case ollama -> new OllamaUpstream(uri);
            case openai -> new OpenAiUpstream(uri);
        };
    }

    private static java.net.URI upstreamUri(String text) {
        try {
            java.net.URI uri = java.net.URI.create(text.strip());
            if (uri.getHost() != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw HyphaException.input("--upstream " + TerminalText.line(text) + " is not an http(s) URL, e.g. "
                + "http://127.0.0.1:11434 for a local Ollama server");
    }

    /** A public anvil dev key, only for the local chain (anyone can spend from it anywhere else). */
    static Credentials devKey(int n, long chainId) {
        if (chainId != LocalNetworkSettings.CHAIN_ID) {
            throw HyphaException.input("--dev-account uses anvil's public test keys: only on the local chain "
                    + LocalNetworkSettings.CHAIN_ID + ", not on chain " + chainId);
        }
        if (n < 0 || n > 9) {
            throw HyphaException.input("--dev-account " + n + " is out of range: expected 0 to 9");
        }
        return DevAccounts.derive(DevAccounts.DEFAULT_MNEMONIC, n + 1).get(n);
    }

    /** Says what redeeming paid. */
    static void redeem(PrintWriter out, List<Redeemer.Outcome> outcomes) {
        if (outcomes.isEmpty()) {
            out.println("Nothing to redeem.");
        }
        for (Redeemer.Outcome o : outcomes) {
            out.println(o.ok() ? "Redeemed channel " + o.channelId() + ": " + o.redeemed() + " paid out in total"
                    : "Could not redeem channel " + o.channelId() + " (" + o.redeemed() + " paid out so far): " + o.error());
        }
        out.flush();
    }

    /**
     * Pays what the redeemed answers owe the lineage of the models registered by {@code publishers} or the provider
     * itself (RoyaltySplitter) and says what it paid. A failure is reported, not fatal: what is due stays in the ledger
     * for the next redeem. {@code provider start}, {@code provider redeem} and {@code hypha up}'s provider all pay here.
     */
    static void payRoyalties(PrintWriter out, ProviderLedger ledger, HyphaContracts contracts, List<Address> publishers) {
        try {
            for (RoyaltyRouter.Routed r : RoyaltyRouter.onChain(ledger, contracts, publishers).routeAll()) {
                out.println(r.ok() ? "Paid royalty " + r.amount() + " to model asset " + r.assetId() + " for " + r.tokens()
                        + " tokens of " + r.model() : "Could not pay the royalty of model asset " + r.assetId() + ": "
                        + r.error() + " (kept for the next redeem)");
            }
        } catch (HyphaException e) {
            out.println("Royalties not paid now (kept for the next redeem): " + e.getMessage());
        }
        out.flush();
    }

    private static BigInteger units(String flag, String text) {
        String t = text.strip();
        if (!t.matches("0|[1-9][0-9]{0,30}")) {
            throw HyphaException.input(flag + " " + text + " is not a whole number of the token's smallest units "
                    + "(e.g. 200000 for 0.2 hUSD per million tokens)");
        }
        return new BigInteger(t);
    }

    private static Settings.HostPort hostPort(String text) {
        try {
            return Settings.HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("--listen " + text + " is not HOST:PORT (" + e.getMessage()
                    + "); for example 127.0.0.1:11435");
        }
    }

    private static void printSummary(PrintWriter out, java.net.URI endpoint, ProviderTerms terms, Path ledger,
                                     List<ModelInfo> models) {
        String base = endpoint + ProviderRoutes.PREFIX;
        out.println("Hypha provider " + terms.provider().toChecksumString() + " on " + base);
        out.println("  POST " + base + "/api/chat, /api/generate or /api/embed (Ollama bodies, streamed or not)");
        out.println("  POST " + endpoint + dev.hypha.node.x402.MeteredCompletions.PATH + " (x402 upto over the same channels,"
                + " at most " + dev.hypha.node.x402.MeteredCompletions.maximum(terms.prices()) + " a call, charged per token)");
        out.println("  MCP  " + endpoint + dev.hypha.node.mcp.ProviderMcp.PATH + " (tool " + dev.hypha.node.mcp.ProviderMcp.TOOL
                + ": the same completion, x402 upto over the same channels)");
        out.println("  Prices: " + terms.prices().inputPerMillion() + " per million input tokens, "
                + terms.prices().outputPerMillion() + " per million output tokens, in token "
                + terms.token().toChecksumString());
        if ("https".equals(endpoint.getScheme())) {
            out.println("  TLS 1.3, certificate vouched for by " + terms.provider().toChecksumString()
                    + " (register " + endpoint + " as the endpoint)");
        }
        out.println("  Paid through PaymentChannels " + terms.channels().toChecksumString() + " on " + terms.network());
        out.println("  Vouchers kept in " + ledger);
        if (models.isEmpty()) {
            out.println("The store has no models yet: add one with `hypha model import FILE.gguf --name NAME`.");
        } else {
            out.println("Models:");
            for (ModelInfo m : models) {
                // an OpenAI-compatible upstream names its models without file facts: nothing to put in brackets
                out.println("  " + m.name() + (m.family().isEmpty() && m.quantization().isEmpty() ? ""
                        : "  (" + m.family() + ", " + m.quantization() + ")"));
            }
        }
        out.flush();
    }

    /**
     * Publishes the store's models on the OfferRegistry when the account is an active provider registered at this
     * endpoint, so gateways find it; otherwise says why they will not (and serves anyway: a client may know the URL).
     *
     * @return the live offers, or null when nothing was published
     */
    private static PublishedOffers publish(PrintWriter out, HyphaContracts contracts, Address account,
                                           java.net.URI endpoint, InferenceBackend backend, ProviderTerms terms) {
        var registered = contracts.registry().provider(account.lowercaseHex());
        if (registered.isEmpty() || !contracts.registry().isActive(account.lowercaseHex())) {
            out.println("Not an active registered provider, so no offers are published and gateways will not find it:");
            out.println("  hypha stake <minimum> and hypha provider register --endpoint " + endpoint);
            return null;
        }
        if (!registered.get().endpoint().equals(endpoint.toString())) {
            out.println("Note: registered endpoint is " + TerminalText.line(registered.get().endpoint())
                    + ", not " + endpoint + " (hypha provider update --endpoint " + endpoint + ")");
        }
        PublishedOffers offers = PublishedOffers.publish(contracts.offers(), backend::models, terms);
        out.println("Published " + offers.count() + " offer(s) on the OfferRegistry; `hypha offers` lists them.");
        return offers;
    }
}

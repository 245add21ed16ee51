package dev.hypha.node.devnet;

import dev.hypha.chain.deploy.Deployer;
import dev.hypha.zk.mlp.ShippedModel;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.AnvilPidFile;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.time.TimeSource;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.Node;
import dev.hypha.node.apikeys.ApiKeys;
import dev.hypha.node.apikeys.KeyRequirement;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.api.ApiKeyGuard;
import dev.hypha.node.gateway.api.LoopbackHostGuard;
import dev.hypha.node.data.DataSales;
import dev.hypha.node.http.ApiRoutes;
import java.util.ArrayList;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.api.GatewayRoutes;
import dev.hypha.node.gateway.pull.PullRoutes;
import dev.hypha.node.gateway.pull.Puller;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.provider.Redeemer;
import dev.hypha.node.ui.DashboardSources;
import dev.hypha.node.ui.UiRoutes;
import dev.hypha.node.x402.ExactFacilitator;
import dev.hypha.node.x402.FacilitatorRoutes;
import dev.hypha.node.mcp.McpToolServer;
import dev.hypha.node.mcp.NodeTools;
import dev.hypha.node.x402.ExactRequirement;
import dev.hypha.node.offers.ChainOffers;
import dev.hypha.core.crypto.Address;
import dev.hypha.chain.indexer.EventIndexer;
import dev.hypha.chain.indexer.EventListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.web3j.crypto.Credentials;

/**
 * The local network of {@code hypha up}: anvil with persistent state under the home folder, the contracts (deployed
 * once, reused while their code is still there), funded development accounts, and a node following the chain.
 * Closing it stops the node and then anvil, which writes its state so that the next start continues from it.
 */
public final class LocalNetwork implements AutoCloseable {

    /** How often the node delivers paid data requests (`hypha data buy`) for its accounts. */
    public static final Duration DATA_SALES_INTERVAL = Duration.ofSeconds(2);

    /** How long a leftover anvil gets to write its state after SIGTERM (a large state takes a few seconds). */
    private static final Duration LEFTOVER_STOP_GRACE = Duration.ofSeconds(30);
    /** What one MCP {@code generate} call costs on the local network: 0.002 hUSD (up to 512 tokens). */
    public static final java.math.BigInteger MCP_GENERATE_PRICE = java.math.BigInteger.valueOf(2_000);

    private final UpLock lock;
    private final Devnet devnet;
    private final ChainClient chain;
    private final Deployment deployment;
    private final Node node;
    private final LocalBackend engine;
    private final Optional<DevInference> inference;
    private final Optional<ApiKeys> keys;
    private final UiRoutes ui;
    private final DataSales sales;

    private LocalNetwork(UpLock lock, Devnet devnet, ChainClient chain, Deployment deployment, Node node,
                         LocalBackend engine, Optional<DevInference> inference, Optional<ApiKeys> keys, UiRoutes ui,
                         DataSales sales) {
        this.ui = ui;
        this.sales = sales;
        this.lock = lock;
        this.devnet = devnet;
        this.chain = chain;
        this.deployment = deployment;
        this.node = node;
        this.engine = engine;
        this.inference = inference;
        this.keys = keys;
    }

    /**
     * Brings the network up, reporting each step to {@code progress} as one human-readable line.
     *
     * @throws RuntimeException (hypha-chain's categorised errors) when anvil cannot start, the port is taken, or a
     *                          deployment fails; whatever was started is stopped again first
     */
    public static LocalNetwork start(LocalNetworkSettings settings, Consumer<String> progress, TimeSource clock) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(clock, "clock");
        UpLock lock = UpLock.acquire(settings.upLockFile());
        try {
            return start(lock, settings, progress, clock);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static LocalNetwork start(UpLock lock, LocalNetworkSettings settings, Consumer<String> progress,
            TimeSource clock) {
        // A `hypha up` killed with SIGKILL leaves its anvil running on the port; stop it gracefully (it writes its
        // state) instead of failing with "port already in use". Only an anvil on our state file is touched, and only
        // while we hold the home's lock, which proves the `hypha up` that started it is gone.
        new AnvilPidFile(settings.anvilPidFile()).stopLeftover(settings.stateFile(), LEFTOVER_STOP_GRACE).ifPresent(
                pid -> progress.accept("Stopped anvil (pid " + pid + ") left running by an earlier `hypha up`"
                        + " that did not shut down cleanly; its state is saved in " + settings.stateFile()));
        boolean resuming = Files.exists(settings.stateFile());
        progress.accept((resuming ? "Resuming" : "Starting") + " local chain (anvil, state "
                + settings.stateFile() + ")...");
        Devnet devnet = new AnvilLauncher()
                .time(clock)
                .port(settings.anvilPort())
                .chainId(LocalNetworkSettings.CHAIN_ID)
                .stateFile(settings.stateFile(), settings.stateIntervalSeconds())
                .logFile(settings.anvilLog())
                .pidFile(settings.anvilPidFile())
                .start();
        devnet.stopOnlyOnClose(); // our own shutdown redeems the provider's earnings on chain before stopping anvil
        ChainClient chain = null;
        Node node = null;
        LocalBackend engine = null;
        DevInference inference = null;
        ApiKeys keys = null;
        UiRoutes ui = null;
        DataSales sales = null;
        try {
            chain = ChainClient.connect(devnet.rpcUrl(), ChainClient.Options.DEFAULT, clock);
            progress.accept("Chain " + devnet.chainId() + " at " + devnet.rpcUrl() + ", block " + chain.blockNumber());
            NonceManager nonces = new NonceManager(chain);
            TransactionSender deployer = new TransactionSender(chain, devnet.account(0), nonces,
                    RevertDecoder.forHyphaContracts());
            Deployments deployments = new Deployments(settings.deploymentsDir());
            boolean reused = isReusable(deployments, chain);
            Deployment deployment = new Deployer(deployer, line -> progress.accept("  " + line))
                    .ensureDeployed(deployments, settings.deployParams());
            Path indexFile = settings.indexFile(deployment.chainId());
            if (!reused) {
                // Fresh contracts (first run or a wiped chain): events indexed before belong to a chain that is gone.
                deleteIndex(indexFile);
            }
            new DevFunding(settings.fundingRecord(), settings.fundedAccounts())
                    .ensureFunded(HyphaContracts.connect(deployment, deployer), devnet.accounts(), progress);
            ProvenFeedSetup.ensure(HyphaContracts.connect(deployment, deployer), ShippedModel.fashionMnist(),
                    line -> progress.accept("  " + line));
            ModelStore store = new ModelStore(settings.home(), Clock.systemUTC());
            DefaultModel.importOnce(store, settings.devnetDir(), progress);
            engine = new LocalBackend(store, LocalBackend.Settings.defaults());
            InferenceBackend gateway = engine;
            if (settings.inference() != LocalNetworkSettings.Inference.LOCAL_ONLY) {
                Credentials providerKey = devnet.account(DevInference.PROVIDER_ACCOUNT);
                Credentials payerKey = devnet.account(DevInference.PAYER_ACCOUNT);
                inference = DevInference.start(settings.home(), chain, engine,
                        settings.inference() == LocalNetworkSettings.Inference.DEV_PROVIDER, settings.providerPort(),
                        HyphaContracts.connect(deployment, new TransactionSender(chain, providerKey, nonces,
                                RevertDecoder.forHyphaContracts())), providerKey,
                        HyphaContracts.connect(deployment, deployer), payerKey, progress);
                gateway = inference.gateway();
            }
            progress.accept("Starting node API on " + settings.api().host() + ":" + settings.api().port() + "...");
            Files.createDirectories(indexFile.getParent());
            EventIndexer indexer = EventIndexer.forDeployment(chain, indexFile, deployment,
                    EventIndexer.Options.DEFAULT, EventListener.NONE);
            // The gateway serves the Ollama and OpenAI APIs beside /health and /metrics: answers bought from the dev
            // provider through payment channels, or (local-only) straight from the home's model store.
            List<ApiRoutes> areas = new ArrayList<>();
            if (KeyRequirement.applies(settings.api().host(), false)) {
                // Beyond loopback every client must present one of the home's API keys (`hypha apikey create`); only
                // the dashboard's page shell and files, which hold no data, load without one.
                keys = KeyRequirement.openActive(settings.home(), settings.api().host() + ":" + settings.api().port());
                areas.add(new ApiKeyGuard(keys, UiRoutes.OPEN_PREFIXES, UiRoutes.OPEN_PATHS));
            } else {
                // On loopback no key stands guard: refuse names a web page could rebind to 127.0.0.1.
                areas.add(new LoopbackHostGuard());
            }
            // The page may order training as the same account (its key signs through the deployer's sender, so one
            // nonce sequence), through the TenantJobs `hypha train submit` uses.
            Credentials tenantKey = devnet.account(DevInference.PAYER_ACCOUNT);
            ChainClient tenantChain = chain;
            DashboardSources.Tenant tenant = new DashboardSources.Tenant(Address.parse(tenantKey.getAddress()),
                    new dev.hypha.node.compute.TenantJobs(HyphaContracts.connect(deployment, deployer), tenantKey,
                            new dev.hypha.ml.train.store.ContentStore(settings.home()), settings.home(),
                            java.net.http.HttpClient.newHttpClient(), Clock.systemUTC(),
                            () -> tenantChain.latestBlock().getTimestamp().longValueExact()));
            ui = new UiRoutes(dashboard(settings, chain, deployment, store, inference,
                    devnet.account(DevInference.PAYER_ACCOUNT), indexer, tenant), clock);
            areas.add(ui);
            areas.add(new GatewayRoutes(gateway));
            // /api/pull: from the network's providers into this home's store, or (local-only) a refusal saying why.
            areas.add(settings.inference() == LocalNetworkSettings.Inference.LOCAL_ONLY ? PullRoutes.localOnly()
                    : PullRoutes.network(Puller.overChain(store, HyphaContracts.connect(deployment, deployer),
                    Clock.systemUTC())));
            // x402's facilitator API (/x402/verify, /settle, /supported): x402 servers settle hUSD payments through this
            // node; the deployer account relays (and pays the gas).
            ExactFacilitator facilitator = ExactFacilitator.forDeployment(deployer, deployment);
            areas.add(new FacilitatorRoutes(facilitator));
            // MCP at /mcp: the node's inference as tools, `generate` paid per call over x402 to the dev provider's account.
            areas.add(new McpToolServer(Optional.of(facilitator), "hypha", "0.1.0", NodeTools.inference(gateway,
                    new ExactRequirement(chain.chainId(), MCP_GENERATE_PRICE,
                            Address.parse(deployment.address(PaymentTokenClient.NAME)),
                            Address.parse(devnet.account(DevInference.PROVIDER_ACCOUNT).getAddress()), 300,
                            Deployer.PAYMENT_NAME, "1"))).routes());
            // Sealed data added in this home (ciphertext and datasheets, public by design, never plaintext) as an IPFS
            // trustless gateway, so `hypha data get ID --from http://<api>` works against the node itself.
            areas.add(dev.hypha.node.content.BlockRoutes.forFiles(dev.hypha.node.content.ServedFiles.sealedData(
                    new dev.hypha.ml.train.store.ContentStore(settings.home())), settings.home()));
            node = new Node(settings.api(), chain, Optional.of(indexer), areas, clock).start();
            progress.accept("Dashboard on http://" + settings.api().host() + ":" + node.apiPort() + "/ui");
            progress.accept("x402 facilitator on http://" + settings.api().host() + ":" + node.apiPort()
                    + FacilitatorRoutes.PREFIX);
            progress.accept("MCP tools (models, generate: paid over x402) on http://" + settings.api().host() + ":"
                    + node.apiPort() + McpToolServer.PATH);
            // Paid data sold by itself: the open `hypha data buy` requests for data sealed in this home by an account
            // whose key the node holds (the dev accounts; `hypha up` adds its own account when it can unlock it).
            ChainClient salesChain = chain;
            sales = new DataSales(settings.home(), key -> HyphaContracts.connect(deployment,
                    new TransactionSender(salesChain, key, nonces, RevertDecoder.forHyphaContracts())), progress)
                    .sellFor(devnet.accounts()).start(DATA_SALES_INTERVAL);
            progress.accept("Paid data requests for data added in " + settings.home() + " are delivered every "
                    + DATA_SALES_INTERVAL.toSeconds() + " s");
            return new LocalNetwork(lock, devnet, chain, deployment, node, engine, Optional.ofNullable(inference),
                    Optional.ofNullable(keys), ui, sales);
        } catch (IOException e) {
            RuntimeException failure = HyphaException.io("cannot write under " + settings.home() + ": "
                    + e.getMessage(), e);
            closeQuietly(sales, failure);
            closeQuietly(node, failure);
            closeQuietly(ui, failure);
            closeQuietly(keys, failure);
            closeQuietly(inference, failure);
            closeQuietly(engine, failure);
            closeQuietly(chain, failure);
            closeQuietly(devnet, failure);
            throw failure;
        } catch (RuntimeException e) {
            closeQuietly(sales, e);
            closeQuietly(node, e);
            closeQuietly(ui, e);
            closeQuietly(keys, e);
            closeQuietly(inference, e);
            closeQuietly(engine, e);
            closeQuietly(chain, e);
            closeQuietly(devnet, e);
            throw e;
        }
    }

    /** What the dashboard reads of this network: the chain, the store, the offers, and the paying gateway's files. */
    private static DashboardSources dashboard(LocalNetworkSettings settings, ChainClient chain, Deployment deployment,
                                              ModelStore store, DevInference inference, Credentials payerKey,
                                              EventIndexer indexer, DashboardSources.Tenant tenant) {
        HyphaContracts reader = HyphaContracts.readOnly(deployment, chain);
        List<String> roles = new ArrayList<>();
        roles.add("local chain (anvil)");
        roles.add("event indexer");
        Optional<DashboardSources.Payer> payer = Optional.empty();
        Optional<DashboardSources.Seller> provider = Optional.empty();
        if (inference == null) {
            roles.add("gateway (local models only, nothing paid)");
        } else {
            roles.add("gateway (buys answers from the network through payment channels)");
            // The page may fund channels from the gateway's account: `hypha up` holds its key already (it signs vouchers).
            payer = Optional.of(new DashboardSources.Payer(Address.parse(payerKey.getAddress()),
                    inference.paying().ledger(), inference.paying().receipts(),
                    Optional.of(inference.paying().channels())));
            provider = inference.seller();
            provider.ifPresent(p -> roles.add("provider (sells the store's models, answers contracts' requests)"));
        }
        return new DashboardSources(settings.home(), chain, reader, store,
                new ChainOffers(reader.offers(), reader.registry()), payer, provider, roles, Optional.of(indexer),
                Optional.of(tenant));
    }

    /** Whether the recorded deployment will be kept (an unreadable or outdated record is redeployed instead). */
    private static boolean isReusable(Deployments deployments, ChainClient chain) {
        try {
            return deployments.loadVerified(chain).isPresent();
        } catch (HyphaException e) {
            return false;
        }
    }

    private static void deleteIndex(Path indexFile) throws IOException {
        for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
            Files.deleteIfExists(indexFile.resolveSibling(indexFile.getFileName() + suffix));
        }
    }

    private static void closeQuietly(AutoCloseable resource, RuntimeException failure) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    /** anvil's JSON-RPC URL. */
    public String rpcUrl() {
        return devnet.rpcUrl();
    }

    /** The chain id (31337). */
    public long chainId() {
        return devnet.chainId();
    }

    /** anvil's dev accounts; their keys are public test keys. */
    public List<Credentials> devAccounts() {
        return devnet.accounts();
    }

    /** Where the contracts are. */
    public Deployment deployment() {
        return deployment;
    }

    /** The models the node's gateway serves (offered by the dev provider, or the home's store when local-only). */
    public List<ModelInfo> models() {
        return inference.map(DevInference::models).orElseGet(engine::models);
    }

    /** Whether the gateway buys its answers from a provider (false: local-only). */
    public boolean paying() {
        return inference.isPresent();
    }

    /**
     * Stops the dev provider selling and redeems what it earned on chain (what the gateway paid settles there); empty
     * when local-only. Call before {@link #close}.
     */
    public List<Redeemer.Outcome> redeemEarnings() {
        return inference.map(DevInference::stopAndRedeem).orElse(List.of());
    }

    /**
     * The dev provider's voucher ledger and its contracts as the provider's account, for paying the royalties its
     * redeemed answers owe after {@link #redeemEarnings} (as {@code hypha provider start} does on the way out); empty
     * when no provider runs in this process. Call before {@link #close}.
     */
    public Optional<DevProvider> devProvider() {
        return inference.flatMap(DevInference::devProvider);
    }

    /** The dev provider's ledger (open until {@link #close}) and the contracts signing as its account. */
    public record DevProvider(dev.hypha.node.payments.ProviderLedger ledger, HyphaContracts contracts) {}

    /** The node's seller of paid data (add an account it may sell for with {@link DataSales#sellFor}). */
    public DataSales dataSales() {
        return sales;
    }

    /** The running node. */
    public Node node() {
        return node;
    }

    /** A client on the local chain (owned by this network). */
    public ChainClient chain() {
        return chain;
    }

    /** Stops the node, then anvil (which writes its state file). Idempotent. */
    @Override
    public void close() {
        try {
            sales.close();
            ui.close();
            node.close();
            keys.ifPresent(ApiKeys::close);
            inference.ifPresent(DevInference::close);
            engine.close();
        } finally {
            try {
                chain.close();
            } finally {
                try {
                    devnet.close();
                } finally {
                    lock.close();
                }
            }
        }
    }
}

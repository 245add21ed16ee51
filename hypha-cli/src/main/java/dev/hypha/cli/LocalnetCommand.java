package dev.hypha.cli;

import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.config.HyphaConfig;
import dev.hypha.core.config.Settings;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.time.TimeSource;
import dev.hypha.node.NodeSettings;
import dev.hypha.node.devnet.LocalNetwork;
import dev.hypha.node.devnet.LocalNetworkSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hypha localnet --providers N}: the local chain, N provider processes (dev accounts 1..N, each selling the
 * home's models at its own prices, found through their offers on chain) and a gateway paying from dev account (0), until
 * Ctrl-C: the whole network path on one machine, for trying routing and failover (kill a provider's pid and ask again).
 */
@Command(name = "localnet",
        description = {"Start the local chain, N provider processes and a paying gateway; run until Ctrl-C.",
            "Provider i is dev account i, sells the store's models at i x 0.1 hUSD per million input tokens and",
            "i x 0.2 per million output tokens, and logs to <home>/localnet/provider-i.log."})
final class LocalnetCommand implements Callable<Integer> {
    /** Price steps: provider i charges i times these (hUSD units per million tokens). */
    private static final BigInteger INPUT_STEP = BigInteger.valueOf(100_000);
    private static final BigInteger OUTPUT_STEP = BigInteger.valueOf(200_000);
    /** Compute provider i bids i times this per hour (hUSD units: 1.8 hUSD an hour, 500 units a second). */
    private static final BigInteger COMPUTE_PRICE_STEP = BigInteger.valueOf(1_800_000);

    @Spec
    CommandSpec spec;

    @Option(names = "--providers", paramLabel = "N", defaultValue = "2",
            description = "How many provider processes to start (1-8, default ${DEFAULT-VALUE}).")
    int providers;

    @Option(names = "--compute-providers", paramLabel = "K", defaultValue = "0",
            description = "Training-compute provider processes to start (`hypha compute offer`, dev accounts after the "
                    + "inference providers; default ${DEFAULT-VALUE}).")
    int computeProviders;

    @Option(names = "--cheating-providers", paramLabel = "M", defaultValue = "0",
            description = "DEVELOPMENT AND TEST ONLY: the first M compute providers (the cheapest, so they win leases) fake "
                    + "their training jobs (`compute offer --dev-cheat noise`), for watching verifiers catch and slash "
                    + "them (default ${DEFAULT-VALUE}).")
    int cheatingProviders;

    @Option(names = "--opml-cheater", description = {"DEVELOPMENT AND TEST ONLY: every inference provider also serves the "
            + "verifiable model " + OPML_MODEL + " (`provider start --opml`),", "provider 1 (the cheapest, so the gateway "
            + "routes to it) computes it truncated (`--dev-cheat truncated`), and an opML", "challenger (`hypha verifier opml`,"
            + " the dev account after the other roles) replays the answers the gateway buys,", "challenges the cheater's, "
            + "bisects to one operation on OpmlVerifier and has it slashed."})
    boolean opmlCheater;

    /** The verifiable model of {@code --opml-cheater}. */
    static final String OPML_MODEL = "intlm-11";

    @Option(names = "--verifiers", paramLabel = "V", defaultValue = "0",
            description = "Verifier processes to start (`hypha verifier start`, the dev accounts after those; at least 2 "
                    + "so one can referee what another challenges; default ${DEFAULT-VALUE}).")
    int verifiers;

    @picocli.CommandLine.Mixin
    RoyaltyOptions royaltyOptions;

    @Option(names = "--verify-rate", paramLabel = "PER_MILLE", defaultValue = "1000",
            description = "Audit rate of the first verifier, in thousandths (the others referee only; default "
                    + "${DEFAULT-VALUE}: every segment).")
    int verifyRate;

    /**
     * A compute provider or verifier: a home of its own under {@code <home>/localnet/NAME} (its job book, content store,
     * sampling secret) with a fresh copy of the deployment records (a redeployed chain must not leave it on old
     * addresses), output in {@code <home>/localnet/NAME.log}.
     */
    private static ChildProcess role(Path home, String rpcUrl, String name, List<String> args) throws InterruptedException {
        Path childHome = home.resolve("localnet").resolve(name);
        try {
            Path from = home.resolve("deployments");
            Path to = childHome.resolve("deployments");
            Files.createDirectories(to);
            if (Files.isDirectory(from)) {
                try (Stream<Path> files = Files.list(from)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            throw HyphaException.io("cannot prepare the home of " + name + " under " + childHome + ": " + e.getMessage(), e);
        }
        return ChildProcess.start(name, childHome, home.resolve("localnet").resolve(name + ".log"), rpcUrl, args);
    }

    @Option(names = "--subnet-validators", paramLabel = "V", defaultValue = "0",
            description = {"Also run the inference subnet: create it (dev account 0), make every provider a miner "
                    + "(`hypha subnet mine`)", "and start V validators (`hypha subnet validate`, the dev accounts after "
                    + "the others; at least 2: the first", "posts epochs and posts epoch 2 wrong once, the others watch "
                    + "and challenge; default ${DEFAULT-VALUE}).", "Validators score miners by paid answers of "
                    + SUBNET_MODEL + " replayed on their own engine (`--score-answers`); providers then serve "
                    + "deterministically."})
    int subnetValidators;

    @Option(names = "--governance-delay", paramLabel = "SECONDS", defaultValue = "120", description = {"The governance "
            + "delay of a fresh local chain (" + "2..120 s; default ${DEFAULT-VALUE}): scheduled grants such as "
            + "SubnetEmissions' MINTER_ROLE", "clear after it, so subnet claims start sooner with a short one. A chain "
            + "deployed before keeps its delay."})
    long governanceDelay;

    /** What the subnet's validators score answers of: the model every local provider serves (imported on first start). */
    static final String SUBNET_MODEL = dev.hypha.node.devnet.DefaultModel.NAME;

    /**
     * The local subnet: epochs of 20 blocks (a few seconds with the validators mining), longer than the 10-block
     * challenge window of the local chain, so posting keeps pace with closing.
     */
    static final dev.hypha.chain.subnets.SubnetParams SUBNET = new dev.hypha.chain.subnets.SubnetParams(20, 64, 8, 40,
            32_767, 65_535, 900_000, 1, 2, 2_000, dev.hypha.chain.deploy.Deployer.hyp(1),
            dev.hypha.chain.deploy.Deployer.hyp(100));

    @Option(names = "--agents", description = {"Also set up the agents demo: the node's MCP inference (`generate`, paid "
            + "over x402) registered as an", "ERC-8004 agent by dev account 1; a standalone seller agent `seller` (owned by "
            + "dev account 8, run as", "`hypha agent serve seller`) that sells `write` over MCP and x402 into its own "
            + "account and buys its", "inference from the best hypha-tiny offer over a payment channel its account "
            + "funds (x402 upto); and a buyer agent `buyer` owned by "
            + "dev account 9 (created", "and funded; run it with `hypha agent run buyer --dev-account 9`). Dev accounts 8 "
            + "and 9 are then not available to other roles."})
    boolean agents;

    /** The dev account that owns the demo's buyer agents (the last one, kept from other roles). */
    static final int AGENT_OWNER = 9;
    /** The dev account that owns the demo's standalone seller agent (and relays its settlements). */
    static final int SELLER_OWNER = 8;
    /** The dev account whose address the node's MCP {@code generate} pays (LocalNetwork: DevInference.PROVIDER_ACCOUNT). */
    static final int SELLER = 1;
    /** What the demo buyer gets: 0.05 hUSD. */
    static final BigInteger BUYER_FUNDS = BigInteger.valueOf(50_000);
    /** What the demo seller starts with, for its inference: 0.02 hUSD. */
    static final BigInteger SELLER_FUNDS = BigInteger.valueOf(20_000);
    /** What the demo seller's account deposits in its inference channel (and tops it up by), in hUSD. */
    static final String SELLER_DEPOSIT = "0.005";

    @Override
    public Integer call() throws InterruptedException {
        if (governanceDelay < LocalNetworkSettings.MIN_GOVERNANCE_DELAY
                || governanceDelay > LocalNetworkSettings.DEFAULT_GOVERNANCE_DELAY) {
            throw HyphaException.input("--governance-delay " + governanceDelay + " is out of range: "
                    + LocalNetworkSettings.MIN_GOVERNANCE_DELAY + ".." + LocalNetworkSettings.DEFAULT_GOVERNANCE_DELAY + " s");
        }
        if (subnetValidators == 1 || subnetValidators < 0 || subnetValidators > 8) {
            throw HyphaException.input("--subnet-validators " + subnetValidators + ": give 0 or 2..8 (one posts, the "
                    + "others check its posts and challenge a wrong one)");
        }
        if (providers < 1 || providers > 8) {
            throw HyphaException.input("--providers " + providers + " is out of range: expected 1 to 8");
        }
        int roleAccounts = agents ? SELLER_OWNER - 1 : 9;
        int opmlChallengers = opmlCheater ? 1 : 0;
        if (computeProviders < 0 || verifiers < 0
                || providers + computeProviders + verifiers + subnetValidators + opmlChallengers > roleAccounts) {
            throw HyphaException.input("--providers + --compute-providers + --verifiers + --subnet-validators (+ 1 for "
                    + "--opml-cheater's challenger) must be at "
                    + "most " + roleAccounts + " (anvil's dev accounts 1-" + roleAccounts + "; account 0 deploys and pays"
                    + (agents ? ", accounts " + SELLER_OWNER + " and " + AGENT_OWNER + " own the --agents seller and buyers"
                    : "") + "), got "
                    + (providers + computeProviders + verifiers + subnetValidators + opmlChallengers));
        }
        if (cheatingProviders < 0 || cheatingProviders > computeProviders) {
            throw HyphaException.input("--cheating-providers " + cheatingProviders + " is out of range: expected 0 to "
                    + "--compute-providers (" + computeProviders + ")");
        }
        if (verifiers == 1) {
            throw HyphaException.input("--verifiers 1 could challenge but nobody could referee (a party may not vote): "
                    + "give 0 or at least 2");
        }
        Session session = Session.of(spec);
        HyphaConfig config = session.config();
        List<String> royaltyArgs = new ArrayList<>();
        for (dev.hypha.core.crypto.Address publisher : royaltyOptions.addressesAndHomeAccount(session)) {
            royaltyArgs.addAll(List.of("--royalty-publisher", publisher.toChecksumString()));
        }
        Settings.HostPort listen = config.get(Settings.API_LISTEN);
        LocalNetworkSettings settings = new LocalNetworkSettings(session.home(), config.get(Settings.DEVNET_PORT),
                config.get(Settings.DEVNET_STATE_INTERVAL), agents ? AGENT_OWNER + 1
                : providers + computeProviders + verifiers + subnetValidators + opmlChallengers + 1,
                new NodeSettings(listen.host(), listen.port(), config.get(Settings.METRICS_ENABLED)), 0,
                LocalNetworkSettings.Inference.NETWORK, governanceDelay);
        PrintWriter out = session.out();
        CliEnvironment.StopSignal stop = session.environment().runUntil();
        List<ChildProcess> running = new ArrayList<>();
        List<ChildProcess> roles = new ArrayList<>();
        try {
            try (LocalNetwork network = LocalNetwork.start(settings, line -> {
                out.println(line);
                out.flush();
            }, TimeSource.SYSTEM)) {
                try {
                    Path logs = session.home().resolve("localnet");
                    if (agents) {
                        // before the providers start: the node's registration is sent from provider 1's account
                        createSeller(network, session, out, listen);
                    }
                    for (int i = 1; i <= providers; i++) {
                        out.println("Starting provider " + i + " (dev account " + i + ")...");
                        out.flush();
                        List<String> args = new ArrayList<>(List.of("provider", "start", "--dev-account",
                                Integer.toString(i), "--listen", "127.0.0.1:" + ChildProcess.freePort(), "--input-price",
                                INPUT_STEP.multiply(BigInteger.valueOf(i)).toString(), "--output-price",
                                OUTPUT_STEP.multiply(BigInteger.valueOf(i)).toString()));
                        if (subnetValidators > 0) {
                            args.add("--deterministic"); // the subnet's validators replay answers and score wrong ones 0
                        }
                        if (opmlCheater) {
                            args.addAll(List.of("--opml", OPML_MODEL));
                            if (i == 1) {
                                args.addAll(List.of("--dev-cheat", "truncated"));
                                out.println("  provider 1 is a DEV-ONLY CHEATER on " + OPML_MODEL + " (--dev-cheat truncated)");
                                out.flush();
                            }
                        }
                        args.addAll(royaltyArgs); // they pay the royalties of models the home's user (or those named) registered
                        running.add(ChildProcess.start("provider " + i, session.home(), logs.resolve("provider-" + i + ".log"),
                                network.rpcUrl(), args));
                    }
                    if (agents) {
                        // after the providers: the seller buys its inference from their offers (published by now)
                        roles.addAll(startAgents(network, session, out));
                    }
                    int account = providers;
                    for (int i = 1; i <= computeProviders; i++) {
                        account++;
                        boolean cheats = i <= cheatingProviders;
                        out.println("Starting compute provider " + i + " (dev account " + account + ")"
                                + (cheats ? ", a DEV-ONLY CHEATER (--dev-cheat noise)" : "") + "...");
                        out.flush();
                        List<String> args = new ArrayList<>(List.of("compute", "offer", "--dev-account",
                                Integer.toString(account), "--listen", "127.0.0.1:" + ChildProcess.freePort(),
                                "--price-per-hour", COMPUTE_PRICE_STEP.multiply(BigInteger.valueOf(i)).toString(), "--cores",
                                "2", "--memory", "4096", "--interval", "1"));
                        if (cheats) {
                            args.addAll(List.of("--dev-cheat", "noise"));
                        }
                        roles.add(role(session.home(), network.rpcUrl(), "compute-" + i, args));
                    }
                    for (int i = 1; i <= verifiers; i++) {
                        account++;
                        out.println("Starting verifier " + i + " (dev account " + account + ")...");
                        out.flush();
                        roles.add(role(session.home(), network.rpcUrl(), "verifier-" + i, List.of("verifier", "start",
                                "--dev-account", Integer.toString(account), "--rate", Integer.toString(i == 1 ? verifyRate : 0),
                                "--interval", "1")));
                    }
                    if (subnetValidators > 0) {
                        startSubnet(network, session, out, running.size(), account, roles);
                        account += subnetValidators;
                    }
                    if (opmlCheater) {
                        account++;
                        out.println("Starting the opML challenger (dev account " + account + "), replaying the " + OPML_MODEL
                                + " answers this gateway buys...");
                        out.flush();
                        roles.add(role(session.home(), network.rpcUrl(), "opml-challenger", List.of("verifier", "opml",
                                "--dev-account", Integer.toString(account), "--model", OPML_MODEL, "--answers",
                                session.home().toString(), "--interval", "1")));
                    }
                    UpCommand.printSummary(out, network, listen);
                    out.println("Providers (`hypha offers` lists what they publish):");
                    for (int i = 0; i < running.size(); i++) {
                        ChildProcess p = running.get(i);
                        // Its endpoint as it printed it ("Hypha provider ... on https://127.0.0.1:PORT/provider/v1").
                        String endpoint = p.lines("Hypha provider ").stream().findFirst()
                                .map(l -> l.substring(l.indexOf(" on ") + 4)).orElse("?");
                        out.println("  (" + (i + 1) + ") " + endpoint + "  pid " + p.pid() + "  log " + p.log());
                    }
                    if (!roles.isEmpty()) {
                        out.println("Compute providers, verifiers, subnet miners and validators, the seller agent (logs "
                                + "show bids, commitments, audits, disputes, epochs, challenges, claims, sales):");
                        for (ChildProcess r : roles) {
                            out.println("  " + r.name() + "  pid " + r.pid() + "  log " + r.log());
                        }
                    }
                    UpCommand.printModels(out, network, listen);
                    out.println("Running. Press Ctrl-C to stop (providers withdraw their offers and redeem first).");
                    out.flush();
                    stop.await();
                } finally {
                    for (ChildProcess r : roles.reversed()) {
                        out.println("Stopping " + r.name() + "...");
                        out.flush();
                        List<String> lines = r.stop();
                        lines.subList(Math.max(0, lines.size() - 2), lines.size()).forEach(line -> out.println("  " + line));
                    }
                    for (ChildProcess p : running.reversed()) {
                        out.println("Stopping " + p.name() + "...");
                        out.flush();
                        p.stop().stream().filter(l -> l.startsWith("Redeemed") || l.startsWith("Could not redeem")
                                || l.startsWith("Nothing to redeem") || l.startsWith("Paid royalty")
                                || l.startsWith("Could not pay the royalty") || l.startsWith("Royalties not paid"))
                                .forEach(line -> out.println("  " + line));
                    }
                    out.println("Stopping: node, then anvil (writing " + settings.stateFile() + ")...");
                    out.flush();
                }
            }
            out.println("Stopped.");
            out.flush();
            return ExitCodes.OK;
        } finally {
            stop.finished();
        }
    }

    /** The seller's printed "Agent seller sells write as ERC-8004 agent #N: MCP at URL, x402 at URL; ...". */
    private static final java.util.regex.Pattern SERVING = java.util.regex.Pattern.compile(
            "Agent seller sells \\S+ as ERC-8004 agent #(\\d+): MCP at (\\S+), x402 at (\\S+);");

    /**
     * The agents demo, first half (before the providers start): registers the node's MCP endpoint as an ERC-8004
     * agent (dev account {@value #SELLER}, whom {@code generate} pays), and creates and funds the standalone seller
     * agent {@code seller} (owned by dev account {@value #SELLER_OWNER}), whose inference is bought with x402
     * {@code upto} over a payment channel its account funds, from the provider the offers for hypha-tiny rank first
     * among the localnet's providers ({@code serve.channel.model}). A home that has the seller already (a resumed
     * chain) keeps it.
     */
    private void createSeller(LocalNetwork network, Session session, PrintWriter out, Settings.HostPort listen) {
        Path specs = session.home().resolve("localnet");
        dev.hypha.node.agents.AgentFolder sellerFolder = new dev.hypha.node.agents.AgentFolder(session.home(), "seller");
        if (sellerFolder.exists()) {
            return;
        }
        String host = listen.host().equals("0.0.0.0") ? "127.0.0.1" : listen.host();
        String mcp = "http://" + host + ":" + network.node().apiPort() + dev.hypha.node.mcp.McpToolServer.PATH;
        String registration = ("{\"type\":\"https://eips.ethereum.org/EIPS/eip-8004#registration-v1\","
                + "\"name\":\"hypha-node-inference\",\"description\":\"Completions from the network's inference, paid "
                + "per call over x402\",\"services\":[{\"name\":\"MCP\",\"endpoint\":\"%s\"}],\"x402Support\":true,"
                + "\"active\":true}").formatted(mcp);
        var node = HyphaContracts.connect(network.deployment(), sender(network, SELLER));
        BigInteger nodeId = node.identity().register("data:application/json;base64," + java.util.Base64.getEncoder()
                .encodeToString(registration.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        out.println("Inference agent #" + nodeId + " (hypha-node-inference, dev account " + SELLER + "): MCP at " + mcp
                + ", `generate` paid over x402");
        // the account may fund channels to the localnet's inference providers (dev accounts 1..providers)
        List<String> allow = new ArrayList<>();
        for (int i = 1; i <= providers; i++) {
            allow.add("\"" + network.devAccounts().get(i).getAddress() + "\"");
        }
        String sellerSpec = """
                {"name": "seller", "system": "You write greetings.", "task": "Greet the person named.",
                 "budget": {"limit": "0.02", "perCall": "0.005", "period": "1d", "guardian": "%s",
                            "allow": [%s]},
                 "tools": [],
                 "serve": {"tool": "write", "description": "Writes a short greeting for a request; paid per call.",
                           "price": "0.003", "maxTokens": 24,
                           "channel": {"model": "hypha-tiny", "deposit": "%s"}}}
                """.formatted(network.devAccounts().getFirst().getAddress(), String.join(", ", allow), SELLER_DEPOSIT);
        byte[] bytes = write(specs.resolve("seller.json"), sellerSpec);
        var owner = sender(network, SELLER_OWNER);
        var folder = AgentRuntimeCommands.Create.create(out, session.home(), network.chain(), owner,
                network.deployment(), bytes, dev.hypha.node.agents.AgentSpec.parse("seller.json", bytes));
        HyphaContracts.connect(network.deployment(), owner).payment().transfer(folder.record().account(), SELLER_FUNDS);
        out.println("  funded with 0.02 hUSD by dev account " + SELLER_OWNER + " for its inference (bought over a payment"
                + " channel from the best hypha-tiny offer); spec " + specs.resolve("seller.json"));
        out.flush();
    }

    /**
     * The agents demo, second half (the providers are up): starts the seller as a child process ({@code hypha agent
     * serve seller}), which registers itself and opens its channel to the provider it chose from the offers; then
     * creates and funds the buyer agent {@code buyer} (owned by dev account {@value #AGENT_OWNER}), whose model calls
     * the seller's {@code write} twice within a 0.01 hUSD budget and rates it with each payment as proof.
     *
     * @return the seller's process, for the caller to stop
     */
    private static List<ChildProcess> startAgents(LocalNetwork network, Session session, PrintWriter out)
            throws InterruptedException {
        Path specs = session.home().resolve("localnet");
        out.println("Starting the seller agent (hypha agent serve seller, dev account " + SELLER_OWNER + ")...");
        out.flush();
        ChildProcess seller = ChildProcess.start("seller agent", session.home(), specs.resolve("seller.log"),
                network.rpcUrl(), List.of("agent", "serve", "seller", "--dev-account", Integer.toString(SELLER_OWNER),
                        "--listen", "127.0.0.1:" + ChildProcess.freePort()));
        try {
            buyerFor(out, session, network, specs, seller);
        } catch (RuntimeException e) {
            seller.stop(); // not yet among the roles localnet stops: it would outlive the network
            throw e;
        }
        return List.of(seller);
    }

    /** Creates and funds the buyer agent that finds, pays and rates {@code seller} (unless one exists). */
    private static void buyerFor(PrintWriter out, Session session, LocalNetwork network, Path specs, ChildProcess seller) {
        String serving = seller.lines("Agent seller sells ").stream().findFirst().orElse("");
        java.util.regex.Matcher m = SERVING.matcher(serving);
        if (!m.find()) {
            throw HyphaException.input("the seller agent did not say where it serves; its log: " + seller.log());
        }
        BigInteger sellerId = new BigInteger(m.group(1));
        out.println("Seller agent #" + sellerId + " (seller, dev account " + SELLER_OWNER + "): MCP at " + m.group(2)
                + ", x402 at " + m.group(3) + ", `write` 0.003 hUSD a call into its account; log " + seller.log());
        // how it buys its inference ("its inference: ... paid with upto vouchers over channel ..."), as it printed it
        seller.lines("  its inference: ").forEach(l -> out.println("  " + l.strip()));
        dev.hypha.node.agents.AgentFolder existing = new dev.hypha.node.agents.AgentFolder(session.home(), "buyer");
        if (existing.exists()) {
            out.println("Agents: buyer exists already in " + existing.dir() + " (from an earlier --agents run); run it "
                    + "with `hypha agent run buyer --dev-account " + AGENT_OWNER + "`");
            out.flush();
            return;
        }
        String spec = """
                {"name": "buyer", "system": "You buy greetings.", "task": "Get a greeting for Ada.",
                 "toolChoice": "required", "maxSteps": 2, "requiredArgumentsOnly": true,
                 "budget": {"limit": "0.01", "perCall": "0.005", "period": "1d", "guardian": "%s"},
                 "tools": [{"agent": %s, "only": ["write"]}],
                 "rate": {"value": 90, "tag": "localnet"}}
                """.formatted(network.devAccounts().getFirst().getAddress(), sellerId);
        byte[] bytes = write(specs.resolve("buyer.json"), spec);
        var ownerSender = sender(network, AGENT_OWNER);
        var folder = AgentRuntimeCommands.Create.create(out, session.home(), network.chain(), ownerSender,
                network.deployment(), bytes, dev.hypha.node.agents.AgentSpec.parse("buyer.json", bytes));
        HyphaContracts.connect(network.deployment(), ownerSender).payment().transfer(folder.record().account(), BUYER_FUNDS);
        out.println("  funded with 0.05 hUSD by dev account " + AGENT_OWNER + "; spec " + specs.resolve("buyer.json")
                + "; run it: hypha agent run buyer --dev-account " + AGENT_OWNER);
        out.flush();
    }

    private static byte[] write(Path file, String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw HyphaException.io("cannot write " + file + ": " + e.getMessage(), e);
        }
        return bytes;
    }

    private static dev.hypha.chain.tx.TransactionSender sender(LocalNetwork network, int account) {
        return new dev.hypha.chain.tx.TransactionSender(network.chain(), network.devAccounts().get(account),
                new dev.hypha.chain.tx.NonceManager(network.chain()), dev.hypha.chain.tx.RevertDecoder.forHyphaContracts());
    }

    /**
     * Creates the inference subnet as dev account 0 (or finds the one a previous run created), starts a miner for each
     * provider account and the validators on the accounts after {@code lastAccount}.
     */
    private void startSubnet(LocalNetwork network, Session session, PrintWriter out, int minerCount, int lastAccount,
            List<ChildProcess> roles) throws InterruptedException {
        var deployer = new dev.hypha.chain.tx.TransactionSender(network.chain(), network.devAccounts().getFirst(),
                new dev.hypha.chain.tx.NonceManager(network.chain()), dev.hypha.chain.tx.RevertDecoder.forHyphaContracts());
        var subnets = dev.hypha.chain.deploy.HyphaContracts.connect(network.deployment(), deployer).subnets();
        long netuid = subnets.subnetCount() > 0 ? 0 : subnets.createSubnet(SUBNET);
        out.println("Inference subnet " + netuid + ": tempo " + subnets.params(netuid).tempo() + " blocks, providers mine, "
                + subnetValidators + " validators scoring answers of " + SUBNET_MODEL + " (claims start once SubnetEmissions' MINTER_ROLE clears the governance "
                + "delay: " + network.deployment().governanceDelaySeconds() + " s on a fresh chain)");
        out.flush();
        String id = Long.toString(netuid);
        for (int i = 1; i <= minerCount; i++) {
            roles.add(role(session.home(), network.rpcUrl(), "miner-" + i, List.of("subnet", "mine", id,
                    "--dev-account", Integer.toString(i))));
        }
        for (int v = 1; v <= subnetValidators; v++) {
            int account = lastAccount + v;
            out.println("Starting subnet validator " + v + " (dev account " + account + ")...");
            out.flush();
            // its own home needs the model to replay answers on (the providers serve the same file from the main home)
            Path validatorHome = session.home().resolve("localnet").resolve("validator-" + v);
            dev.hypha.node.devnet.DefaultModel.importOnce(new dev.hypha.ml.store.ModelStore(validatorHome,
                    java.time.Clock.systemUTC()), validatorHome.resolve("devnet"), line -> { });
            // Each validator buys one short answer per miner and round and replays it on its own deterministic engine.
            List<String> args = new ArrayList<>(List.of("subnet", "validate", id, "--dev-account",
                    Integer.toString(account), "--mine-blocks", "--score-answers", SUBNET_MODEL, "--prompts", "1",
                    "--answer-tokens", "8"));
            args.addAll(v == 1 ? List.of("--demo-wrong-post", "2", "--demo-wrong-dividends", "3") : List.of("--no-post"));
            roles.add(role(session.home(), network.rpcUrl(), "validator-" + v, args));
        }
    }
}

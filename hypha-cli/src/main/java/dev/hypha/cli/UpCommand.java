package dev.hypha.cli;

import dev.hypha.chain.deploy.DeployedContract;
import dev.hypha.zk.mlp.ShippedModel;
import dev.hypha.core.config.HyphaConfig;
import dev.hypha.core.config.Settings;
import dev.hypha.node.NodeSettings;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.devnet.LocalNetwork;
import dev.hypha.node.devnet.LocalNetworkSettings;
import java.io.PrintWriter;
import dev.hypha.core.time.TimeSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hypha up}: the local network (anvil with persistent state, contracts, funded dev accounts, the node), until
 * Ctrl-C. Restarting continues the same chain.
 */
@Command(name = "up",
        description = {"Start the local network and run until Ctrl-C.",
            "anvil keeps its chain in <home>/devnet/state.json, so a restart keeps balances, stakes and registrations.",
            "The contracts are deployed on the first run and reused afterwards; dev accounts are funded once."})
final class UpCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--accounts", paramLabel = "N", defaultValue = "10",
            description = "How many dev accounts to fund with HYP and hUSD (1-10, default ${DEFAULT-VALUE}).")
    int fundedAccounts;

    @Option(names = "--local-only",
            description = "Answer with the store's models on this machine: no provider, no payment, nothing leaves it.")
    boolean localOnly;

    @Option(names = "--provider-port", paramLabel = "PORT", defaultValue = "" + LocalNetworkSettings.DEFAULT_PROVIDER_PORT,
            description = "Loopback port of the dev provider the gateway buys from (default ${DEFAULT-VALUE}; 0 = any).")
    int providerPort;

    @picocli.CommandLine.Mixin
    RoyaltyOptions royaltyOptions;

    @Override
    public Integer call() throws InterruptedException {
        Session session = Session.of(spec);
        List<dev.hypha.core.crypto.Address> publishers = royaltyOptions.addressesAndHomeAccount(session);
        HyphaConfig config = session.config();
        if (fundedAccounts < 1 || fundedAccounts > 10) {
            throw dev.hypha.core.errors.HyphaException.input(
                    "--accounts " + fundedAccounts + " is out of range: expected 1 to 10");
        }
        if (!localOnly && fundedAccounts < 2) {
            throw dev.hypha.core.errors.HyphaException.input("--accounts " + fundedAccounts + " leaves the dev provider "
                    + "(account 1) unfunded: fund at least 2, or add --local-only");
        }
        if (providerPort < 0 || providerPort > 65_535) {
            throw dev.hypha.core.errors.HyphaException.input("--provider-port " + providerPort + " is not a port (0-65535)");
        }
        Settings.HostPort listen = config.get(Settings.API_LISTEN);
        LocalNetworkSettings settings = new LocalNetworkSettings(session.home(), config.get(Settings.DEVNET_PORT),
                config.get(Settings.DEVNET_STATE_INTERVAL), fundedAccounts,
                new NodeSettings(listen.host(), listen.port(), config.get(Settings.METRICS_ENABLED)), providerPort,
                localOnly ? LocalNetworkSettings.Inference.LOCAL_ONLY : LocalNetworkSettings.Inference.DEV_PROVIDER);
        PrintWriter out = session.out();
        CliEnvironment.StopSignal stop = session.environment().runUntil();
        try {
            try (LocalNetwork network = LocalNetwork.start(settings, line -> {
                out.println(line);
                out.flush();
            }, TimeSource.SYSTEM)) {
                session.credentialsIfUnattended().ifPresent(key -> {
                    network.dataSales().sellFor(List.of(key));
                    out.println("Paid data requests for " + Keys.toChecksumAddress(key.getAddress())
                            + "'s data are delivered by this node too");
                });
                printSummary(out, network, listen);
                printModels(out, network, listen);
                out.println("Running. Press Ctrl-C to stop.");
                out.flush();
                stop.await();
                if (network.paying()) {
                    out.println("Stopping the provider, redeeming what it earned and paying the royalties it owes...");
                    out.flush();
                    ProviderStartCommand.redeem(out, network.redeemEarnings());
                    network.devProvider().ifPresent(p -> ProviderStartCommand.payRoyalties(out, p.ledger(),
                            p.contracts(), publishers));
                }
                out.println("Stopping: node, then anvil (writing " + settings.stateFile() + ")...");
                out.flush();
            }
            out.println("Stopped.");
            out.flush();
            return ExitCodes.OK;
        } finally {
            stop.finished();
        }
    }

    static void printSummary(PrintWriter out, LocalNetwork network, Settings.HostPort listen) {
        out.println();
        out.println("Hypha local network is up.");
        out.println("  RPC URL      " + network.rpcUrl());
        out.println("  Chain id     " + network.chainId());
        out.println("  Node API     http://" + listen + "  (Ollama and OpenAI APIs, /health, /metrics)");
        out.println("  Dashboard    http://" + listen + "/ui");
        out.println("Contracts:");
        for (Map.Entry<String, DeployedContract> entry : network.deployment().contracts().entrySet()) {
            out.printf("  %-20s %s%n", entry.getKey(), Keys.toChecksumAddress(entry.getValue().address()));
        }
        out.println("  (HyphaTimelock is the admin of every contract except PaymentChannels, OfferRegistry, InferenceCoordinator and ComputeMarket, which have none: dev account (0) proposes, every action waits "
                + network.deployment().governanceDelaySeconds() + " s)");
        out.println("  (ProvenPredictionFeed holds the proven feed " + ShippedModel.fashionMnist().name() + " of the shipped "
                + "int8 Fashion-MNIST model, verified by MlpProofVerifier: `hypha zk feed post --index N`, `hypha zk feed show`)");
        out.println("Dev accounts (anvil's PUBLIC TEST KEYS: anyone can spend from them; never use them elsewhere):");
        List<Credentials> accounts = network.devAccounts();
        for (int i = 0; i < accounts.size(); i++) {
            Credentials account = accounts.get(i);
            out.printf("  (%d) %s  key %s%n", i, Keys.toChecksumAddress(account.getAddress()),
                    Numeric.toHexStringWithPrefixZeroPadded(account.getEcKeyPair().getPrivateKey(), 64));
        }
    }

    /** The models the gateway serves, or how to add one: an empty store answers every request with 404. */
    static void printModels(PrintWriter out, LocalNetwork network, Settings.HostPort listen) {
        List<String> names = network.models().stream().map(ModelInfo::name).toList();
        String via = network.paying() ? "bought from a provider through a payment channel"
                : "answered on this machine (local-only)";
        if (names.isEmpty()) {
            out.println("Models: none yet. Import a GGUF file with `hypha model import FILE.gguf --name NAME`; the gateway"
                    + " serves it within seconds;");
            out.println("  then (" + via + "):");
            out.println("  curl http://" + listen + "/api/generate -d '{\"model\":\"NAME\",\"prompt\":\"Hello\"}'");
        } else {
            out.println("Models: " + String.join(", ", names) + ", " + via);
            out.println("  curl http://" + listen + "/api/generate -d '{\"model\":\"" + names.getFirst()
                    + "\",\"prompt\":\"Hello\"}'");
            if (network.paying()) {
                out.println("  Spending: `hypha usage`; the provider redeems its earnings on chain when `hypha up` stops.");
            }
        }
    }
}

package dev.hypha.cli;

import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.InferenceCoordinatorClient;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.keys.KeystoreDirectory;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.coordinator.Fulfiller;
import dev.hypha.node.coordinator.FulfilmentService;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.provider.Prices;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hypha provider fulfil}: answers the inference requests contracts make on InferenceCoordinator with the local
 * store's models, until Ctrl-C or SIGTERM; collects each answer's fee once its challenge window is over. The keystore
 * account must be an active provider (staked and registered); receipts are signed with its registered signing key.
 */
@Command(name = "fulfil",
        description = {"Answer inference requests made by contracts (InferenceCoordinator) with the store's models, "
                + "until Ctrl-C; collect the fees after their challenge windows.",
            "Requests name a model by its content-id digest (printed at start); inputs are continued raw and greedily."})
final class ProviderFulfilCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input-price", paramLabel = "UNITS", required = true,
            description = "Price of a million prompt tokens, in the payment token's smallest units.")
    String inputPrice;

    @Option(names = "--output-price", paramLabel = "UNITS", required = true,
            description = "Price of a million generated tokens, in the payment token's smallest units.")
    String outputPrice;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2",
            description = "Seconds between looks at the chain for new requests (default ${DEFAULT-VALUE}).")
    int intervalSeconds;

    @Mixin
    EngineOptions engineOptions;

    @Override
    public Integer call() throws InterruptedException {
        Prices prices = new Prices(units("--input-price", inputPrice), units("--output-price", outputPrice));
        if (intervalSeconds < 1 || intervalSeconds > 3600) {
            throw HyphaException.input("--interval must be 1..3600 seconds, got " + intervalSeconds);
        }
        LocalBackend.Settings backendSettings = engineOptions.backendSettings();
        try (Session session = Session.of(spec)) {
            Credentials key = session.credentials();
            Address account = Address.parse(key.getAddress());
            Deployment deployment = session.deployment();
            HyphaContracts contracts = HyphaContracts.connect(deployment, session.sender(key));
            Credentials signingKey = signingKey(session, contracts, account, key);
            InferenceCoordinatorClient coordinator = contracts.coordinator();
            PrintWriter out = session.out();
            CliEnvironment.StopSignal stop = session.environment().runUntil();
            try (LocalBackend backend = new LocalBackend(new ModelStore(session.home(), Clock.systemUTC()),
                         backendSettings);
                 FulfilmentService fulfilment = FulfilmentService.start(session.home(), session.chain(), contracts,
                         backend, prices, data -> Eip712.sign(data, signingKey), Duration.ofSeconds(intervalSeconds))) {
                printSummary(out, account, coordinator, prices, backend.models());
                stop.await();
                out.println("Stopping the fulfiller...");
                out.flush();
                int paid = fulfilment.stopAndCollect();
                out.println(paid == 0 ? "No fees due yet." : "Collected " + paid + " fee(s).");
            } finally {
                stop.finished();
            }
            out.println("Stopped.");
            out.flush();
            return ExitCodes.OK;
        }
    }

    /**
     * The key whose receipts the coordinator accepts: the account's registered signing key (the account itself, or
     * another keystore account unlocked now). Fails when the account is not an active provider.
     */
    private static Credentials signingKey(Session session, HyphaContracts contracts, Address account, Credentials own) {
        ProviderRegistryClient.ProviderInfo info = contracts.registry().provider(account.toString()).orElseThrow(
                () -> HyphaException.input(account.toChecksumString() + " is not a registered provider: stake with "
                        + "`hypha stake provider AMOUNT` and register with `hypha provider register`"));
        if (!contracts.registry().isActive(account.toString())) {
            throw HyphaException.input(account.toChecksumString() + " is registered but not active (deactivated, or its"
                    + " stake is below the registry's minimum): the coordinator only accepts answers from active providers");
        }
        Address registered = Address.parse(info.signingKey());
        if (registered.equals(account)) {
            return own;
        }
        KeystoreDirectory keystore = session.keystore();
        if (!keystore.contains(registered)) {
            throw HyphaException.input("the registered signing key " + registered.toChecksumString() + " is not in the "
                    + "keystore " + keystore.directory() + ": import it with `hypha account import`");
        }
        return session.withPassword("Password for signing key " + registered + ": ", false,
                password -> keystore.unlock(registered, password));
    }

    private static BigInteger units(String flag, String text) {
        String t = text.strip();
        if (!t.matches("0|[1-9][0-9]{0,30}")) {
            throw HyphaException.input(flag + " " + text + " is not a whole number of the token's smallest units "
                    + "(e.g. 200000 for 0.2 hUSD per million tokens)");
        }
        return new BigInteger(t);
    }

    private static void printSummary(PrintWriter out, Address account, InferenceCoordinatorClient coordinator,
                                     Prices prices, List<ModelInfo> models) {
        out.println("Hypha fulfiller " + account.toChecksumString() + " answering InferenceCoordinator "
                + coordinator.address().toChecksumString());
        out.println("  Prices: " + prices.inputPerMillion() + " per million input tokens, " + prices.outputPerMillion()
                + " per million output tokens (requests whose max fee is lower are skipped)");
        out.println("  Fees are held " + coordinator.challengePeriod() + " s after each answer, then collected");
        if (models.isEmpty()) {
            out.println("The store has no models yet: add one with `hypha model import FILE.gguf --name NAME`.");
        } else {
            out.println("Models (requests name them by content-id digest):");
            for (ModelInfo m : models) {
                out.println("  " + m.name() + "  " + modelDigest(m));
            }
        }
        out.println("Running. Press Ctrl-C to stop.");
        out.flush();
    }

    private static String modelDigest(ModelInfo m) {
        try {
            return Fulfiller.modelId(m);
        } catch (RuntimeException e) {
            return "(no content id: " + e.getMessage() + ")";
        }
    }
}

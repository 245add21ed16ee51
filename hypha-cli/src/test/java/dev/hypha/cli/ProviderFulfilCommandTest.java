package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.coordinator.DataKind;
import dev.hypha.chain.coordinator.RequestParams;
import dev.hypha.chain.coordinator.RequestStatus;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import picocli.CommandLine;

/**
 * {@code hypha provider fulfil} in-process against a real anvil: it prints the digest contracts name its model by, and
 * answers a request made for that digest on InferenceCoordinator.
 */
class ProviderFulfilCommandTest {
    private static final Pattern MODEL_LINE = Pattern.compile("^  chat:latest  (0x[0-9a-f]{64})$", Pattern.MULTILINE);

    @Test
    void answersARequestForItsModel(@TempDir Path dir) throws Exception {
        try (Devnet devnet = new AnvilLauncher().start(); ChainClient chain = ChainClient.connect(devnet.rpcUrl())) {
            NonceManager nonces = new NonceManager(chain);
            Deployment deployment = new Deployer(sender(chain, nonces, devnet.account(0))).deploy(DeployParams.devnet());
            Credentials requester = devnet.account(1);
            Credentials provider = devnet.account(2);
            HyphaContracts admin = HyphaContracts.connect(deployment, sender(chain, nonces, devnet.account(0)));
            admin.payment().mint(requester.getAddress(), BigInteger.valueOf(1_000_000));
            admin.hyp().transfer(provider.getAddress(), Deployer.hyp(1_000));
            HyphaContracts asProvider = HyphaContracts.connect(deployment, sender(chain, nonces, provider));
            asProvider.staking().stake(StakingClient.PROVIDER_ROLE, Deployer.hyp(1_000));
            asProvider.registry().register(new ProviderRegistryClient.ProviderRegistration("http://127.0.0.1:1",
                    provider.getAddress(), List.of("inference"), ""));

            Path home = dir.resolve("home");
            new Deployments(home.resolve("deployments")).save(deployment);
            Path password = Files.writeString(dir.resolve("password"), "pw\n");
            Path keyFile = Files.writeString(dir.resolve("key"), provider.getEcKeyPair().getPrivateKey().toString(16));
            String[] common = {"--home", home.toString(), "--rpc", devnet.rpcUrl(), "--password-file", password.toString()};
            CliRun imported = CliRun.run(concat(common, "account", "import", "--light-kdf", "--private-key-file",
                    keyFile.toString()));
            assertThat(imported.exitCode()).as(imported.err()).isZero();
            TokenizerConfig vocab = TestVocabularies.byteLevelBpe(1000);
            Path file = dir.resolve("m.gguf");
            RandomModelFactory.write(RandomModelFactory.Spec.tiny(Architecture.QWEN2, GgmlType.Q8_0, vocab.size(), 3),
                    vocab, file);
            new ModelStore(home, Clock.systemUTC()).importModel(file, ModelName.parse("chat"), (d, t) -> { });

            CountDownLatch stop = new CountDownLatch(1);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = Hypha.commandLine(new CliEnvironment(Map.of(), Path.of("/nonexistent-user-home"),
                    CliEnvironment.StopSignal.of(stop)));
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute(concat(common, "provider",
                    "fulfil", "--input-price", "1000000", "--output-price", "2000000", "--interval", "1")));
            while (!out.toString().contains("Running.") && !exit.isDone()) {
                Thread.sleep(20); // waiting for the fulfiller to come up, not measuring anything
            }
            assertThat(err.toString()).isEmpty();
            Matcher model = MODEL_LINE.matcher(out.toString());
            assertThat(model.find()).as(out.toString()).isTrue();

            HyphaContracts asRequester = HyphaContracts.connect(deployment, sender(chain, nonces, requester));
            long now = chain.latestBlock().getTimestamp().longValueExact();
            BigInteger id = asRequester.coordinator().request(new RequestParams(model.group(1),
                    "Hello".getBytes(StandardCharsets.UTF_8), DataKind.INLINE, BigInteger.valueOf(1_000), 4, Address.ZERO,
                    0, now + 600));
            while (asRequester.coordinator().state(id).status() == RequestStatus.OPEN && !exit.isDone()) {
                Thread.sleep(50); // waiting for the fulfiller's next round, not measuring anything
            }
            assertThat(asRequester.coordinator().state(id).status()).isEqualTo(RequestStatus.FULFILLED);
            assertThat(asRequester.coordinator().state(id).provider()).isEqualTo(Address.parse(provider.getAddress()));

            BigInteger fee = asRequester.coordinator().state(id).fee();
            BigInteger before = asRequester.payment().balanceOf(provider.getAddress());
            chain.request("evm_increaseTime", 61); // past the challenge window: the fee is due
            chain.request("evm_mine");

            stop.countDown();
            assertThat(exit.get()).as(err.toString()).isZero();
            assertThat(out.toString()).contains("Stopped.");
            // Collected by the running fulfiller or on the way out, whichever came first.
            assertThat(asRequester.payment().balanceOf(provider.getAddress())).isEqualTo(before.add(fee));
            assertThat(asRequester.coordinator().state(id).status()).isEqualTo(RequestStatus.PAID);
            System.out.print(out); // what an operator sees, kept in the surefire report
        }
    }

    private static TransactionSender sender(ChainClient chain, NonceManager nonces, Credentials who) {
        return new TransactionSender(chain, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}

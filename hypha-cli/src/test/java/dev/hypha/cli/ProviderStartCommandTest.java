package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import dev.hypha.node.transport.ProviderTls;
import dev.hypha.ml.llm.Architecture;
import dev.hypha.ml.llm.RandomModelFactory;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.tensor.GgmlType;
import dev.hypha.ml.testmodel.TestVocabularies;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import dev.hypha.node.gateway.api.GatewayRoutes;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.ReceiptHeaders;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import picocli.CommandLine;

/**
 * {@code hypha provider start} in-process against a real anvil: a paying client gets an answer with a receipt signed
 * by the provider account, and stopping the command redeems the voucher on chain; {@code provider redeem} then finds
 * nothing left.
 */
class ProviderStartCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void servesForAVoucherAndRedeemsItOnStop(@TempDir Path dir) throws Exception {
        try (Devnet devnet = new AnvilLauncher().start(); ChainClient chain = ChainClient.connect(devnet.rpcUrl())) {
            NonceManager nonces = new NonceManager(chain);
            Deployment deployment = new Deployer(new TransactionSender(chain, devnet.account(0), nonces,
                    RevertDecoder.forHyphaContracts())).deploy(DeployParams.devnet());
            Credentials payer = devnet.account(1);
            Credentials provider = devnet.account(2);
            TransactionSender payerSender = new TransactionSender(chain, payer, nonces, RevertDecoder.forHyphaContracts());
            HyphaContracts asPayer = HyphaContracts.connect(deployment, payerSender);
            HyphaContracts.connect(deployment, new TransactionSender(chain, devnet.account(0), nonces,
                    RevertDecoder.forHyphaContracts())).payment().mint(payer.getAddress(), BigInteger.valueOf(1_000_000));

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
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }

            CountDownLatch stop = new CountDownLatch(1);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = Hypha.commandLine(new CliEnvironment(Map.of(), Path.of("/nonexistent-user-home"),
                    CliEnvironment.StopSignal.of(stop)));
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute(concat(common, "provider",
                    "start", "--listen", "127.0.0.1:" + port, "--input-price", "1000000", "--output-price", "3000000")));
            while (!out.toString().contains("Running.") && !exit.isDone()) {
                Thread.sleep(20); // waiting for the server to come up, not measuring anything
            }
            assertThat(err.toString()).isEmpty();
            assertThat(out.toString()).contains("Hypha provider " + Address.parse(provider.getAddress()).toChecksumString(),
                    "https://127.0.0.1:" + port + "/provider/v1", "1000000 per million input tokens", "chat:latest",
                    "TLS 1.3, certificate vouched for by " + Address.parse(provider.getAddress()).toChecksumString());

            String body = "{\"model\":\"chat\",\"prompt\":\"Hello\",\"stream\":false,\"options\":{\"num_predict\":4}}";
            URI uri = URI.create("https://127.0.0.1:" + port + "/provider/v1/api/generate");
            // The client trusts only a certificate the provider's registered key vouches for (the default --tls).
            HttpClient http = ProviderTls.client(Address.parse(provider.getAddress()), deployment.chainId(),
                    Address.parse(provider.getAddress()));
            HttpResponse<String> unpaid = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(unpaid.statusCode()).isEqualTo(402);
            BigInteger max = new BigInteger(JSON.readTree(Base64.getDecoder().decode(
                    unpaid.headers().firstValue(PaymentHeaders.PAYMENT_REQUIRED).orElseThrow())).at("/accepts/0/amount").asText());

            ChannelParams c = new ChannelParams(Address.parse(payer.getAddress()), Address.parse(provider.getAddress()),
                    Address.parse(deployment.address("PaymentToken")), Address.parse(payer.getAddress()), ChannelParams.salt(1));
            asPayer.channels().open(c, BigInteger.valueOf(10_000));
            Voucher v = asPayer.channels().voucherDomain().sign(c.id(), max, payerSender::signTypedData);
            HttpResponse<String> paid = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                    .header(PaymentHeaders.PAYMENT_SIGNATURE, PaymentHeaders.paymentSignature(deployment.chainId(), c, v))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(paid.statusCode()).as(paid.body()).isEqualTo(200);
            ReceiptHeaders.SignedReceipt receipt = ReceiptHeaders.parse(
                    paid.headers().firstValue(ReceiptHeaders.PAYMENT_RESPONSE).orElseThrow());
            assertThat(new ReceiptDomain(deployment.chainId(), Address.parse(deployment.address("ProviderRegistry")))
                    .isSignedBy(receipt.receipt(), receipt.signature(), Address.parse(provider.getAddress()))).isTrue();
            BigInteger before = asPayer.payment().balanceOf(provider.getAddress());

            stop.countDown();

            assertThat(exit.get()).as(err.toString()).isZero();
            assertThat(out.toString()).contains("Redeemed channel " + c.id() + ": " + max + " paid out in total", "Stopped.");
            assertThat(asPayer.payment().balanceOf(provider.getAddress()).subtract(before)).isEqualTo(max);
            CliRun again = CliRun.run(concat(common, "provider", "redeem"));
            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(again.out()).contains("Nothing to redeem.");
            System.out.print(out); // what an operator sees, kept in the surefire report
        }
    }

    /**
     * {@code --upstream URL --upstream-api openai}: the provider sells the models of an OpenAI-compatible server (here
     * Hypha's own gateway over another home's store, as no llama.cpp server or vLLM can be installed on this machine)
     * rather than its own store's, embeddings included, and redeems them on stop.
     */
    @Test
    void sellsTheModelsOfAnOpenAiCompatibleUpstream(@TempDir Path dir) throws Exception {
        try (Devnet devnet = new AnvilLauncher().start(); ChainClient chain = ChainClient.connect(devnet.rpcUrl())) {
            NonceManager nonces = new NonceManager(chain);
            Deployment deployment = new Deployer(new TransactionSender(chain, devnet.account(0), nonces,
                    RevertDecoder.forHyphaContracts())).deploy(DeployParams.devnet());
            Credentials payer = devnet.account(1);
            Credentials provider = devnet.account(2);
            TransactionSender payerSender = new TransactionSender(chain, payer, nonces, RevertDecoder.forHyphaContracts());
            HyphaContracts asPayer = HyphaContracts.connect(deployment, payerSender);
            HyphaContracts.connect(deployment, new TransactionSender(chain, devnet.account(0), nonces,
                    RevertDecoder.forHyphaContracts())).payment().mint(payer.getAddress(), BigInteger.valueOf(1_000_000));
            Path home = dir.resolve("home");
            new Deployments(home.resolve("deployments")).save(deployment);
            Path password = Files.writeString(dir.resolve("password"), "pw\n");
            Path keyFile = Files.writeString(dir.resolve("key"), provider.getEcKeyPair().getPrivateKey().toString(16));
            String[] common = {"--home", home.toString(), "--rpc", devnet.rpcUrl(), "--password-file", password.toString()};
            assertThat(CliRun.run(concat(common, "account", "import", "--light-kdf", "--private-key-file",
                    keyFile.toString())).exitCode()).isZero();

            // The upstream server's store is another home's: the provider's own store stays empty.
            Path engineHome = dir.resolve("engine");
            TokenizerConfig vocab = TestVocabularies.byteLevelBpe(1000);
            Path file = dir.resolve("m.gguf");
            RandomModelFactory.write(RandomModelFactory.Spec.tiny(Architecture.QWEN2, GgmlType.Q8_0, vocab.size(), 3),
                    vocab, file);
            new ModelStore(engineHome, Clock.systemUTC()).importModel(file, ModelName.parse("remote"), (d, t) -> { });
            try (LocalBackend engine = new LocalBackend(new ModelStore(engineHome, Clock.systemUTC()),
                    LocalBackend.Settings.defaults())) {
                ApiServer upstream = new ApiServer("127.0.0.1", 0, java.util.List.of(new GatewayRoutes(engine)));
                upstream.start();
                try {
                    int port;
                    try (ServerSocket free = new ServerSocket(0)) {
                        port = free.getLocalPort();
                    }
                    CountDownLatch stop = new CountDownLatch(1);
                    StringWriter out = new StringWriter();
                    StringWriter err = new StringWriter();
                    CommandLine cli = Hypha.commandLine(new CliEnvironment(Map.of(), Path.of("/nonexistent-user-home"),
                            CliEnvironment.StopSignal.of(stop)));
                    cli.setOut(new PrintWriter(out, true));
                    cli.setErr(new PrintWriter(err, true));
                    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute(concat(common,
                            "provider", "start", "--listen", "127.0.0.1:" + port, "--no-tls", "--input-price",
                            "1000000", "--output-price", "3000000", "--upstream", "http://127.0.0.1:" + upstream.port(),
                            "--upstream-api", "openai")));
                    while (!out.toString().contains("Running.") && !exit.isDone()) {
                        Thread.sleep(20); // waiting for the server to come up, not measuring anything
                    }
                    assertThat(err.toString()).isEmpty();
                    assertThat(out.toString()).contains("remote:latest");

                    String body = "{\"model\":\"remote\",\"input\":[\"Hello\",\"there\"]}";
                    URI uri = URI.create("http://127.0.0.1:" + port + "/provider/v1/api/embed");
                    HttpClient http = HttpClient.newHttpClient();
                    HttpResponse<String> unpaid = http.send(HttpRequest.newBuilder(uri)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(unpaid.statusCode()).isEqualTo(402);
                    BigInteger max = new BigInteger(JSON.readTree(unpaid.body()).at("/accepts/0/amount").asText());
                    ChannelParams c = new ChannelParams(Address.parse(payer.getAddress()),
                            Address.parse(provider.getAddress()), Address.parse(deployment.address("PaymentToken")),
                            Address.parse(payer.getAddress()), ChannelParams.salt(1));
                    asPayer.channels().open(c, BigInteger.valueOf(10_000));
                    Voucher v = asPayer.channels().voucherDomain().sign(c.id(), max, payerSender::signTypedData);
                    HttpResponse<String> paid = http.send(HttpRequest.newBuilder(uri)
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .header(PaymentHeaders.PAYMENT_SIGNATURE, PaymentHeaders.paymentSignature(deployment.chainId(),
                                    c, v)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(paid.statusCode()).as(paid.body()).isEqualTo(200);
                    assertThat(JSON.readTree(paid.body()).get("embeddings")).hasSize(2);
                    ReceiptHeaders.SignedReceipt receipt = ReceiptHeaders.parse(
                            paid.headers().firstValue(ReceiptHeaders.PAYMENT_RESPONSE).orElseThrow());
                    // what the upstream counted, at 1 unit per input token
                    assertThat(receipt.receipt().price()).isEqualTo(BigInteger.valueOf(
                            JSON.readTree(paid.body()).get("prompt_eval_count").asLong()));

                    stop.countDown();
                    assertThat(exit.get()).as(err.toString()).isZero();
                    // the provider claims what it charged (the tokens read), not the 402's byte-bound maximum
                    assertThat(out.toString()).contains("Redeemed channel " + c.id() + ": " + receipt.receipt().price()
                            + " paid out in total");
                    System.out.print(out); // what an operator sees, kept in the surefire report
                } finally {
                    upstream.close();
                }
            }
        }
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}

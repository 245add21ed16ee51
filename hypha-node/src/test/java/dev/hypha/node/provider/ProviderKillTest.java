package dev.hypha.node.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.Voucher;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentChannelsClient;
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
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.node.payments.ReceiptHeaders;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * A provider process killed with SIGKILL right after it answered a paid request: a restarted provider (a fresh ledger
 * on the same file) still redeems the voucher on chain, to the unit.
 */
class ProviderKillTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aProviderKilledAfterServingStillRedeemsWhenRestarted(@TempDir Path dir) throws Exception {
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
            TokenizerConfig vocab = TestVocabularies.byteLevelBpe(1000);
            Path model = dir.resolve("m.gguf");
            RandomModelFactory.write(RandomModelFactory.Spec.tiny(Architecture.QWEN2, GgmlType.Q8_0, vocab.size(), 3),
                    vocab, model);
            new ModelStore(home, Clock.systemUTC()).importModel(model, ModelName.parse("chat"), (d, t) -> { });
            Path ledgerFile = dir.resolve("provider.sqlite");

            Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                    ProviderChild.class.getName(), devnet.rpcUrl(),
                    home.toString(), ledgerFile.toString(), provider.getEcKeyPair().getPrivateKey().toString(16)))
                    .redirectError(dir.resolve("child.err").toFile()).start();
            BigInteger voucherTotal;
            ChannelParams c;
            try {
                BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                String line = lines.readLine();
                assertThat(line).as("the child's first line").startsWith("PORT ");
                URI uri = URI.create("http://127.0.0.1:" + line.substring(5).strip() + "/provider/v1/api/chat");
                String body = "{\"model\":\"chat\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                        + "\"options\":{\"num_predict\":4}}";
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> unpaid = http.send(HttpRequest.newBuilder(uri)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(unpaid.statusCode()).as(unpaid.body()).isEqualTo(402);
                BigInteger max = new BigInteger(JSON.readTree(Base64.getDecoder().decode(unpaid.headers()
                        .firstValue(PaymentHeaders.PAYMENT_REQUIRED).orElseThrow())).at("/accepts/0/amount").asText());
                c = new ChannelParams(Address.parse(payer.getAddress()), Address.parse(provider.getAddress()),
                        Address.parse(deployment.address("PaymentToken")), Address.parse(payer.getAddress()),
                        ChannelParams.salt(1));
                asPayer.channels().open(c, BigInteger.valueOf(10_000));
                voucherTotal = max.add(BigInteger.valueOf(5)); // a little over: the redeemer claims only what was charged
                Voucher v = asPayer.channels().voucherDomain().sign(c.id(), voucherTotal, payerSender::signTypedData);
                HttpResponse<String> paid = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                        .header(PaymentHeaders.PAYMENT_SIGNATURE, PaymentHeaders.paymentSignature(deployment.chainId(), c, v))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(paid.statusCode()).as(paid.body()).isEqualTo(200);
                assertThat(paid.headers().firstValue(ReceiptHeaders.PAYMENT_RESPONSE)).isPresent();
            } finally {
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no redemption, no clean close
                child.waitFor();
            }

            BigInteger before = asPayer.payment().balanceOf(provider.getAddress());
            PaymentChannelsClient providerChannels = HyphaContracts.connect(deployment,
                    new TransactionSender(chain, provider, nonces, RevertDecoder.forHyphaContracts())).channels();
            BigInteger charged;
            try (ProviderLedger restarted = ProviderLedger.open(ledgerFile, providerChannels.voucherDomain())) {
                charged = restarted.charged(c.id());
                assertThat(charged).isPositive().isLessThanOrEqualTo(voucherTotal);
                List<Redeemer.Outcome> outcomes = Redeemer.onChain(restarted, providerChannels).redeemAll();
                assertThat(outcomes).singleElement().satisfies(o -> {
                    assertThat(o.ok()).as(o.error()).isTrue();
                    assertThat(o.redeemed()).isEqualTo(charged);
                });
                assertThat(restarted.unredeemed()).isEmpty();
            }
            assertThat(asPayer.payment().balanceOf(provider.getAddress()).subtract(before)).isEqualTo(charged);
            assertThat(asPayer.channels().state(c.id()).redeemed()).isEqualTo(charged);
        }
    }
}

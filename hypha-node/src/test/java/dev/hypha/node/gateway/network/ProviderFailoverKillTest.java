package dev.hypha.node.gateway.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.node.gateway.remote.ProviderHttp;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.channels.ReceiptDomain;
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
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.payments.ProviderLedger;
import dev.hypha.node.provider.ProviderChild;
import dev.hypha.node.provider.Redeemer;
import dev.hypha.node.testing.TinyModelStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * The fault test: a provider process killed with SIGKILL in the middle of a streamed, paid answer. The client
 * still gets one complete answer (another provider continues from the text already delivered), it paid the killed
 * provider at most that request's maximum, and the killed provider, restarted, redeems what it was owed.
 */
class ProviderFailoverKillTest {
    private static final String MODEL = "tiny:latest";
    /** Cheap, so the gateway picks it first. */
    private static final BigInteger[] SLOW_PRICES = {BigInteger.valueOf(1_000_000), BigInteger.valueOf(2_000_000)};
    private static final BigInteger[] OTHER_PRICES = {BigInteger.valueOf(3_000_000), BigInteger.valueOf(4_000_000)};

    @Test
    void aProviderKilledMidStreamIsReplacedAndRedeemsAtMostOneMaximumWhenRestarted(@TempDir Path dir) throws Exception {
        try (Devnet devnet = new AnvilLauncher().start(); ChainClient chain = ChainClient.connect(devnet.rpcUrl())) {
            NonceManager nonces = new NonceManager(chain);
            Deployment deployment = new Deployer(new TransactionSender(chain, devnet.account(0), nonces,
                    RevertDecoder.forHyphaContracts())).deploy(DeployParams.devnet());
            Path home = dir.resolve("home");
            new Deployments(home.resolve("deployments")).save(deployment);
            ModelStore store = TinyModelStore.create(home, MODEL, 7, 512);
            String modelId;
            try (var local = new dev.hypha.node.gateway.local.LocalBackend(store,
                    dev.hypha.node.gateway.local.LocalBackend.Settings.defaults())) {
                modelId = Hex.encode(ContentId.parse(local.models().getFirst().digest()).multihash().digest());
            }
            Credentials slowKey = devnet.account(1);
            Credentials otherKey = devnet.account(2);
            Credentials payerKey = devnet.account(3);
            HyphaContracts.connect(deployment, new TransactionSender(chain, devnet.account(0), nonces,
                    RevertDecoder.forHyphaContracts())).payment().mint(payerKey.getAddress(), BigInteger.valueOf(1_000_000));

            Path slowLedger = dir.resolve("slow.sqlite");
            // The cheap provider waits 50 ms before each piece, so the kill lands mid-answer.
            Process slow = child(devnet, home, slowLedger, slowKey, 50, SLOW_PRICES, dir.resolve("slow.err"));
            Process other = child(devnet, home, dir.resolve("other.sqlite"), otherKey, 0, OTHER_PRICES,
                    dir.resolve("other.err"));
            try (PayerLedger ledger = PayerLedger.open(dir.resolve("payer.sqlite"),
                    contracts(deployment, chain, nonces, payerKey).channels().voucherDomain());
                 PayerReceipts receipts = PayerReceipts.open(dir.resolve("receipts.sqlite"))) {
                Address token = Address.parse(deployment.address("PaymentToken"));
                List<Offer> offers = List.of(offer(slowKey, port(slow), modelId, token, SLOW_PRICES),
                        offer(otherKey, port(other), modelId, token, OTHER_PRICES));
                PayerChannels channels = new PayerChannels(contracts(deployment, chain, nonces, payerKey).channels(),
                        ledger, Address.parse(payerKey.getAddress()), new Budget(BigInteger.valueOf(20_000),
                        BigInteger.valueOf(100_000)));
                try (NetworkBackend network = new NetworkBackend(() -> offers,
                        new Router(RoutingPolicy.anyProvider(), Set.of(token), new ProviderStats()),
                        new NetworkBackend.Payer(ledger, receipts, data -> dev.hypha.core.crypto.Eip712.sign(data, payerKey),
                                channels, Address.parse(deployment.address("PaymentChannels")),
                                new ReceiptDomain(deployment.chainId(), Address.parse(deployment.address("ProviderRegistry")))),
                        o -> ProviderHttp.plain(), Clock.systemUTC())) {
                    List<String> pieces = new ArrayList<>();
                    GenerateCall call = new GenerateCall(MODEL, new Prompt.Chat(List.of(new Prompt.Message("user",
                            "Tell me a long story"))), SamplingOptions.defaults().withTemperature(0), 40, List.of(),
                            OptionalInt.empty(), KeepAlive.DEFAULT, GenerateCall.Format.TEXT);
                    Completion answer = network.generate(call, piece -> {
                        pieces.add(piece);
                        if (pieces.size() == 3 && slow.isAlive()) {
                            slow.destroyForcibly(); // SIGKILL mid-stream: no error line, no receipt, a cut socket
                            waitFor(slow);
                        }
                    });
                    assertThat(slow.isAlive()).isFalse();
                    assertThat(String.join("", pieces)).isEqualTo(answer.text());
                    assertThat(pieces.size()).isGreaterThan(3);
                    // Only the surviving provider's answer has a receipt.
                    assertThat(receipts.all()).singleElement()
                            .satisfies(r -> assertThat(r.provider()).isEqualTo(Address.parse(otherKey.getAddress())));

                    // The killed provider, restarted on its ledger, redeems what it reserved: at most one maximum.
                    ChannelParams slowChannel = ledger.channels().stream()
                            .filter(c -> c.provider().equals(Address.parse(slowKey.getAddress()))).findFirst().orElseThrow();
                    BigInteger signedToSlow = ledger.signedTotal(slowChannel.id());
                    HyphaContracts asSlow = contracts(deployment, chain, nonces, slowKey);
                    BigInteger before = asSlow.payment().balanceOf(slowKey.getAddress());
                    try (ProviderLedger restarted = ProviderLedger.open(slowLedger, asSlow.channels().voucherDomain())) {
                        assertThat(Redeemer.onChain(restarted, asSlow.channels()).redeemAll())
                                .singleElement().satisfies(o -> assertThat(o.ok()).as(o.error()).isTrue());
                    }
                    BigInteger earned = asSlow.payment().balanceOf(slowKey.getAddress()).subtract(before);
                    assertThat(earned).isPositive().isLessThanOrEqualTo(signedToSlow);
                    // signedToSlow is exactly the one request's maximum: nothing was charged on that channel before.
                    assertThat(receipts.charged(slowChannel.id())).isZero();
                }
            } finally {
                slow.destroyForcibly();
                other.destroyForcibly();
                waitFor(slow);
                waitFor(other);
            }
        }
    }

    private static Process child(Devnet devnet, Path home, Path ledger, Credentials key, long paceMillis,
                                 BigInteger[] prices, Path err) throws Exception {
        return new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                ProviderChild.class.getName(), devnet.rpcUrl(), home.toString(), ledger.toString(),
                key.getEcKeyPair().getPrivateKey().toString(16), Long.toString(paceMillis), prices[0].toString(),
                prices[1].toString())).redirectError(err.toFile()).start();
    }

    private static int port(Process child) throws Exception {
        String line = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(line).as("the child's first line").startsWith("PORT ");
        return Integer.parseInt(line.substring(5).strip());
    }

    private static Offer offer(Credentials key, int port, String modelId, Address token, BigInteger[] prices) {
        Address a = Address.parse(key.getAddress());
        return new Offer(a, URI.create("http://127.0.0.1:" + port), a, MODEL, modelId, token, prices[0], prices[1], 512, 1,
                Instant.now().plusSeconds(3600));
    }

    private static HyphaContracts contracts(Deployment d, ChainClient chain, NonceManager nonces, Credentials key) {
        return HyphaContracts.connect(d, new TransactionSender(chain, key, nonces, RevertDecoder.forHyphaContracts()));
    }

    private static void waitFor(Process p) {
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.hypha.node.x402;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.channels.ChannelParams;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.PaymentChannelsClient;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderService;
import dev.hypha.node.provider.ProviderTerms;
import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.node.provider.ReceiptSigner;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import dev.hypha.node.mcp.PayingMcpClient;
import dev.hypha.node.mcp.ProviderMcp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * A provider's model served as an x402 {@code upto} endpoint over the inference payment channels, over HTTP on anvil:
 * {@code ProviderService} (as {@code hypha provider start} runs it) offers the route's maximum in its 402, a payer's
 * {@link UptoChannelClient} pays per call what the tokens used cost, without a transaction, and the provider redeems
 * the sum on chain; a bad request costs nothing.
 */
class MeteredCompletionsTest {
    private static final Prices PRICES = new Prices(BigInteger.valueOf(100_000), BigInteger.valueOf(200_000));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theProvidersModelIsPaidPerTokenWithUptoOverItsChannels() throws Exception {
        Path tiny = dir.resolve("hypha-tiny.gguf");
        try (InputStream in = getClass().getResourceAsStream("/dev/hypha/node/devnet/hypha-tiny.gguf")) {
            Files.copy(in, tiny);
        }
        ModelStore store = new ModelStore(dir.resolve("home"), Clock.systemUTC());
        store.importModel(tiny, ModelName.parse("hypha-tiny"), (d, t) -> { });
        try (Devnet devnet = new AnvilLauncher().start(); ChainClient chain = ChainClient.connect(devnet.rpcUrl());
             LocalBackend engine = new LocalBackend(store, LocalBackend.Settings.defaults())) {
            NonceManager nonces = new NonceManager(chain);
            Deployment deployment = new Deployer(new TransactionSender(chain, devnet.account(0), nonces,
                    RevertDecoder.forHyphaContracts())).deploy(DeployParams.devnet());
            Credentials payer = devnet.account(1);
            Credentials provider = devnet.account(2);
            TransactionSender payerTx = new TransactionSender(chain, payer, nonces, RevertDecoder.forHyphaContracts());
            TransactionSender providerTx = new TransactionSender(chain, provider, nonces, RevertDecoder.forHyphaContracts());
            HyphaContracts.connect(deployment, new TransactionSender(chain, devnet.account(0), nonces,
                    RevertDecoder.forHyphaContracts())).payment().mint(payer.getAddress(), BigInteger.valueOf(1_000_000));
            Address token = Address.parse(deployment.address(PaymentTokenClient.NAME));
            Address channels = Address.parse(deployment.address(PaymentChannelsClient.NAME));
            Address providerAddress = Address.parse(provider.getAddress());
            ProviderTerms terms = new ProviderTerms(chain.chainId(), token, providerAddress, channels, PRICES, 60);
            HyphaContracts asProvider = HyphaContracts.connect(deployment, providerTx);
            try (ProviderService service = ProviderService.start(engine, terms, asProvider.channels(),
                    new ReceiptSigner(new ReceiptDomain(chain.chainId(), Address.parse(deployment.address("ProviderRegistry"))),
                            providerAddress, providerTx::signTypedData), dir.resolve("ledger.sqlite"), "127.0.0.1", 0,
                    null, Clock.systemUTC(), List.of(), List.of(MeteredCompletions.areas(engine), ProviderMcp.areas(engine)));
                 PayerLedger payerLedger = PayerLedger.open(dir.resolve("payer.sqlite"),
                         HyphaContracts.connect(deployment, payerTx).channels().voucherDomain())) {
                URI url = URI.create(service.endpoint() + MeteredCompletions.PATH);
                HttpClient http = HttpClient.newHttpClient();
                BigInteger max = MeteredCompletions.maximum(PRICES);

                HttpResponse<String> unpaid = http.send(post(url, "{\"prompt\":\"Tell me a fortune.\"}"),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(unpaid.statusCode()).isEqualTo(402);
                JsonNode offer = JSON.readTree(Base64.getDecoder().decode(unpaid.headers()
                        .firstValue(X402.PAYMENT_REQUIRED).orElseThrow())).get("accepts").get(0);
                assertThat(offer.get("scheme").asText()).isEqualTo("upto");
                assertThat(offer.get("amount").asText()).isEqualTo(max.toString());
                assertThat(offer.get("payTo").asText()).isEqualToIgnoringCase(provider.getAddress());
                assertThat(offer.get("extra").get("assetTransferMethod").asText()).isEqualTo("payment-channel");

                ChannelParams c = new ChannelParams(Address.parse(payer.getAddress()), providerAddress, token,
                        Address.parse(payer.getAddress()), ChannelParams.salt(1));
                HyphaContracts.connect(deployment, payerTx).channels().open(c, BigInteger.valueOf(100_000));
                payerLedger.track(c, BigInteger.valueOf(100_000));
                UptoChannelClient client = new UptoChannelClient(http, payerLedger, c, chain.chainId(), channels, max,
                        payerTx::signTypedData, BigInteger.ZERO);
                long block = chain.blockNumber();

                UptoChannelClient.Result first = client.send(post(url, "{\"prompt\":\"Tell me a fortune.\",\"max_tokens\":8}"));
                UptoChannelClient.Result second = client.send(post(url, "{\"prompt\":\"The best computer\",\"max_tokens\":4}"));
                UptoChannelClient.Result bad = client.send(post(url, "{\"prompt\":\"\"}"));

                BigInteger total = BigInteger.ZERO;
                for (UptoChannelClient.Result r : List.of(first, second)) {
                    assertThat(r.response().statusCode()).isEqualTo(200);
                    JsonNode body = JSON.readTree(r.response().body());
                    BigInteger expected = PRICES.cost(body.get("prompt_tokens").asLong(), body.get("completion_tokens").asLong());
                    assertThat(body.get("prompt_tokens").asInt()).isPositive();
                    assertThat(body.get("completion_tokens").asInt()).isBetween(0, 8);
                    assertThat(r.cost()).isEqualTo(expected).isPositive().isLessThan(max);
                    total = total.add(expected);
                    assertThat(r.charged()).isEqualTo(total);
                }
                assertThat(bad.response().statusCode()).isEqualTo(400);
                assertThat(new String(bad.response().body())).contains("prompt is required");
                assertThat(bad.cost()).isZero();
                assertThat(bad.charged()).isEqualTo(total);

                // The same model as the provider's metered MCP tool, paid from the same channel and ledger.
                try (PayingMcpClient mcp = new PayingMcpClient(service.endpoint() + ProviderMcp.PATH, new UptoVouchers(
                        payerLedger, c, chain.chainId(), channels, max, payerTx::signTypedData, client.charged()))) {
                    PayingMcpClient.Call viaMcp = mcp.call(ProviderMcp.TOOL, Map.of("prompt", "Tell me a fortune.",
                            "max_tokens", 4));
                    assertThat(viaMcp.failed()).as(viaMcp.text()).isFalse();
                    JsonNode answer = JSON.readTree(viaMcp.text());
                    BigInteger expected = PRICES.cost(answer.get("prompt_tokens").asLong(),
                            answer.get("completion_tokens").asLong());
                    assertThat(viaMcp.channel().orElseThrow().cost()).isEqualTo(expected).isPositive();
                    assertThat(viaMcp.channel().orElseThrow().voucher().cumulativeAmount()).isEqualTo(total.add(max));
                    total = total.add(expected);
                    assertThat(viaMcp.channel().orElseThrow().charged()).isEqualTo(total);
                }
                assertThat(chain.blockNumber()).as("no transaction per call").isEqualTo(block);

                BigInteger before = HyphaContracts.readOnly(deployment, chain).payment().balanceOf(provider.getAddress());
                assertThat(service.redeemAll()).singleElement().satisfies(o -> assertThat(o.ok()).isTrue());
                assertThat(HyphaContracts.readOnly(deployment, chain).payment().balanceOf(provider.getAddress()))
                        .isEqualTo(before.add(total));
            }
        }
    }

    private static HttpRequest post(URI url, String body) {
        return HttpRequest.newBuilder(url).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}

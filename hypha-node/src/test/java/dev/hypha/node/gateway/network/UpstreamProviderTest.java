package dev.hypha.node.gateway.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.node.gateway.remote.ProviderHttp;
import dev.hypha.chain.channels.ReceiptDomain;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Eip712;
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.node.gateway.Completion;
import dev.hypha.node.gateway.EmbedCall;
import dev.hypha.node.gateway.Embeddings;
import dev.hypha.node.gateway.InferenceBackend;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.ModelInfo;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.api.GatewayRoutes;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.gateway.remote.OllamaUpstream;
import dev.hypha.node.gateway.remote.OpenAiUpstream;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderService;
import dev.hypha.node.provider.ProviderTerms;
import dev.hypha.node.provider.ReceiptSigner;
import dev.hypha.node.testing.TinyModelStore;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * A provider selling an engine its operator already runs, over Ollama's API ({@link OllamaUpstream}) or an
 * OpenAI-compatible one ({@link OpenAiUpstream}). The engine here is a real server speaking both APIs on loopback
 * (Hypha's own gateway over a store, since no Ollama, llama.cpp server or vLLM can be installed on this machine); the
 * payer buys answers and embeddings through channels on anvil and gets exactly the engine's, charged its counts.
 */
class UpstreamProviderTest {
    /** The API the provider speaks to its upstream. */
    enum Api {
        OLLAMA, OPENAI;

        InferenceBackend at(URI base) {
            return this == OLLAMA ? new OllamaUpstream(base) : new OpenAiUpstream(base);
        }
    }

    private static final String MODEL = "tiny:latest";
    private static final Prices PRICES = new Prices(BigInteger.valueOf(1_000_000), BigInteger.valueOf(2_000_000));

    @ParameterizedTest
    @EnumSource(Api.class)
    void anUpstreamEnginesAnswersAreSoldThroughChannelsUnchanged(Api api, @TempDir Path dir) {
        try (Devnet devnet = new AnvilLauncher().start(); ChainClient chain = ChainClient.connect(devnet.rpcUrl());
             LocalBackend engine = new LocalBackend(TinyModelStore.create(dir.resolve("engine"), MODEL, 7, 512),
                     LocalBackend.Settings.defaults())) {
            ApiServer server = new ApiServer("127.0.0.1", 0, List.of(new GatewayRoutes(engine)));
            server.start();
            try (InferenceBackend upstream = api.at(URI.create("http://127.0.0.1:" + server.port()))) {
                // The upstream's models and answers, straight.
                assertThat(upstream.models()).extracting(ModelInfo::name).containsExactly(MODEL);
                GenerateCall call = new GenerateCall(MODEL, new Prompt.Chat(List.of(new Prompt.Message("user",
                        "Tell me a story"))), SamplingOptions.defaults().withTemperature(0), 12, List.of(),
                        OptionalInt.empty(), KeepAlive.DEFAULT, GenerateCall.Format.TEXT);
                String direct = engine.generate(call, TextSink.DISCARD).text();
                StringBuilder streamed = new StringBuilder();
                assertThat(upstream.generate(call, streamed::append).text()).isEqualTo(direct);
                assertThat(streamed.toString()).isEqualTo(direct);
                assertThatThrownBy(() -> upstream.show("missing:latest", false)).isInstanceOf(GatewayException.class)
                        .satisfies(e -> assertThat(((GatewayException) e).kind()).isEqualTo(GatewayException.Kind.NOT_FOUND));

                // Sold: a provider over the upstream, a payer buying through the network backend.
                NonceManager nonces = new NonceManager(chain);
                Deployment deployment = new Deployer(new TransactionSender(chain, devnet.account(0), nonces,
                        RevertDecoder.forHyphaContracts())).deploy(DeployParams.devnet());
                Credentials providerKey = devnet.account(1);
                Credentials payerKey = devnet.account(0);
                HyphaContracts asProvider = HyphaContracts.connect(deployment, new TransactionSender(chain, providerKey,
                        nonces, RevertDecoder.forHyphaContracts()));
                HyphaContracts asPayer = HyphaContracts.connect(deployment, new TransactionSender(chain, payerKey, nonces,
                        RevertDecoder.forHyphaContracts()));
                asPayer.payment().mint(payerKey.getAddress(), BigInteger.valueOf(100_000_000));
                Address token = Address.parse(deployment.address("PaymentToken"));
                Address provider = Address.parse(providerKey.getAddress());
                ReceiptDomain receiptDomain = new ReceiptDomain(deployment.chainId(),
                        Address.parse(deployment.address("ProviderRegistry")));
                ProviderTerms terms = new ProviderTerms(deployment.chainId(), token, provider,
                        Address.parse(deployment.address("PaymentChannels")), PRICES, 60);
                try (ProviderService service = ProviderService.start(upstream, terms, asProvider.channels(),
                        new ReceiptSigner(receiptDomain, provider, data -> Eip712.sign(data, providerKey)),
                        dir.resolve("provider.sqlite"), "127.0.0.1", 0, null, Clock.systemUTC());
                     PayerLedger ledger = PayerLedger.open(dir.resolve("payer.sqlite"), asPayer.channels().voucherDomain());
                     PayerReceipts receipts = PayerReceipts.open(dir.resolve("receipts.sqlite"))) {
                    Offer offer = new Offer(provider, service.endpoint(), provider, MODEL,
                            upstream.models().getFirst().digestHex(), token, PRICES.inputPerMillion(),
                            PRICES.outputPerMillion(), 512, 1, Instant.now().plusSeconds(3600));
                    try (NetworkBackend network = new NetworkBackend(() -> List.of(offer), new Router(
                            RoutingPolicy.anyProvider(), Set.of(token), new ProviderStats()), new NetworkBackend.Payer(
                            ledger, receipts, data -> Eip712.sign(data, payerKey), new PayerChannels(asPayer.channels(),
                            ledger, Address.parse(payerKey.getAddress()), Budget.defaults()),
                            Address.parse(deployment.address("PaymentChannels")), receiptDomain),
                            o -> ProviderHttp.plain(), Clock.systemUTC())) {
                        Completion bought = network.generate(call, TextSink.DISCARD);
                        assertThat(bought.text()).isEqualTo(direct);
                        // Charged what the upstream counted, never more than the bound it was priced at.
                        var receipt = receipts.all().getFirst().receipt();
                        assertThat(receipt.tokensOut()).isEqualTo(bought.generatedTokens());
                        assertThat(receipt.price()).isEqualTo(PRICES.cost(bought.promptTokens(), bought.generatedTokens()));
                        assertThat(receipt.price()).isLessThanOrEqualTo(PRICES.maximum(upstream.budget(call)));

                        // Embeddings: the engine's vectors, charged the tokens it read at the input price.
                        EmbedCall embed = new EmbedCall(MODEL, List.of("fortune favours the bold", "second"), true,
                                KeepAlive.DEFAULT);
                        Embeddings engineVectors = engine.embed(embed);
                        Embeddings embeddings = network.embed(embed);
                        assertThat(embeddings.canonicalBytes()).isEqualTo(engineVectors.canonicalBytes());
                        var embedReceipt = receipts.all().getLast().receipt();
                        assertThat(embedReceipt.tokensIn()).isEqualTo(engineVectors.promptTokens());
                        assertThat(embedReceipt.tokensOut()).isZero();
                        assertThat(embedReceipt.price()).isEqualTo(PRICES.cost(engineVectors.promptTokens(), 0));
                    }
                }
            } finally {
                server.close();
            }
        }
    }
}

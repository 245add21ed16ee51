package dev.hypha.node.gateway.network;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.langchain4j.model.ollama.OllamaEmbeddingModel;
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
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.gateway.api.GatewayRoutes;
import dev.hypha.node.gateway.local.LocalBackend;
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
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * The official OpenAI Java SDK, unchanged, against the paying gateway (GatewayRoutes over NetworkBackend, a provider on
 * loopback, PaymentChannels on anvil), differentially: each greedy request gives the same text as through a local-only
 * gateway over the same model, and every paid request left a verified receipt. Embeddings (the SDK and LangChain4j's
 * Ollama client), log-probabilities and a required tool are bought the same way. Both stores carry a template that
 * takes tools (Qwen 2.5's), so a forced call has somewhere to go.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaidGatewaySdkTest {
    private static final String MODEL = "tiny:latest";
    /** The same weights under a thinking template (Qwen3-style): its answers are reasoning, bought like any other. */
    private static final String THINKER = "thinker:latest";
    private static final Prices PRICES = new Prices(BigInteger.valueOf(1_000_000), BigInteger.valueOf(2_000_000));

    private Devnet devnet;
    private ChainClient chain;
    private LocalBackend providerEngine;
    private LocalBackend localEngine;
    private ProviderService provider;
    private PayerLedger ledger;
    private PayerReceipts receipts;
    private NetworkBackend network;
    private ApiServer paidGateway;
    private ApiServer localGateway;
    private OpenAIClient paid;
    private OpenAIClient local;
    private Deployment deployment;
    private HyphaContracts asPayer;

    @BeforeAll
    void start(@TempDir Path dir) {
        devnet = new AnvilLauncher().start();
        chain = ChainClient.connect(devnet.rpcUrl());
        NonceManager nonces = new NonceManager(chain);
        deployment = new Deployer(new TransactionSender(chain, devnet.account(0), nonces,
                RevertDecoder.forHyphaContracts())).deploy(DeployParams.devnet());
        Credentials providerKey = devnet.account(1);
        Credentials payerKey = devnet.account(0);
        HyphaContracts asProvider = HyphaContracts.connect(deployment, new TransactionSender(chain, providerKey, nonces,
                RevertDecoder.forHyphaContracts()));
        asPayer = HyphaContracts.connect(deployment, new TransactionSender(chain, payerKey, nonces,
                RevertDecoder.forHyphaContracts()));
        asPayer.payment().mint(payerKey.getAddress(), BigInteger.valueOf(100_000_000));
        Address token = Address.parse(deployment.address("PaymentToken"));
        Address providerAddress = Address.parse(providerKey.getAddress());
        ReceiptDomain receiptDomain = new ReceiptDomain(deployment.chainId(),
                Address.parse(deployment.address("ProviderRegistry")));

        ModelStore providerStore = TinyModelStore.create(dir.resolve("provider"), MODEL, 7, 2048, toolsTemplate());
        TinyModelStore.create(dir.resolve("provider"), THINKER, 7, 2048, template("thinking.jinja"));
        providerEngine = new LocalBackend(providerStore, LocalBackend.Settings.defaults());
        ProviderTerms terms = new ProviderTerms(deployment.chainId(), token, providerAddress,
                Address.parse(deployment.address("PaymentChannels")), PRICES, 60);
        provider = ProviderService.start(providerEngine, terms, asProvider.channels(), new ReceiptSigner(receiptDomain,
                providerAddress, data -> dev.hypha.core.crypto.Eip712.sign(data, providerKey)),
                dir.resolve("provider.sqlite"), "127.0.0.1", 0, null, Clock.systemUTC());
        List<Offer> offers = providerEngine.models().stream().map(m -> new Offer(providerAddress, provider.endpoint(),
                providerAddress, m.name(), Hex.encode(ContentId.parse(m.digest()).multihash().digest()), token,
                PRICES.inputPerMillion(), PRICES.outputPerMillion(), 512, 1, Instant.now().plusSeconds(3600))).toList();

        ledger = PayerLedger.open(dir.resolve("payer.sqlite"), asPayer.channels().voucherDomain());
        receipts = PayerReceipts.open(dir.resolve("receipts.sqlite"));
        network = new NetworkBackend(() -> offers, new Router(RoutingPolicy.anyProvider(), Set.of(token),
                new ProviderStats()), new NetworkBackend.Payer(ledger, receipts,
                data -> dev.hypha.core.crypto.Eip712.sign(data, payerKey), new PayerChannels(asPayer.channels(), ledger,
                Address.parse(payerKey.getAddress()), Budget.defaults()), Address.parse(deployment.address("PaymentChannels")),
                receiptDomain), o -> ProviderHttp.plain(), Clock.systemUTC(),
                java.util.Optional.of(new dev.hypha.node.apps.ChainAppCharges(asPayer.apps())));
        paidGateway = new ApiServer("127.0.0.1", 0, List.of(new GatewayRoutes(network)));
        paidGateway.start();

        // The same model (same seed) in a local-only gateway: the reference each paid answer must equal.
        ModelStore localStore = TinyModelStore.create(dir.resolve("local"), MODEL, 7, 2048, toolsTemplate());
        TinyModelStore.create(dir.resolve("local"), THINKER, 7, 2048, template("thinking.jinja"));
        localEngine = new LocalBackend(localStore, LocalBackend.Settings.defaults());
        localGateway = new ApiServer("127.0.0.1", 0, List.of(new GatewayRoutes(localEngine)));
        localGateway.start();
        paid = client(paidGateway);
        local = client(localGateway);
    }

    private static String toolsTemplate() {
        return template("qwen25-tools.jinja");
    }

    private static String template(String name) {
        try (var in = PaidGatewaySdkTest.class.getResourceAsStream("/dev/hypha/node/gateway/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static OpenAIClient client(ApiServer server) {
        return OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1").apiKey("unused")
                .maxRetries(0).build();
    }

    @AfterAll
    void stop() {
        paid.close();
        local.close();
        paidGateway.close();
        localGateway.close();
        network.close();
        receipts.close();
        ledger.close();
        provider.close();
        providerEngine.close();
        localEngine.close();
        chain.close();
        devnet.close();
    }

    /** POSTs {@code body} to the paid gateway with the {@code X-Hypha-App} header (none when null). */
    private java.net.http.HttpResponse<String> postTagged(String path, String body, String app) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + paidGateway.port() + path))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (app != null) {
            request.header("X-Hypha-App", app);
        }
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void anAppTaggedRequestOverHttpPaysTheAppAndAMalformedTagIsRefused() throws Exception {
        Credentials creatorKey = devnet.account(2);
        HyphaContracts asCreator = HyphaContracts.connect(deployment, new TransactionSender(chain, creatorKey,
                new NonceManager(chain), RevertDecoder.forHyphaContracts()));
        long app = asCreator.apps().publish(new byte[32], BigInteger.valueOf(10_000), 10_000); // 0.01 hUSD, all to the creator
        BigInteger before = asPayer.payment().balanceOf(creatorKey.getAddress());
        String body = "{\"model\":\"tiny\",\"prompt\":\"Hi\",\"stream\":false,\"options\":{\"temperature\":0,"
                + "\"num_predict\":4}}";

        var tagged = postTagged("/api/generate", body, Long.toString(app));
        assertThat(tagged.statusCode()).as(tagged.body()).isEqualTo(200);
        // the creator's share: 100 % of what is left after the 10 % fee
        assertThat(asPayer.payment().balanceOf(creatorKey.getAddress()).subtract(before)).isEqualTo(BigInteger.valueOf(9_000));

        var malformed = postTagged("/api/generate", body, "seven");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("X-Hypha-App must be an app id");
        var unknown = postTagged("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"Hi\",\"max_tokens\":4}", "424242");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("424242 is not a published app");
        var untagged = postTagged("/api/generate", body, null); // served on the same pool: no tag left behind
        assertThat(untagged.statusCode()).isEqualTo(200);
        assertThat(asPayer.apps().payments(app, 0)).hasSize(1);
    }

    private static ChatCompletionCreateParams.Builder greedyChat() {
        return ChatCompletionCreateParams.builder().model("tiny").addSystemMessage("Be brief.")
                .addUserMessage("What is a fortune?").temperature(0.0).maxCompletionTokens(16);
    }

    @Test
    void aThinkingModelsReasoningIsBoughtAndCoveredByTheReceipt() {
        int before = receipts.all().size();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("thinker").addUserMessage("Why?")
                .temperature(0.0).maxCompletionTokens(12).reasoningEffort(com.openai.models.ReasoningEffort.LOW).build();
        ChatCompletion p = paid.chat().completions().create(params);
        ChatCompletion l = local.chat().completions().create(params);
        com.openai.core.JsonValue reasoning = l.choices().getFirst().message()._additionalProperties().get("reasoning");
        assertThat(reasoning).isNotNull();
        assertThat(p.choices().getFirst().message()._additionalProperties().get("reasoning")).isEqualTo(reasoning);
        assertThat(receipts.all()).hasSize(before + 1); // the receipt's output hash covered the reasoning
    }

    @Test
    void chatCompletionsArePaidAndEqualTheLocalAnswer() {
        int before = receipts.all().size();
        ChatCompletion p = paid.chat().completions().create(greedyChat().build());
        ChatCompletion l = local.chat().completions().create(greedyChat().build());
        assertThat(p.choices().getFirst().message().content()).isEqualTo(l.choices().getFirst().message().content());
        assertThat(p.usage().orElseThrow().completionTokens()).isEqualTo(l.usage().orElseThrow().completionTokens());
        assertThat(receipts.all()).hasSize(before + 1);
        assertThat(receipts.all().getLast().receipt().tokensOut()).isEqualTo(p.usage().orElseThrow().completionTokens());
    }

    @Test
    void streamedChatIsPaidAndCarriesUsageInItsLastChunk() {
        int before = receipts.all().size();
        StringBuilder text = new StringBuilder();
        long[] usage = {-1};
        try (StreamResponse<ChatCompletionChunk> s = paid.chat().completions().createStreaming(greedyChat()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(c -> {
                c.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
                c.usage().ifPresent(u -> usage[0] = u.completionTokens());
            });
        }
        ChatCompletion l = local.chat().completions().create(greedyChat().build());
        assertThat(text.toString()).isEqualTo(l.choices().getFirst().message().content().orElseThrow());
        assertThat(usage[0]).isPositive();
        assertThat(receipts.all()).hasSize(before + 1);
    }

    @Test
    void completionsAndModelsWork() {
        CompletionCreateParams params = CompletionCreateParams.builder().model("tiny").prompt("Once upon a time")
                .maxTokens(8).temperature(0.0).build();
        assertThat(paid.completions().create(params).choices().getFirst().text())
                .isEqualTo(local.completions().create(params).choices().getFirst().text());
        assertThat(paid.models().list().data()).extracting(Model::id).containsExactlyInAnyOrder(MODEL, THINKER);
    }

    @Test
    void aJsonSchemaReachesTheProvider() throws Exception {
        String body = "{\"model\":\"tiny\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"A person?\"}],"
                + "\"format\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
                + "\"age\":{\"type\":\"integer\"}},\"required\":[\"name\",\"age\"]},"
                + "\"options\":{\"temperature\":0,\"num_predict\":40}}";
        var http = java.net.http.HttpClient.newHttpClient();
        var paidAnswer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                + paidGateway.port() + "/api/chat")).POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        var localAnswer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                + localGateway.port() + "/api/chat")).POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(paidAnswer.statusCode()).as(paidAnswer.body()).isEqualTo(200);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        String paidText = json.readTree(paidAnswer.body()).at("/message/content").asText();
        // The provider held generation to the same schema the local engine did: the same greedy object.
        assertThat(paidText).isEqualTo(json.readTree(localAnswer.body()).at("/message/content").asText());
        if (json.readTree(paidAnswer.body()).path("done_reason").asText().equals("stop")) {
            assertThat(json.readTree(paidText).has("name")).isTrue();
        }

    }

    @Test
    void ollamasContextGoesToTheProviderAndComesBackAsTheLocalEngineGivesIt() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.function.BiFunction<Integer, String, com.fasterxml.jackson.databind.JsonNode> generate = (port, body) -> {
            try {
                var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                        + "/api/generate")).POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                return json.readTree(r.body());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        String first = "{\"model\":\"tiny\",\"stream\":false,\"prompt\":\"Tell me a fortune\","
                + "\"options\":{\"temperature\":0,\"num_predict\":10}}";
        var paid = generate.apply(paidGateway.port(), first);
        var local = generate.apply(localGateway.port(), first);
        assertThat(paid.get("context")).isEqualTo(local.get("context")).isNotEmpty();
        int before = receipts.all().size();
        String second = "{\"model\":\"tiny\",\"stream\":false,\"prompt\":\"Another\",\"context\":" + paid.get("context")
                + ",\"options\":{\"temperature\":0,\"num_predict\":10}}";
        var paidNext = generate.apply(paidGateway.port(), second);
        var localNext = generate.apply(localGateway.port(), second);
        assertThat(paidNext.get("response")).isEqualTo(localNext.get("response"));
        assertThat(paidNext.get("context")).isEqualTo(localNext.get("context"));
        // paid for: the context's tokens are input tokens of the receipt
        assertThat(receipts.all()).hasSize(before + 1);
        assertThat(receipts.all().getLast().receipt().tokensIn())
                .isEqualTo(localNext.get("prompt_eval_count").asLong())
                .isGreaterThan(paid.get("context").size());
    }

    @Test
    void embeddingsAreBoughtPerInputTokenAndEqualTheLocalOnes() {
        int before = receipts.all().size();
        EmbeddingCreateParams params = EmbeddingCreateParams.builder().model("tiny")
                .inputOfArrayOfStrings(List.of("fortune favours the bold", "a second, longer input to embed")).build();
        CreateEmbeddingResponse p = paid.embeddings().create(params);
        CreateEmbeddingResponse l = local.embeddings().create(params);
        assertThat(p.data()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(p.data().get(i).embedding()).isEqualTo(l.data().get(i).embedding());
        }
        assertThat(p.usage().promptTokens()).isEqualTo(l.usage().promptTokens());
        assertThat(receipts.all()).hasSize(before + 1);
        var receipt = receipts.all().getLast().receipt();
        assertThat(receipt.tokensIn()).isEqualTo(p.usage().promptTokens());
        assertThat(receipt.tokensOut()).isZero();
        assertThat(receipt.price()).isEqualTo(PRICES.cost(p.usage().promptTokens(), 0));
    }

    @Test
    void langChain4jsOllamaClientEmbedsThroughThePayingGateway() {
        int before = receipts.all().size();
        String base = "http://127.0.0.1:";
        float[] paidVector = OllamaEmbeddingModel.builder().baseUrl(base + paidGateway.port()).modelName("tiny")
                .maxRetries(0).build().embed("fortune favours the bold").content().vector();
        float[] localVector = OllamaEmbeddingModel.builder().baseUrl(base + localGateway.port()).modelName("tiny")
                .maxRetries(0).build().embed("fortune favours the bold").content().vector();
        assertThat(paidVector).containsExactly(localVector);
        assertThat(receipts.all()).hasSize(before + 1);
    }

    @Test
    void logprobsComeBackFromTheProviderAsTheLocalEngineGivesThem() {
        ChatCompletionCreateParams params = greedyChat().logprobs(true).topLogprobs(3).build();
        List<ChatCompletionTokenLogprob> p = paid.chat().completions().create(params).choices().getFirst().logprobs()
                .orElseThrow().content().orElseThrow();
        List<ChatCompletionTokenLogprob> l = local.chat().completions().create(params).choices().getFirst().logprobs()
                .orElseThrow().content().orElseThrow();
        assertThat(p).hasSameSizeAs(l).isNotEmpty();
        for (int i = 0; i < p.size(); i++) {
            assertThat(p.get(i).token()).isEqualTo(l.get(i).token());
            assertThat(p.get(i).logprob()).isEqualTo(l.get(i).logprob());
            assertThat(p.get(i).topLogprobs()).hasSize(3);
            assertThat(p.get(i).topLogprobs()).extracting(ChatCompletionTokenLogprob.TopLogprob::token)
                    .isEqualTo(l.get(i).topLogprobs().stream().map(ChatCompletionTokenLogprob.TopLogprob::token).toList());
        }
    }

    /** The SDK derives the function's schema from this record (name "GetWeather"). */
    public record GetWeather(String city, boolean celsius) {}

    @Test
    void aRequiredToolIsCalledByTheProviderAsLocally() {
        int before = receipts.all().size();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("tiny")
                .addUserMessage("Weather in Oslo?").seed(1).maxCompletionTokens(200).addTool(GetWeather.class)
                .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build();
        var p = paid.chat().completions().create(params).choices().getFirst();
        var l = local.chat().completions().create(params).choices().getFirst();
        assertThat(p.finishReason().asString()).isEqualTo("tool_calls");
        var call = p.message().toolCalls().orElseThrow().getFirst().asFunction();
        assertThat(call.function().name()).isEqualTo("GetWeather");
        assertThat(call.function().arguments(GetWeather.class).city()).isNotNull();
        assertThat(call.function().arguments()).isEqualTo(l.message().toolCalls().orElseThrow().getFirst().asFunction()
                .function().arguments());
        assertThat(receipts.all()).hasSize(before + 1);
    }
}

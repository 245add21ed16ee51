package dev.hypha.node.gateway.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.hypha.node.gateway.remote.ProviderHttp;
import dev.hypha.chain.channels.Receipt;
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
import dev.hypha.ml.sampling.SamplingOptions;
import dev.hypha.node.gateway.GatewayException;
import dev.hypha.node.gateway.GenerateCall;
import dev.hypha.node.gateway.KeepAlive;
import dev.hypha.node.gateway.Prompt;
import dev.hypha.node.gateway.TextSink;
import dev.hypha.node.gateway.local.LocalBackend;
import dev.hypha.node.gateway.remote.ProviderFault;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.payments.PayerLedger;
import dev.hypha.node.payments.PayerReceipts;
import dev.hypha.node.payments.PaymentHeaders;
import dev.hypha.node.payments.ReceiptHeaders;
import dev.hypha.node.provider.Prices;
import dev.hypha.node.provider.ProviderService;
import dev.hypha.node.provider.ProviderTerms;
import dev.hypha.node.provider.ReceiptSigner;
import dev.hypha.node.testing.TinyModelStore;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * Reputation end to end: a gateway ({@link NetworkBackend} over {@link ProviderStats} kept in real files) buying from
 * two real providers on anvil, the cheaper of which overcharges: a proxy in front of it raises each receipt's price
 * above its offer's and re-signs it with the provider's real key. The gateway refuses that answer, records the
 * cheating, and from then on routes to the honest provider, also after a restart; a month later the cheat gets another
 * chance (and is caught again).
 */
class ReputationNetworkTest {
    private static final String MODEL = "tiny:latest";
    private static final Prices CHEAP = new Prices(BigInteger.valueOf(1_000_000), BigInteger.valueOf(2_000_000));
    private static final Prices DEAR = new Prices(BigInteger.valueOf(3_000_000), BigInteger.valueOf(4_000_000));
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void deploy() {
        devnet = new AnvilLauncher().start();
        chain = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(chain);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
    }

    @AfterAll
    static void stop() {
        chain.close();
        devnet.close();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    @Test
    void aProviderCaughtOverchargingIsRoutedToLastAcrossARestartUntilItsCheatingDecays() {
        Offer honest = provider(2, DEAR).offer();
        Provider cheat = provider(1, CHEAP);
        HttpServer proxy = overcharging(cheat.service().endpoint());
        Offer cheatOffer = at(cheat.offer(), URI.create("http://127.0.0.1:" + proxy.getAddress().getPort()));
        List<Offer> offers = List.of(cheatOffer, honest);
        Credentials payerKey = devnet.account(4);
        contracts(devnet.account(0)).payment().mint(payerKey.getAddress(), BigInteger.valueOf(1_000_000_000));
        Instant t0 = Instant.now();

        try (Gateway first = gateway(payerKey, offers, t0)) {
            // The cheap offer is tried first; its answer streams, but the receipt is refused and nothing is stored.
            StringBuilder seen = new StringBuilder();
            assertThatThrownBy(() -> first.backend().generate(chat("Hello there"), seen::append))
                    .isInstanceOf(GatewayException.class).hasMessageContaining("its offer's prices make");
            assertThat(seen).isNotEmpty();
            assertThat(first.receipts().all()).isEmpty();
            assertThat(first.stats().standing(cheat.address(), t0).caughtCheating()).isTrue();
            first.backend().generate(chat("Hello again"), TextSink.DISCARD);
            assertThat(first.receipts().all()).singleElement()
                    .satisfies(s -> assertThat(s.provider()).isEqualTo(honest.provider()));
        }
        try (Gateway restarted = gateway(payerKey, offers, t0.plusSeconds(3600))) {
            restarted.backend().generate(chat("After a restart"), TextSink.DISCARD);
            assertThat(restarted.receipts().all()).hasSize(2)
                    .allSatisfy(s -> assertThat(s.provider()).isEqualTo(honest.provider()));
            assertThat(restarted.log().since(Instant.EPOCH)).singleElement().satisfies(f -> {
                assertThat(f.provider()).isEqualTo(cheat.address());
                assertThat(f.fault()).isEqualTo(ProviderFault.OVERCHARGED);
            });
        }
        try (Gateway monthLater = gateway(payerKey, offers, t0.plus(Duration.ofDays(30)))) {
            // Cheating decayed below the threshold: the cheaper offer is tried again, and caught again.
            assertThatThrownBy(() -> monthLater.backend().generate(chat("One more chance"), TextSink.DISCARD))
                    .isInstanceOf(GatewayException.class).hasMessageContaining("its offer's prices make");
            assertThat(monthLater.log().since(Instant.EPOCH)).hasSize(2);
        } finally {
            proxy.stop(0);
        }
    }

    // --- fixtures ---

    private record Provider(Address address, ProviderService service, Offer offer) {}

    /** A gateway as PayingGateway opens one, on its own clock: its files are the same across instances. */
    private record Gateway(NetworkBackend backend, ProviderStats stats, ReputationLog log, PayerReceipts receipts,
                           PayerLedger ledger) implements AutoCloseable {
        @Override
        public void close() {
            backend.close();
            log.close();
            receipts.close();
            ledger.close();
        }
    }

    private Gateway gateway(Credentials key, List<Offer> offers, Instant now) {
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        PayerLedger ledger = PayerLedger.open(dir.resolve("payer.sqlite"), contracts(key).channels().voucherDomain());
        PayerReceipts receipts = PayerReceipts.open(dir.resolve("receipts.sqlite"));
        ReputationLog log = ReputationLog.open(dir.resolve("reputation.sqlite"));
        ProviderStats stats = ProviderStats.open(log, receipts, now);
        NetworkBackend backend = new NetworkBackend(() -> offers, new Router(RoutingPolicy.anyProvider(),
                Set.of(Address.parse(deployment.address("PaymentToken"))), stats),
                new NetworkBackend.Payer(ledger, receipts, sender(key)::signTypedData, new PayerChannels(
                        contracts(key).channels(), ledger, Address.parse(key.getAddress()), Budget.defaults()),
                        Address.parse(deployment.address("PaymentChannels")), receiptDomain()),
                o -> ProviderHttp.plain(), clock);
        return new Gateway(backend, stats, log, receipts, ledger);
    }

    /** A provider on plain loopback HTTP over the real engine; its offer is live for a year. */
    private Provider provider(int account, Prices prices) {
        Credentials key = devnet.account(account);
        Address address = Address.parse(key.getAddress());
        Path home = dir.resolve("provider-" + account);
        LocalBackend local = new LocalBackend(TinyModelStore.create(home, MODEL, 7, 512), LocalBackend.Settings.defaults());
        open.add(local);
        ProviderTerms terms = new ProviderTerms(deployment.chainId(), Address.parse(deployment.address("PaymentToken")),
                address, Address.parse(deployment.address("PaymentChannels")), prices, 60);
        ProviderService service = ProviderService.start(local, terms, contracts(key).channels(),
                new ReceiptSigner(receiptDomain(), address, sender(key)::signTypedData), home.resolve("ledger.sqlite"),
                "127.0.0.1", 0, null, Clock.systemUTC());
        open.add(service);
        Offer offer = new Offer(address, service.endpoint(), address, MODEL,
                Hex.encode(ContentId.parse(local.models().getFirst().digest()).multihash().digest()), terms.token(),
                prices.inputPerMillion(), prices.outputPerMillion(), 512, 1, Instant.now().plus(Duration.ofDays(365)));
        return new Provider(address, service, offer);
    }

    /**
     * Forwards to {@code provider} and replays its streamed answer with the receipt's price one unit higher, re-signed
     * with the provider's real key: within the maximum paid for, but above what the offer's prices make.
     */
    private HttpServer overcharging(URI provider) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            HttpClient http = HttpClient.newHttpClient();
            Credentials key = devnet.account(1);
            s.createContext("/", ex -> {
                try (ex) {
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(provider + ex.getRequestURI().getPath()))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(ex.getRequestBody().readAllBytes()));
                    String pay = ex.getRequestHeaders().getFirst(PaymentHeaders.PAYMENT_SIGNATURE);
                    if (pay != null) {
                        b.header(PaymentHeaders.PAYMENT_SIGNATURE, pay);
                    }
                    HttpResponse<byte[]> real = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                    real.headers().firstValue(PaymentHeaders.PAYMENT_REQUIRED)
                            .ifPresent(v -> ex.getResponseHeaders().add(PaymentHeaders.PAYMENT_REQUIRED, v));
                    StringBuilder replayed = new StringBuilder();
                    for (String line : new String(real.body(), StandardCharsets.UTF_8).split("\n")) {
                        if (line.contains(ReceiptHeaders.STREAM_FIELD)) {
                            ObjectNode o = (ObjectNode) JSON.readTree(line);
                            ReceiptHeaders.SignedReceipt r = ReceiptHeaders.parse(o.get(ReceiptHeaders.STREAM_FIELD).asText());
                            Receipt dearer = new Receipt(r.receipt().requestHash(), r.receipt().modelId(),
                                    r.receipt().tokensIn(), r.receipt().tokensOut(), r.receipt().outputHash(),
                                    r.receipt().price().add(BigInteger.ONE), r.receipt().channelId(),
                                    r.receipt().cumulativeAmount());
                            o.put(ReceiptHeaders.STREAM_FIELD, ReceiptHeaders.encode(deployment.chainId(),
                                    new ReceiptHeaders.SignedReceipt(dearer, r.signer(),
                                            receiptDomain().sign(dearer, sender(key)::signTypedData))));
                            line = JSON.writeValueAsString(o);
                        }
                        replayed.append(line).append('\n');
                    }
                    byte[] bytes = real.statusCode() == 200 ? replayed.toString().getBytes(StandardCharsets.UTF_8)
                            : real.body();
                    ex.sendResponseHeaders(real.statusCode(), bytes.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(bytes);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            s.start();
            return s;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Offer at(Offer o, URI endpoint) {
        return new Offer(o.provider(), endpoint, o.signingKey(), o.model(), o.modelId(), o.token(), o.inputPerMillion(),
                o.outputPerMillion(), o.contextLength(), o.concurrency(), o.liveUntil());
    }

    private static GenerateCall chat(String text) {
        return new GenerateCall(MODEL, new Prompt.Chat(List.of(new Prompt.Message("user", text))),
                SamplingOptions.defaults().withTemperature(0), 6, List.of(), OptionalInt.empty(), KeepAlive.DEFAULT,
                GenerateCall.Format.TEXT);
    }

    private static ReceiptDomain receiptDomain() {
        return new ReceiptDomain(deployment.chainId(), Address.parse(deployment.address("ProviderRegistry")));
    }

    private static TransactionSender sender(Credentials key) {
        return new TransactionSender(chain, key, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts contracts(Credentials key) {
        return HyphaContracts.connect(deployment, sender(key));
    }
}

package dev.hypha.node.offers;

import static dev.hypha.chain.deploy.Deployer.hyp;
import static dev.hypha.chain.deploy.StakingClient.PROVIDER_ROLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.OfferRegistryClient.OfferTerms;
import dev.hypha.chain.deploy.PaymentTokenClient;
import dev.hypha.chain.deploy.ProviderRegistryClient.ProviderRegistration;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * Offers from a provider's publisher to a gateway's {@link ChainOffers} through the real OfferRegistry and
 * ProviderRegistry on anvil (maxAge 60 s on the local chain): publish and list with the registered endpoint and key,
 * heartbeats keep offers live, silence lets them expire (anvil time travel), close withdraws, inactive providers and
 * hostile registrations are skipped, a publisher recovers from a failed heartbeat by itself.
 */
class ChainOffersTest {
    private static final String MODEL_A = "0x" + "a1".repeat(32);
    private static final String MODEL_B = "0x" + "b2".repeat(32);
    /** Long enough that scheduled heartbeats stay out of the way: the tests call beat() themselves. */
    private static final Duration INTERVAL = Duration.ofSeconds(30);

    private static Devnet devnet;
    private static ChainClient chain;
    private static NonceManager nonces;
    private static Deployment deployment;
    private static ScheduledExecutorService scheduler;
    private static int nextAccount = 1;

    @BeforeAll
    static void deploy() {
        devnet = new AnvilLauncher().accounts(20).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(chain);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().factory());
    }

    @AfterAll
    static void stop() {
        scheduler.shutdownNow();
        chain.close();
        devnet.close();
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(chain, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    /** A fresh account, staked and registered as an active provider at {@code endpoint}. */
    private static synchronized Credentials provider(String endpoint) {
        Credentials who = devnet.account(nextAccount++);
        as(devnet.account(0)).hyp().transfer(who.getAddress(), hyp(2_000));
        HyphaContracts c = as(who);
        c.staking().stake(PROVIDER_ROLE, new BigInteger(deployment.minProviderStake()));
        c.registry().register(new ProviderRegistration(endpoint, who.getAddress(), List.of("inference"), ""));
        return who;
    }

    private static OfferTerms terms(String modelId, String name, long inputPrice) {
        return new OfferTerms(modelId, deployment.address(PaymentTokenClient.NAME), name, BigInteger.valueOf(inputPrice),
                BigInteger.valueOf(2 * inputPrice), 2048, 4);
    }

    private static OfferPublisher publisher(Credentials who, List<OfferTerms> offers) {
        return OfferPublisher.start(as(who).offers(), offers, scheduler, INTERVAL);
    }

    private static ChainOffers gateway() {
        HyphaContracts reader = HyphaContracts.readOnly(deployment, chain);
        return new ChainOffers(reader.offers(), reader.registry());
    }

    private static List<Offer> offersOf(Credentials who) {
        Address a = Address.parse(who.getAddress());
        return gateway().offers().stream().filter(o -> o.provider().equals(a)).toList();
    }

    /** Moves anvil's clock forward and mines a block, returning the new chain time. */
    private static Instant travel(long seconds) {
        chain.request("evm_increaseTime", seconds);
        chain.request("evm_mine");
        return Instant.ofEpochSecond(chain.latestBlock().getTimestamp().longValueExact());
    }

    @Test
    void publishedOffersAreListedWithTheRegisteredEndpointAndKey() {
        Credentials alice = provider("https://alice.example:8443");
        try (OfferPublisher ignored = publisher(alice, List.of(terms(MODEL_A, "tiny:latest", 100),
                terms(MODEL_B, "small:q8", 7)))) {
            List<Offer> listed = offersOf(alice);
            assertThat(listed).extracting(Offer::model).containsExactlyInAnyOrder("tiny:latest", "small:q8");
            Offer tiny = listed.stream().filter(o -> o.modelId().equals(MODEL_A)).findFirst().orElseThrow();
            assertThat(tiny.endpoint()).isEqualTo(URI.create("https://alice.example:8443"));
            assertThat(tiny.signingKey()).isEqualTo(Address.parse(alice.getAddress()));
            assertThat(tiny.token()).isEqualTo(Address.parse(deployment.address(PaymentTokenClient.NAME)));
            assertThat(tiny.inputPerMillion()).isEqualTo(BigInteger.valueOf(100));
            assertThat(tiny.outputPerMillion()).isEqualTo(BigInteger.valueOf(200));
            assertThat(tiny.contextLength()).isEqualTo(2048);
            assertThat(tiny.concurrency()).isEqualTo(4);
            Instant now = Instant.ofEpochSecond(chain.latestBlock().getTimestamp().longValueExact());
            assertThat(tiny.liveAt(now)).isTrue();
        }
        assertThat(offersOf(alice)).as("withdrawn on close").isEmpty();
    }

    @Test
    void heartbeatsKeepOffersLiveAndSilenceLetsThemExpire() {
        Credentials bob = provider("http://127.0.0.1:9001");
        try (OfferPublisher publisher = publisher(bob, List.of(terms(MODEL_A, "tiny:latest", 1)))) {
            Instant firstUntil = offersOf(bob).getFirst().liveUntil();
            Instant now = travel(45);
            assertThat(publisher.beat()).isEqualTo(INTERVAL);
            Offer refreshed = offersOf(bob).getFirst();
            assertThat(refreshed.liveUntil()).isAfterOrEqualTo(now.plusSeconds(60));
            assertThat(refreshed.liveAt(travel(45))).as("45 s after the heartbeat, 90 s after publishing").isTrue();
            assertThat(firstUntil).isBefore(refreshed.liveUntil());

            Instant later = travel(61);
            Offer expired = offersOf(bob).getFirst();
            assertThat(expired.liveAt(later)).as("no heartbeat for over maxAge").isFalse();
            assertThat(as(bob).offers().binding().isLive(org.web3j.utils.Numeric.hexStringToByteArray(
                    as(bob).offers().offersOf(bob.getAddress()).getFirst().id())).send()).isFalse();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theSchedulerSendsHeartbeatsByItself() throws InterruptedException {
        Credentials heidi = provider("http://127.0.0.1:9007");
        try (OfferPublisher ignored = OfferPublisher.start(as(heidi).offers(), List.of(terms(MODEL_A, "tiny:latest", 1)),
                scheduler, Duration.ofMillis(200))) {
            long published = as(heidi).offers().lastHeartbeat(heidi.getAddress());
            // Anvil mines each transaction in a block later than the one before: a scheduled heartbeat moves it on.
            while (as(heidi).offers().lastHeartbeat(heidi.getAddress()) == published) {
                Thread.sleep(50);
            }
        }
    }

    @Test
    void aPrunedProviderRepublishesAfterItsFailedHeartbeat() {
        Credentials carol = provider("http://127.0.0.1:9002");
        try (OfferPublisher publisher = publisher(carol, List.of(terms(MODEL_A, "tiny:latest", 3)))) {
            travel(61);
            // Someone else cleans up the expired offer while carol is cut off.
            String id = as(carol).offers().offersOf(carol.getAddress()).getFirst().id();
            as(devnet.account(0)).offers().prune(id);
            assertThat(offersOf(carol)).isEmpty();

            Duration retry = publisher.beat(); // heartbeat reverts: NoOffers
            assertThat(retry).isEqualTo(Duration.ofSeconds(1));
            assertThat(publisher.beat()).isEqualTo(INTERVAL); // compares with the chain and republishes
            Instant now = Instant.ofEpochSecond(chain.latestBlock().getTimestamp().longValueExact());
            assertThat(offersOf(carol)).singleElement().satisfies(o -> assertThat(o.liveAt(now)).isTrue());
        }
    }

    @Test
    void aRestartedProviderWithdrawsWhatItNoLongerOffersAndUpdatesPrices() {
        Credentials dave = provider("http://127.0.0.1:9003");
        // First run: two offers, never closed (kill -9).
        publisher(dave, List.of(terms(MODEL_A, "tiny:latest", 1), terms(MODEL_B, "small:q8", 1)));
        try (OfferPublisher ignored = publisher(dave, List.of(terms(MODEL_A, "tiny:latest", 5)))) {
            assertThat(offersOf(dave)).singleElement().satisfies(o -> {
                assertThat(o.modelId()).isEqualTo(MODEL_A);
                assertThat(o.inputPerMillion()).isEqualTo(BigInteger.valueOf(5));
            });
        }
    }

    @Test
    void aRunningProviderOffersWhatItsStoreGainsAndWithdrawsWhatItLoses() {
        Credentials erin = provider("http://127.0.0.1:9005");
        try (OfferPublisher p = publisher(erin, List.of(terms(MODEL_A, "tiny:latest", 1)))) {
            p.offer(List.of(terms(MODEL_A, "tiny:latest", 1), terms(MODEL_B, "small:q8", 3)));
            assertThat(offersOf(erin)).extracting(Offer::model).containsExactlyInAnyOrder("tiny:latest", "small:q8");
            p.offer(List.of(terms(MODEL_B, "small:q8", 3)));
            assertThat(offersOf(erin)).extracting(Offer::model).containsExactly("small:q8");
        }
        assertThat(offersOf(erin)).isEmpty();
    }

    @Test
    void offersOfInactiveProvidersAreSkipped() {
        Credentials erin = provider("http://127.0.0.1:9004");
        try (OfferPublisher ignored = publisher(erin, List.of(terms(MODEL_A, "tiny:latest", 1)))) {
            assertThat(offersOf(erin)).hasSize(1);
            as(erin).registry().deactivate();
            assertThat(offersOf(erin)).isEmpty();
            assertThat(as(erin).offers().offersOf(erin.getAddress())).as("still on chain, only skipped").hasSize(1);
            as(erin).registry().reactivate();
            assertThat(offersOf(erin)).hasSize(1);
        }
    }

    @Test
    void offersBehindAHostileEndpointAreSkippedAndTheRestListed() {
        Credentials mallory = provider("file:///etc/passwd");
        Credentials frank = provider("http://127.0.0.1:9005");
        try (OfferPublisher m = publisher(mallory, List.of(terms(MODEL_A, "tiny:latest", 1)));
             OfferPublisher f = publisher(frank, List.of(terms(MODEL_A, "tiny:latest", 1)))) {
            assertThat(as(mallory).offers().offersOf(mallory.getAddress())).hasSize(1);
            assertThat(offersOf(mallory)).isEmpty();
            assertThat(offersOf(frank)).hasSize(1);
        }
    }

    @Test
    void publishingNeedsAnActiveProviderAndSaneSettings() {
        Credentials stranger = devnet.account(19);
        assertThatThrownBy(() -> publisher(stranger, List.of(terms(MODEL_A, "tiny:latest", 1))))
                .isInstanceOf(ChainException.class).hasMessageContaining("ProviderNotActive");
        Credentials grace = provider("http://127.0.0.1:9006");
        assertThatThrownBy(() -> OfferPublisher.start(as(grace).offers(), List.of(), scheduler, Duration.ofSeconds(31)))
                .hasMessageContaining("at most half the registry's maxAge of 60 s");
        assertThatThrownBy(() -> publisher(grace, List.of(terms(MODEL_A, "a", 1), terms(MODEL_A, "b", 2))))
                .hasMessageContaining("two offers for model");
        assertThat(OfferPublisher.intervalFor(600)).isEqualTo(Duration.ofSeconds(200));
    }

    @Test
    void endpointsMustBeHttpOrHttpsWithAHost() {
        assertThat(ChainOffers.endpoint("https://p.example:8443/base")).isEqualTo(URI.create("https://p.example:8443/base"));
        for (String bad : List.of("", "ftp://p.example", "javascript:alert(1)", "http://user:pw@p.example",
                "http:///nohost", "http://p.example/\u001b[2J", "p.example:80", "https://p.example/?q=1",
                "http://" + "a".repeat(300) + ".example")) {
            assertThatThrownBy(() -> ChainOffers.endpoint(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("endpoint");
        }
    }
}

package dev.hypha.chain.indexer;

import static dev.hypha.chain.deploy.Deployer.hyp;
import static dev.hypha.chain.deploy.StakingClient.PROVIDER_ROLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.chain.abi.HyphaAbis;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.testing.RangeCappedRpcProxy;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.errors.ErrorCategory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/** The indexer against a real anvil: decoding, reorganisations, restarts. */
class EventIndexerTest {
    private static Devnet devnet;
    private static ChainClient client;
    private static NonceManager nonces;
    private static Deployment deployment;

    @TempDir
    Path tmp;

    @BeforeAll
    static void deploy() {
        devnet = new AnvilLauncher().start();
        client = ChainClient.connect(devnet.rpcUrl());
        nonces = new NonceManager(client);
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        HyphaContracts admin = as(devnet.account(0));
        for (int i = 1; i <= 6; i++) {
            admin.hyp().transfer(devnet.account(i).getAddress(), hyp(10_000));
        }
    }

    @AfterAll
    static void stop() {
        client.close();
        devnet.close();
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(client, who, nonces, RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    private static List<IndexedEvent> of(List<IndexedEvent> events, String name, String account) {
        return events.stream().filter(e -> e.name().equals(name))
                .filter(e -> e.args().values().stream().anyMatch(v -> v.equals(account))).toList();
    }

    private EventIndexer indexer(String file, EventListener listener, EventIndexer.Options options) {
        return EventIndexer.forDeployment(client, tmp.resolve(file), deployment, options, listener);
    }

    @Test
    void storesStakedAndProviderRegisteredWithTheirArguments() {
        Credentials provider = devnet.account(1);
        String me = provider.getAddress();
        HyphaContracts c = as(provider);
        c.staking().stake(PROVIDER_ROLE, hyp(1_000));
        c.registry().register(new ProviderRegistryClient.ProviderRegistration("https://p1.example", devnet.account(8).getAddress(),
                List.of("inference"), "bafy-meta"), c.registry().signingKeyProof(devnet.account(8)));

        List<IndexedEvent> seen = new CopyOnWriteArrayList<>();
        try (EventIndexer indexer = indexer("a.sqlite", seen::add, EventIndexer.Options.DEFAULT)) {
            EventIndexer.PollResult r = indexer.poll();
            assertThat(r.added()).isPositive();
            assertThat(r.position().orElseThrow().blockNumber()).isEqualTo(client.blockNumber());

            IndexedEvent staked = of(indexer.events("Staking", "Staked"), "Staked", me).getFirst();
            assertThat(staked.args()).containsEntry("account", me)
                    .containsEntry("role", Numeric.toHexString(PROVIDER_ROLE))
                    .containsEntry("amount", hyp(1_000).toString());
            assertThat(staked.address()).isEqualTo(deployment.address("Staking"));

            IndexedEvent registered = of(indexer.events("ProviderRegistry", "ProviderRegistered"), "ProviderRegistered", me)
                    .getFirst();
            assertThat(registered.arg("endpoint")).isEqualTo("https://p1.example");
            assertThat(registered.arg("signingKey")).isEqualTo(devnet.account(8).getAddress());
            assertThat(registered.args().get("services"))
                    .isEqualTo(List.of(Numeric.toHexString(ProviderRegistryClient.serviceId("inference"))));
            assertThat(registered.arg("metadataCid")).isEqualTo("bafy-meta");

            assertThat(seen).containsExactlyElementsOf(indexer.events());
            assertThat(indexer.poll().added()).isZero(); // nothing new, nothing twice
        }
    }

    @Test
    void aReorganisationRemovesRevertedEventsAndIndexesTheNewChain() {
        Credentials a = devnet.account(2);
        Credentials b = devnet.account(3);
        List<IndexedEvent> removed = new CopyOnWriteArrayList<>();
        EventListener listener = new EventListener() {
            @Override
            public void added(IndexedEvent e) {}

            @Override
            public void removed(IndexedEvent e) {
                removed.add(e);
            }
        };
        try (EventIndexer indexer = indexer("reorg.sqlite", listener, EventIndexer.Options.DEFAULT)) {
            indexer.poll();
            String snapshot = (String) client.request("evm_snapshot");
            long forkPoint = client.blockNumber();

            as(a).staking().stake(PROVIDER_ROLE, hyp(111));
            as(a).staking().stake(PROVIDER_ROLE, hyp(222));
            indexer.poll();
            assertThat(of(indexer.events(), "Staked", a.getAddress())).hasSize(2);
            long oldHead = client.blockNumber();

            assertThat(client.request("evm_revert", snapshot)).isEqualTo(true);
            nonces.resync(a.getAddress());
            nonces.resync(b.getAddress());
            // A different, longer chain from the fork point: b stakes instead, plus empty blocks.
            as(b).staking().stake(PROVIDER_ROLE, hyp(333));
            while (client.blockNumber() <= oldHead + 2) {
                client.request("evm_mine");
            }

            EventIndexer.PollResult r = indexer.poll();
            assertThat(of(indexer.events(), "Staked", a.getAddress())).isEmpty();
            assertThat(of(indexer.events(), "Staked", b.getAddress())).singleElement()
                    .satisfies(e -> assertThat(e.arg("amount")).isEqualTo(hyp(333).toString()));
            assertThat(r.removed()).isEqualTo(removed.size());
            assertThat(of(removed, "Staked", a.getAddress())).hasSize(2);
            assertThat(removed).allMatch(e -> e.blockNumber() > forkPoint);
            assertThat(indexer.position().orElseThrow().blockNumber()).isEqualTo(client.blockNumber());
            // Whatever survived matches the chain: a fresh index of the same chain agrees.
            try (EventIndexer fresh = indexer("reorg-fresh.sqlite", EventListener.NONE, EventIndexer.Options.DEFAULT)) {
                fresh.poll();
                assertThat(indexer.events()).isEqualTo(fresh.events());
            }
        }
    }

    @Test
    void aReorganisationDeeperThanTheKeptHashesReindexesFromTheStart() {
        Credentials a = devnet.account(5);
        // Keep hashes for one block only, so no kept hash survives the reorganisation below.
        EventIndexer.Options shallow = new EventIndexer.Options(2, 0, 1);
        try (EventIndexer indexer = indexer("deep.sqlite", EventListener.NONE, shallow)) {
            String snapshot = (String) client.request("evm_snapshot");
            as(a).staking().stake(PROVIDER_ROLE, hyp(7));
            for (int i = 0; i < 4; i++) {
                client.request("evm_mine");
            }
            indexer.poll();
            assertThat(of(indexer.events(), "Staked", a.getAddress())).hasSize(1);
            long storedBefore = indexer.eventCount();
            long oldHead = client.blockNumber();
            assertThat(client.request("evm_revert", snapshot)).isEqualTo(true);
            nonces.resync(a.getAddress());
            while (client.blockNumber() <= oldHead + 1) {
                client.request("evm_mine");
            }
            EventIndexer.PollResult r = indexer.poll();
            assertThat(r.removed()).as("everything is dropped and re-indexed").isEqualTo(storedBefore);
            assertThat(of(indexer.events(), "Staked", a.getAddress())).isEmpty();
            try (EventIndexer fresh = indexer("deep-fresh.sqlite", EventListener.NONE, EventIndexer.Options.DEFAULT)) {
                fresh.poll();
                assertThat(indexer.events()).isEqualTo(fresh.events());
            }
        }
    }

    @Test
    void resumesAfterARestartWithoutDuplicatesOrGaps() {
        Credentials who = devnet.account(4);
        // Small batches so the restart lands mid-history and batching is exercised.
        EventIndexer.Options small = new EventIndexer.Options(3, 0, 64);
        long positionBefore;
        try (EventIndexer indexer = indexer("restart.sqlite", EventListener.NONE, small)) {
            as(who).staking().stake(PROVIDER_ROLE, hyp(10));
            indexer.poll();
            positionBefore = indexer.position().orElseThrow().blockNumber();
        }
        as(who).staking().stake(PROVIDER_ROLE, hyp(20));
        as(who).staking().requestUnbond(PROVIDER_ROLE, hyp(5));
        client.request("evm_mine");

        List<IndexedEvent> added = new ArrayList<>();
        try (EventIndexer reopened = indexer("restart.sqlite", added::add, small)) {
            assertThat(reopened.position().orElseThrow().blockNumber()).isEqualTo(positionBefore);
            reopened.poll();
            assertThat(added).allMatch(e -> e.blockNumber() > positionBefore);
            assertThat(of(added, "UnbondRequested", who.getAddress())).hasSize(1);
            try (EventIndexer fresh = indexer("restart-fresh.sqlite", EventListener.NONE, EventIndexer.Options.DEFAULT)) {
                fresh.poll();
                assertThat(reopened.events()).isEqualTo(fresh.events());
            }
        }
    }

    @Test
    void aNodeThatCapsTheLogRangeIsQueriedInSmallerRanges() throws Exception {
        try (RangeCappedRpcProxy proxy = new RangeCappedRpcProxy(devnet.rpcUrl(), 3);
             ChainClient capped = ChainClient.connect(proxy.url());
             EventIndexer indexer = EventIndexer.forDeployment(capped, tmp.resolve("capped.sqlite"), deployment,
                     EventIndexer.Options.DEFAULT, EventListener.NONE);
             EventIndexer direct = indexer("direct.sqlite", EventListener.NONE, EventIndexer.Options.DEFAULT)) {
            indexer.poll();
            direct.poll();
            assertThat(proxy.refused()).isPositive();
            assertThat(indexer.events()).isNotEmpty().isEqualTo(direct.events());
        }
    }

    @Test
    void theBackgroundFollowerPicksUpNewEventsAndStopsOnClose() throws Exception {
        Credentials who = devnet.account(6);
        java.util.concurrent.LinkedBlockingQueue<IndexedEvent> added = new java.util.concurrent.LinkedBlockingQueue<>();
        EventIndexer indexer = indexer("follow.sqlite", added::add, EventIndexer.Options.DEFAULT);
        try {
            indexer.start(java.time.Duration.ofMillis(50));
            assertThatThrownBy(() -> indexer.start(java.time.Duration.ofMillis(50))).hasMessageContaining("already started");
            as(who).staking().stake(PROVIDER_ROLE, hyp(3));
            IndexedEvent e;
            do {
                e = added.poll(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(e).as("no event within 30 s").isNotNull();
            } while (!(e.name().equals("Staked") && e.arg("account").equals(who.getAddress())));
            assertThat(e.arg("amount")).isEqualTo(hyp(3).toString());
        } finally {
            indexer.close();
        }
        assertThatThrownBy(indexer::eventCount).isInstanceOf(ChainException.class); // file closed
    }

    @Test
    void confirmationsKeepTheIndexBehindTheHead() {
        try (EventIndexer indexer = indexer("confirm.sqlite", EventListener.NONE, new EventIndexer.Options(100, 2, 64))) {
            indexer.poll();
            assertThat(indexer.position().orElseThrow().blockNumber()).isEqualTo(client.blockNumber() - 2);
        }
    }

    @Test
    void anIndexFileOfAnotherChainOrContractSetIsRefused() {
        Path file = tmp.resolve("other.sqlite");
        try (EventIndexer indexer = EventIndexer.forDeployment(client, file, deployment, EventIndexer.Options.DEFAULT,
                EventListener.NONE)) {
            indexer.poll();
        }
        List<WatchedContract> onlyStaking = List.of(
                new WatchedContract("Staking", deployment.address("Staking"), HyphaAbis.load("Staking")));
        assertThatThrownBy(() -> new EventIndexer(client, file, onlyStaking, 0, EventIndexer.Options.DEFAULT, EventListener.NONE))
                .isInstanceOfSatisfying(ChainException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INPUT))
                .hasMessageContaining("follows other contracts");
        try (Devnet other = new AnvilLauncher().chainId(777).start(); ChainClient otherClient = ChainClient.connect(other.rpcUrl())) {
            assertThatThrownBy(() -> EventIndexer.forDeployment(otherClient, file, deployment, EventIndexer.Options.DEFAULT,
                    EventListener.NONE))
                    .hasMessageContaining("belongs to chain 31337, not chain 777");
        }
    }
}

package dev.hypha.node.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.assets.Licence;
import dev.hypha.chain.assets.Terms;
import dev.hypha.chain.compute.Resources;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.seal.KeyWrap;
import dev.hypha.core.seal.RecipientKey;
import dev.hypha.core.seal.SealException;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.node.content.ServedFiles;
import dev.hypha.node.http.ApiServer;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * Compute-to-data on a real anvil chain with ComputeMarket leases and a real trustless gateway on loopback: the owner
 * allows a job spec, a tenant's order for it is leased to one provider, the owner releases the key to that provider
 * only, and the provider opens the data inside the job's folder (deleted afterwards). A provider that bid and lost,
 * a release to someone other than the leaseholder, an order of another spec and a release before the lease are refused.
 */
class ComputeToDataTest {
    private static final Resources NEEDS = new Resources(1, 64, 0);
    private static Devnet devnet;
    private static ChainClient chain;
    private static Deployment deployment;
    private static Credentials ownerKey;
    private static Credentials tenantKey;
    private static Credentials providerKey;
    private static Credentials strangerKey;

    @TempDir
    Path dir;

    @BeforeAll
    static void deploy() {
        devnet = new AnvilLauncher().accounts(5).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
        ownerKey = devnet.account(1);
        tenantKey = devnet.account(2);
        providerKey = devnet.account(3);
        strangerKey = devnet.account(4);
        for (Credentials p : List.of(providerKey, strangerKey)) {
            as(devnet.account(0)).hyp().transfer(p.getAddress(), Deployer.hyp(1_000));
            as(p).staking().stake(StakingClient.PROVIDER_ROLE, Deployer.hyp(1_000));
            as(p).registry().register(new ProviderRegistryClient.ProviderRegistration("http://127.0.0.1:1",
                    p.getAddress(), List.of("compute"), ""));
        }
        as(devnet.account(0)).payment().mint(tenantKey.getAddress(), BigInteger.valueOf(1_000_000_000));
    }

    @AfterAll
    static void stop() {
        chain.close();
        devnet.close();
    }

    private static TransactionSender sender(Credentials who) {
        return new TransactionSender(chain, who, new NonceManager(chain), RevertDecoder.forHyphaContracts());
    }

    private static HyphaContracts as(Credentials who) {
        return HyphaContracts.connect(deployment, sender(who));
    }

    /** An order for {@code specId}, with bids from the provider (index 0) and the stranger (1), leased to the provider. */
    private static BigInteger leasedOrder(ContentId specId) {
        BigInteger order = as(tenantKey).compute().createOrder(specId.multihash().digest(), NEEDS,
                BigInteger.valueOf(1_000_000), BigInteger.valueOf(10_000_000), 600, Address.ZERO);
        as(providerKey).compute().bid(order, BigInteger.valueOf(500_000), NEEDS, new byte[0], 0);
        as(strangerKey).compute().bid(order, BigInteger.valueOf(400_000), NEEDS, new byte[0], 0);
        as(tenantKey).compute().acceptBid(order, 0);
        return order;
    }

    @Test
    void onlyTheLeaseholderOpensTheData_insideTheJobFolder_andItIsDeletedAfter() throws Exception {
        byte[] plain = new byte[1_500_000];
        new SplittableRandom(7).nextBytes(plain);
        Path file = Files.write(dir.resolve("private.jsonl"), plain);
        Path ownerHome = dir.resolve("owner");
        DataOwner owner = new DataOwner(ownerHome, as(ownerKey), ownerKey);
        long asset = owner.add(file, Licence.unpriced("CC-BY-NC-4.0", Terms.NON_COMMERCIAL), List.of(),
                DataOwner.Progress.NONE).assetId();
        JobDataKeys keys = new JobDataKeys(as(ownerKey), owner);
        ContentId spec = ContentIds.of(("kind = \"lora-finetune\"\ndata_asset = " + asset + "\n").getBytes(StandardCharsets.UTF_8));
        ContentId otherSpec = ContentIds.of("another job".getBytes(StandardCharsets.UTF_8));

        BigInteger notYetLeased = as(tenantKey).compute().createOrder(spec.multihash().digest(), NEEDS,
                BigInteger.valueOf(1_000_000), BigInteger.valueOf(10_000_000), 600, Address.ZERO);
        keys.allow(asset, spec);
        assertThatThrownBy(() -> keys.release(asset, notYetLeased, DataKeyCard.of(providerKey)))
                .isInstanceOf(HyphaException.class).hasMessageContaining("not leased");

        BigInteger order = leasedOrder(spec);
        BigInteger otherOrder = leasedOrder(otherSpec);
        assertThatThrownBy(() -> keys.release(asset, otherOrder, DataKeyCard.of(providerKey)))
                .isInstanceOf(HyphaException.class).hasMessageContaining("holds no job grant on asset #" + asset);

        Path jobFolder = dir.resolve("provider").resolve("compute").resolve("work").resolve(order.toString());
        JobData providerSide = new JobData(as(providerKey), providerKey);
        BlockRoutes routes = BlockRoutes.forFiles(ServedFiles.sealedData(new ContentStore(ownerHome)), ownerHome);
        try (ApiServer server = new ApiServer("127.0.0.1", 0, List.of(routes))) {
            server.start();
            Optional<URI> from = Optional.of(URI.create("http://127.0.0.1:" + server.port()));
            assertThatThrownBy(() -> providerSide.open(asset, order, from, jobFolder, "data.jsonl"))
                    .isInstanceOf(HyphaException.class).hasMessageContaining("has not released its key for order " + order);

            assertThatThrownBy(() -> keys.release(asset, order, DataKeyCard.of(strangerKey)))
                    .isInstanceOf(HyphaException.class).hasMessageContaining("is leased to");
            assertThat(keys.release(asset, order, DataKeyCard.of(providerKey)))
                    .isEqualTo(Address.parse(providerKey.getAddress()));

            // The provider that lost the auction is refused, and the released key, public on chain, is useless to it.
            JobData strangerSide = new JobData(as(strangerKey), strangerKey);
            assertThatThrownBy(() -> strangerSide.open(asset, order, from, dir.resolve("stranger-job"), "data.jsonl"))
                    .isInstanceOf(HyphaException.class).hasMessageContaining("not leased to");
            byte[] released = as(strangerKey).grants().jobKeyOf(asset, spec.multihash().digest()).orElseThrow();
            assertThatThrownBy(() -> KeyWrap.unwrap(released, RecipientKey.ofAccount(strangerKey.getEcKeyPair().getPrivateKey())))
                    .isInstanceOf(SealException.class);
            assertThat(dir.resolve("stranger-job")).doesNotExist();

            try (JobData.Opened opened = providerSide.open(asset, order, from, jobFolder, "data.jsonl")) {
                assertThat(opened.file()).isEqualTo(jobFolder.resolve("data.jsonl"));
                assertThat(Files.readAllBytes(opened.file())).isEqualTo(plain);
                assertThat(opened.plaintext()).isEqualTo(ContentIds.of(plain));
            }
            assertThat(jobFolder.resolve("data.jsonl")).doesNotExist();
            try (Stream<Path> left = Files.walk(dir.resolve("provider"))) {
                assertThat(left.filter(Files::isRegularFile)).isEmpty(); // nothing of the data outside or inside the job
            }

            keys.disallow(asset, spec);
            assertThatThrownBy(() -> providerSide.open(asset, order, from, jobFolder, "data.jsonl"))
                    .isInstanceOf(HyphaException.class).hasMessageContaining("holds no job grant");
        } finally {
            routes.awaitIndexed();
        }
    }

    /**
     * Automatic release: the owner's node (DataSales' loop) finds the leased order for the allowed spec, reads the
     * leaseholder's card from the provider's registered endpoint and releases the key by itself. A card swapped at the
     * endpoint (another account's key) is refused with nothing released; a second pass releases nothing again.
     */
    @Test
    void theOwnersNodeReleasesTheKeyToTheLeaseholder_readingTheCardFromItsEndpoint() throws Exception {
        byte[] plain = new byte[200_000];
        new SplittableRandom(11).nextBytes(plain);
        Path file = Files.write(dir.resolve("auto.jsonl"), plain);
        Path ownerHome = dir.resolve("auto-owner");
        DataOwner owner = new DataOwner(ownerHome, as(ownerKey), ownerKey);
        long asset = owner.add(file, Licence.unpriced("CC-BY-NC-4.0", Terms.NON_COMMERCIAL), List.of(),
                DataOwner.Progress.NONE).assetId();
        ContentId spec = ContentIds.of(("kind = \"lora-finetune\"\ndata_asset = " + asset + "\nauto = true\n")
                .getBytes(StandardCharsets.UTF_8));
        byte[] digest = spec.multihash().digest();
        new JobDataKeys(as(ownerKey), owner).allow(asset, spec);
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        DataSales node = new DataSales(ownerHome, ComputeToDataTest::as, log::add).sellFor(List.of(ownerKey));

        assertThat(node.releaseJobKeys()).isEmpty(); // allowed, but no order is leased yet
        BigInteger order = leasedOrder(spec);

        BlockRoutes routes = BlockRoutes.forFiles(ServedFiles.sealedData(new ContentStore(ownerHome)), ownerHome);
        try (ApiServer swapped = new ApiServer("127.0.0.1", 0, List.of(new DataKeyRoutes(DataKeyCard.of(strangerKey))));
             ApiServer honest = new ApiServer("127.0.0.1", 0, List.of(new DataKeyRoutes(DataKeyCard.of(providerKey))));
             ApiServer ownerApi = new ApiServer("127.0.0.1", 0, List.of(routes))) {
            swapped.start();
            honest.start();
            ownerApi.start();
            registerEndpoint(providerKey, "http://127.0.0.1:" + swapped.port());
            List<JobKeyReleases.Outcome> refused = node.releaseJobKeys();
            assertThat(refused).singleElement().satisfies(o -> {
                assertThat(o.released()).isFalse();
                assertThat(o.orderId()).isEqualTo(order);
                assertThat(o.note()).contains("signed by " + Address.parse(strangerKey.getAddress()).toChecksumString());
            });
            assertThat(as(ownerKey).grants().jobKeyOf(asset, digest).orElseThrow()).isEmpty();

            registerEndpoint(providerKey, "http://127.0.0.1:" + honest.port() + "/");
            List<JobKeyReleases.Outcome> released = node.releaseJobKeys();
            assertThat(released).singleElement().satisfies(o -> {
                assertThat(o.released()).isTrue();
                assertThat(o.assetId()).isEqualTo(asset);
                assertThat(o.provider()).isEqualTo(Address.parse(providerKey.getAddress()));
            });
            assertThat(node.releaseJobKeys()).isEmpty(); // recorded: not released twice
            assertThat(log).anyMatch(l -> l.contains("released the key of asset #" + asset));

            Path jobFolder = dir.resolve("auto-provider").resolve(order.toString());
            Optional<URI> from = Optional.of(URI.create("http://127.0.0.1:" + ownerApi.port()));
            try (JobData.Opened opened = new JobData(as(providerKey), providerKey)
                    .open(asset, order, from, jobFolder, "data.jsonl")) {
                assertThat(Files.readAllBytes(opened.file())).isEqualTo(plain);
            }
            byte[] onChain = as(strangerKey).grants().jobKeyOf(asset, digest).orElseThrow();
            assertThatThrownBy(() -> KeyWrap.unwrap(onChain, RecipientKey.ofAccount(strangerKey.getEcKeyPair().getPrivateKey())))
                    .isInstanceOf(SealException.class);
        } finally {
            routes.awaitIndexed();
            registerEndpoint(providerKey, "http://127.0.0.1:1");
        }
    }

    private static void registerEndpoint(Credentials provider, String endpoint) {
        as(provider).registry().update(new ProviderRegistryClient.ProviderRegistration(endpoint, provider.getAddress(),
                List.of("compute"), ""));
    }
}

package dev.hypha.node.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.assets.Licence;
import dev.hypha.chain.assets.Terms;
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
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.seal.DataKey;
import dev.hypha.core.seal.RecipientKey;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.node.content.ServedFiles;
import dev.hypha.node.http.ApiServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * {@code hypha data add DIR} / {@code data get} on a real anvil chain, with the reader fetching over a real trustless
 * gateway on loopback: a folder (nested folders, an empty folder, an empty file, a file of several chunks) is one
 * asset; a grantee restores the identical tree, checked against the folder's UnixFS directory id; an account without
 * a grant cannot read it; hostile manifests are refused naming what is wrong.
 */
class DataFolderTest {
    private static Devnet devnet;
    private static ChainClient chain;
    private static Deployment deployment;

    @TempDir
    Path dir;

    @BeforeAll
    static void deploy() {
        devnet = new AnvilLauncher().accounts(4).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        deployment = new Deployer(sender(devnet.account(0))).deploy(DeployParams.devnet());
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

    /** A small tree with every kind of entry a folder may hold. */
    static Path sampleTree(Path root, int seed) throws Exception {
        Files.createDirectories(root.resolve("images/train"));
        Files.createDirectories(root.resolve("empty"));
        Files.writeString(root.resolve("README.md"), "# a dataset\n");
        Files.write(root.resolve("zero.bin"), new byte[0]);
        byte[] big = new byte[1_300_000]; // two chunks: a dag-pb root in the directory's id
        new SplittableRandom(seed).nextBytes(big);
        Files.write(root.resolve("images/train/batch-0.bin"), big);
        Files.writeString(root.resolve("images/labels.csv"), "id,label\n1,cat\n");
        Files.writeString(root.resolve("images.txt"), "sorts between images and images/ by bytes");
        return root;
    }

    /** Every path under {@code root} (folders marked with a trailing '/') with its bytes. */
    static TreeMap<String, String> contents(Path root) throws Exception {
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(p -> !p.equals(root)).toList()) {
                String rel = root.relativize(p).toString();
                out.put(Files.isDirectory(p) ? rel + "/" : rel,
                        Files.isDirectory(p) ? "" : ContentIds.of(p).toString());
            }
        }
        return out;
    }

    @Test
    void aFolderIsOneAsset_aGranteeRestoresTheSameTree_aStrangerCannot() throws Exception {
        Credentials ownerKey = devnet.account(1);
        Credentials readerKey = devnet.account(2);
        Credentials strangerKey = devnet.account(3);
        Path folder = sampleTree(dir.resolve("corpus"), 1);
        Path ownerHome = dir.resolve("owner");
        DataOwner owner = new DataOwner(ownerHome, as(ownerKey), ownerKey);
        DataOwner.Added added = owner.add(folder, Licence.unpriced("CC-BY-4.0", Terms.FREE), List.of(),
                DataOwner.Progress.NONE);
        assertThat(added.plaintext()).isEqualTo(DataTree.scan(folder).root().cid());
        assertThat(added.plaintext().codec()).isEqualTo(ContentId.DAG_PB);
        assertThat(added.size()).isEqualTo(12 + 1_300_000 + 15 + 41);
        owner.grant(added.assetId(), DataKeyCard.of(readerKey));

        BlockRoutes routes = BlockRoutes.forFiles(ServedFiles.sealedData(new ContentStore(ownerHome)), ownerHome);
        try (ApiServer server = new ApiServer("127.0.0.1", 0, List.of(routes))) {
            server.start();
            Optional<URI> from = Optional.of(URI.create("http://127.0.0.1:" + server.port()));
            DataReader reader = new DataReader(dir.resolve("reader"), as(readerKey));
            DataKey key = reader.accountKey(added.assetId(), Address.parse(readerKey.getAddress()),
                    RecipientKey.ofAccount(readerKey.getEcKeyPair().getPrivateKey()));
            Path out = dir.resolve("restored");
            DataReader.Opened opened = reader.open(added.assetId(), key, from, out, (d, t) -> {});
            assertThat(opened.plaintext()).isEqualTo(added.plaintext());
            assertThat(contents(out)).isEqualTo(contents(folder));
            assertThat(contents(out)).containsKey("empty/");
            try (Stream<Path> beside = Files.list(dir)) {
                assertThat(beside.map(p -> p.getFileName().toString())).as("no partial folder left")
                        .noneMatch(n -> n.startsWith("."));
            }
            assertThatThrownBy(() -> reader.open(added.assetId(), key, from, out, (d, t) -> {}))
                    .isInstanceOf(HyphaException.class).hasMessageContaining("exists");

            DataReader stranger = new DataReader(dir.resolve("stranger"), as(strangerKey));
            assertThatThrownBy(() -> stranger.accountKey(added.assetId(), Address.parse(strangerKey.getAddress()),
                    RecipientKey.ofAccount(strangerKey.getEcKeyPair().getPrivateKey())))
                    .isInstanceOf(HyphaException.class).hasMessageContaining("holds no grant for asset #" + added.assetId());
            // the ciphertext is public, but the reader's key (or any other) does not open another asset's manifest
            DataKey wrong = DataKey.random();
            assertThatThrownBy(() -> stranger.open(added.assetId(), wrong, from, dir.resolve("stolen"), (d, t) -> {}))
                    .isInstanceOf(HyphaException.class).hasMessageContaining("does not open");
            assertThat(dir.resolve("stolen")).doesNotExist();
        }
    }

    @Test
    void theSameTreeHasTheSameDirectoryId_anyChangeChangesIt() throws Exception {
        Path a = sampleTree(dir.resolve("a"), 5);
        Path b = sampleTree(dir.resolve("b"), 5);
        assertThat(DataTree.scan(a).root().cid()).isEqualTo(DataTree.scan(b).root().cid());
        Files.createDirectory(b.resolve("empty/more"));
        assertThat(DataTree.scan(b).root().cid()).isNotEqualTo(DataTree.scan(a).root().cid());
        Files.delete(b.resolve("empty/more"));
        Files.move(b.resolve("zero.bin"), b.resolve("zero2.bin"));
        assertThat(DataTree.scan(b).root().cid()).isNotEqualTo(DataTree.scan(a).root().cid());
    }

    @Test
    void linksAndHostileManifestsAreRefusedNamingWhatIsWrong() throws Exception {
        Path folder = sampleTree(dir.resolve("linked"), 2);
        Files.createSymbolicLink(folder.resolve("escape"), Path.of("/etc"));
        assertThatThrownBy(() -> DataTree.scan(folder)).isInstanceOf(HyphaException.class)
                .hasMessageContaining("escape is a symbolic link");

        ContentId cid = ContentIds.of(new byte[0]);
        DataKey k = DataKey.random();
        DirectoryManifest good = new DirectoryManifest(List.of("a"), List.of(
                new DirectoryManifest.Entry("a/x", 0, cid, cid, k)));
        assertThat(DirectoryManifest.decode("m", good.encode())).isEqualTo(good);
        for (String[] bad : new String[][] {
                {"../x", "empty, . or .."}, {"/etc/passwd", "empty, . or .."}, {"a/../../x", "empty, . or .."},
                {"b/x", "not listed before it"}, {"a\\\\x", "backslash"}, {"a", "both a file and a folder"}}) {
            String text = new String(good.encode(), StandardCharsets.UTF_8).replace("\"path\":\"a/x\"",
                    "\"path\":\"" + bad[0] + "\"");
            assertThatThrownBy(() -> DirectoryManifest.decode("m", text.getBytes(StandardCharsets.UTF_8)))
                    .as(bad[0]).isInstanceOf(HyphaException.class).hasMessageContaining(bad[1]);
        }
        String spaced = new String(good.encode(), StandardCharsets.UTF_8).replace(",", ", ");
        assertThatThrownBy(() -> DirectoryManifest.decode("m", spaced.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(HyphaException.class).hasMessageContaining("canonical");
        String huge = new String(good.encode(), StandardCharsets.UTF_8).replace("\"size\":0", "\"size\":9223372036854775807")
                .replace("\"files\":[", "\"files\":[" + new String(new DirectoryManifest(List.of("a"), List.of(
                        new DirectoryManifest.Entry("a/w", 1, cid, cid, k))).encode(), StandardCharsets.UTF_8)
                        .replaceAll("^.*\"files\":\\[", "").replaceAll("],\"format.*$", "") + ",");
        assertThatThrownBy(() -> DirectoryManifest.decode("m", huge.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(HyphaException.class).hasMessageContaining("overflow");
    }
}

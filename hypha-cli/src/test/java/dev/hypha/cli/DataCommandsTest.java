package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.node.content.ServedFiles;
import dev.hypha.node.http.ApiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * {@code hypha data} against a real anvil chain with deployed contracts, a real trustless gateway on loopback serving
 * the owner's sealed data, and real files: the owner adds a file, a grantee fetches, opens and gets the same bytes; a
 * stranger, a revoked grantee, a card signed by someone else and a tampered ciphertext are each refused with a clear
 * error, and nothing is written for them.
 */
class DataCommandsTest {
    private static final Pattern ADDED = Pattern.compile("Added dataset #(\\d+)\\s+sealed +(\\S+)\\s+plaintext +(\\S+)");
    private static Devnet devnet;
    private static ChainClient chain;
    private static Deployment deployment;

    @TempDir
    Path dir;

    @BeforeAll
    static void startChain() {
        devnet = new AnvilLauncher().accounts(4).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        TransactionSender sender = new TransactionSender(chain, devnet.account(0), new NonceManager(chain),
                RevertDecoder.forHyphaContracts());
        deployment = new Deployer(sender).deploy(DeployParams.devnet());
    }

    @AfterAll
    static void stopChain() {
        chain.close();
        devnet.close();
    }

    /** A user with their own home and account {@code n} of the devnet. */
    private final class User {
        final Path home;
        final Credentials key;
        final Path password;

        User(String name, int n) throws IOException {
            home = dir.resolve(name);
            key = devnet.account(n);
            new Deployments(home.resolve("deployments")).save(deployment);
            password = Files.writeString(dir.resolve(name + ".password"), "pw\n");
            Path keyFile = Files.writeString(dir.resolve(name + ".key"), key.getEcKeyPair().getPrivateKey().toString(16));
            CliRun imported = run("account", "import", "--light-kdf", "--private-key-file", keyFile.toString());
            assertThat(imported.exitCode()).as(imported.err()).isZero();
        }

        CliRun run(String... args) {
            return CliRun.run(Stream.concat(Stream.of("--home", home.toString(), "--rpc", devnet.rpcUrl(),
                    "--password-file", password.toString()), Stream.of(args)).toArray(String[]::new));
        }

        String address() {
            return key.getAddress();
        }

        String card() {
            CliRun card = run("data", "key");
            assertThat(card.exitCode()).as(card.err()).isZero();
            return card.out().strip();
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void aGranteeReadsTheOwnersBytes_strangersRevokedGranteesAndForgedCardsAreRefused() throws Exception {
        User owner = new User("owner", 1);
        User grantee = new User("grantee", 2);
        User stranger = new User("stranger", 3);
        byte[] plain = randomBytes((5 << 20) / 2 + 17, 1); // 3 chunks, 3 leaves
        Path file = Files.write(dir.resolve("faces.bin"), plain);

        CliRun add = owner.run("data", "add", file.toString(), "--license", "CC-BY-NC-4.0", "--parent", "7");
        assertThat(add.exitCode()).isNotZero(); // an empty --parent is refused before anything is sealed
        add = owner.run("data", "add", file.toString(), "--license", "CC-BY-NC-4.0");
        assertThat(add.exitCode()).as(add.err()).isZero();
        Matcher m = ADDED.matcher(add.out());
        assertThat(m.find()).as(add.out()).isTrue();
        long id = Long.parseLong(m.group(1));
        ContentId sealed = ContentId.parse(m.group(2));
        assertThat(ContentId.parse(m.group(3))).isEqualTo(ContentIds.of(plain));
        assertThat(add.err()).contains("sealing"); // the progress bar
        byte[] ciphertext = Files.readAllBytes(new ContentStore(owner.home).blobPath(sealed));
        assertThat(ContentIds.of(ciphertext)).isEqualTo(sealed);
        assertThat(indexOf(ciphertext, Arrays.copyOfRange(plain, 1000, 1064))).isNegative(); // no plaintext stored

        BlockRoutes routes = BlockRoutes.forFiles(ServedFiles.sealedData(new ContentStore(owner.home)), owner.home);
        try (ApiServer server = new ApiServer("127.0.0.1", 0, List.of(routes))) {
            server.start();
            String url = "http://127.0.0.1:" + server.port();

            CliRun cardOfAnother = owner.run("data", "grant", Long.toString(id), stranger.address(), "--key", grantee.card());
            assertThat(cardOfAnother.exitCode()).isEqualTo(ExitCodes.INPUT);
            assertThat(cardOfAnother.errorLine()).contains("signed by").contains("not by");

            CliRun granted = owner.run("data", "grant", Long.toString(id), grantee.address(), "--key", grantee.card());
            assertThat(granted.exitCode()).as(granted.err()).isZero();

            Path got = dir.resolve("got.bin");
            CliRun get = grantee.run("data", "get", Long.toString(id), "--out", got.toString(), "--from", url);
            assertThat(get.exitCode()).as(get.err()).isZero();
            assertThat(Files.readAllBytes(got)).isEqualTo(plain);
            assertThat(get.out()).contains("plaintext " + ContentIds.of(plain) + " as registered");

            CliRun ls = grantee.run("data", "ls");
            assertThat(ls.exitCode()).as(ls.err()).isZero();
            assertThat(ls.out()).contains("#" + id + "   grantee").contains(sealed.toString());
            CliRun mine = owner.run("data", "ls");
            assertThat(mine.out()).contains("#" + id + "   owner");

            Path strangers = dir.resolve("stranger.bin");
            CliRun refused = stranger.run("data", "get", Long.toString(id), "--out", strangers.toString(), "--from", url);
            assertThat(refused.exitCode()).isEqualTo(ExitCodes.INPUT);
            assertThat(refused.errorLine()).contains("holds no grant for asset #" + id);
            assertThat(strangers).doesNotExist();
            assertThat(stranger.run("data", "ls").out()).contains("No data granted");

            CliRun revoked = owner.run("data", "revoke", Long.toString(id), grantee.address());
            assertThat(revoked.exitCode()).as(revoked.err()).isZero();
            Path after = dir.resolve("after-revoke.bin");
            CliRun again = grantee.run("data", "get", Long.toString(id), "--out", after.toString(), "--from", url);
            assertThat(again.exitCode()).isEqualTo(ExitCodes.INPUT);
            assertThat(again.errorLine()).contains("holds no grant");
            assertThat(after).doesNotExist();
            assertThat(grantee.run("data", "ls").out()).doesNotContain("#" + id);
            CliRun twice = owner.run("data", "revoke", Long.toString(id), grantee.address());
            assertThat(twice.exitCode()).isEqualTo(ExitCodes.INPUT);

            CliRun notOwner = stranger.run("data", "grant", Long.toString(id), stranger.address(), "--key", stranger.card());
            assertThat(notOwner.exitCode()).isEqualTo(ExitCodes.INPUT);
            assertThat(notOwner.errorLine()).contains("only its owner grants access");
        } finally {
            routes.awaitIndexed();
        }

        Path own = dir.resolve("own.bin");
        CliRun ownCopy = owner.run("data", "get", Long.toString(id), "--out", own.toString());
        assertThat(ownCopy.exitCode()).as(ownCopy.err()).isZero(); // from its own store, with its own grant
        assertThat(Files.readAllBytes(own)).isEqualTo(plain);
    }

    @Test
    void aTamperedCiphertextIsRefusedAndNothingIsWritten() throws Exception {
        User owner = new User("owner", 1);
        byte[] plain = randomBytes(300_000, 2);
        Path file = Files.write(dir.resolve("small.bin"), plain);
        CliRun add = owner.run("data", "add", file.toString(), "--license", "MIT", "--price", "2.5");
        assertThat(add.exitCode()).as(add.err()).isZero();
        Matcher m = ADDED.matcher(add.out());
        assertThat(m.find()).isTrue();
        assertThat(add.out()).contains("paid-per-use 2500000 units per grant");
        long id = Long.parseLong(m.group(1));
        Path blob = new ContentStore(owner.home).blobPath(ContentId.parse(m.group(2)));
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 1;
        Files.write(blob, bytes);

        Path out = Files.writeString(dir.resolve("kept.txt"), "what was here before");
        CliRun get = owner.run("data", "get", Long.toString(id), "--out", out.toString());
        assertThat(get.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(get.errorLine()).contains("does not open").contains("does not authenticate");
        assertThat(Files.readString(out)).isEqualTo("what was here before");
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
        }
    }

    @Test
    void aBuyerPaysTheOwnerDeliversTheKeyAndThePaymentReachesTheAsset() throws Exception {
        User owner = new User("owner", 1);
        User buyer = new User("buyer", 3);
        byte[] plain = randomBytes(70_000, 3);
        Path file = Files.write(dir.resolve("sold.bin"), plain);
        CliRun add = owner.run("data", "add", file.toString(), "--license", "LicenseRef-Commercial", "--price", "2.5");
        Matcher m = ADDED.matcher(add.out());
        assertThat(m.find()).as(add.out() + add.err()).isTrue();
        long id = Long.parseLong(m.group(1));
        dev.hypha.chain.deploy.HyphaContracts treasury = dev.hypha.chain.deploy.HyphaContracts.connect(deployment,
                new TransactionSender(chain, devnet.account(0), new NonceManager(chain), RevertDecoder.forHyphaContracts()));
        treasury.payment().mint(buyer.address(), java.math.BigInteger.valueOf(2_500_000));
        CliRun tooCheap = buyer.run("data", "buy", Long.toString(id), "--max-price", "2");
        assertThat(tooCheap.exitCode()).isNotZero();
        assertThat(tooCheap.errorLine()).contains("above the accepted");

        CliRun bought = buyer.run("data", "buy", Long.toString(id));
        assertThat(bought.exitCode()).as(bought.err()).isZero();
        assertThat(bought.out()).contains("paid 2.5 hUSD");
        BlockRoutes routes = BlockRoutes.forFiles(ServedFiles.sealedData(new ContentStore(owner.home)), owner.home);
        try (ApiServer server = new ApiServer("127.0.0.1", 0, List.of(routes))) {
            server.start();
            String url = "http://127.0.0.1:" + server.port();
            Path got = dir.resolve("bought.bin");
            CliRun early = buyer.run("data", "get", Long.toString(id), "--out", got.toString(), "--from", url);
            assertThat(early.errorLine()).contains("holds no grant"); // paid, but not delivered yet

            CliRun fulfil = owner.run("data", "fulfil");
            assertThat(fulfil.exitCode()).as(fulfil.err()).isZero();
            assertThat(fulfil.out()).contains("for asset #" + id).contains(": delivered");
            assertThat(owner.run("data", "fulfil").out()).contains("No open paid requests");

            CliRun get = buyer.run("data", "get", Long.toString(id), "--out", got.toString(), "--from", url);
            assertThat(get.exitCode()).as(get.err()).isZero();
            assertThat(Files.readAllBytes(got)).isEqualTo(plain);
        } finally {
            routes.awaitIndexed();
        }
        assertThat(owner.run("royalties", "balance").out()).contains("may withdraw 2.5 hUSD");
    }

    @Test
    void badInputIsOneClearLine() throws Exception {
        User owner = new User("owner", 1);
        CliRun noLicence = owner.run("data", "add", dir.resolve("x").toString());
        assertThat(noLicence.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(noLicence.errorLine()).contains("--license");
        CliRun missing = owner.run("data", "add", dir.resolve("absent.bin").toString(), "--license", "MIT");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(missing.errorLine()).contains("is not a readable file");
        CliRun badCard = owner.run("data", "grant", "1", owner.address(), "--key", "hdk1:nonsense");
        assertThat(badCard.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(badCard.errorLine()).contains("not a data key card");
        CliRun unknown = owner.run("data", "get", "999", "--out", dir.resolve("o").toString());
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.CHAIN);
        assertThat(unknown.errorLine()).contains("UnknownAsset");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    @Test
    void aFolderIsAddedAsOneDataset_andRestoredWholeByAGrantee() throws Exception {
        User owner = new User("owner", 1);
        User grantee = new User("grantee", 2);
        Path folder = Files.createDirectories(dir.resolve("corpus/images"));
        Files.createDirectories(dir.resolve("corpus/empty"));
        Files.write(folder.resolve("batch.bin"), randomBytes(1_200_000, 9));
        Files.writeString(dir.resolve("corpus/labels.csv"), "id,label\n1,cat\n");
        CliRun cid = owner.run("cid", "-q", dir.resolve("corpus").toString());
        CliRun add = owner.run("data", "add", dir.resolve("corpus").toString(), "--license", "CC-BY-4.0");
        assertThat(add.exitCode()).as(add.err()).isZero();
        Matcher m = ADDED.matcher(add.out());
        assertThat(m.find()).as(add.out()).isTrue();
        long id = Long.parseLong(m.group(1));
        assertThat(m.group(3)).as("the folder's directory id, as `hypha cid` prints it").isEqualTo(cid.out().strip());
        CliRun granted = owner.run("data", "grant", Long.toString(id), grantee.address(), "--key", grantee.card());
        assertThat(granted.exitCode()).as(granted.err()).isZero();

        BlockRoutes routes = BlockRoutes.forFiles(ServedFiles.sealedData(new ContentStore(owner.home)), owner.home);
        try (ApiServer server = new ApiServer("127.0.0.1", 0, List.of(routes))) {
            server.start();
            Path got = dir.resolve("copy");
            CliRun get = grantee.run("data", "get", Long.toString(id), "--out", got.toString(), "--from",
                    "http://127.0.0.1:" + server.port());
            assertThat(get.exitCode()).as(get.err()).isZero();
            assertThat(get.out()).contains("Wrote " + got).contains("(1200015 bytes, plaintext " + cid.out().strip());
            assertThat(got.resolve("images/batch.bin")).hasSameBinaryContentAs(folder.resolve("batch.bin"));
            assertThat(got.resolve("labels.csv")).hasContent("id,label\n1,cat\n");
            assertThat(got.resolve("empty")).isEmptyDirectory();
        }
    }
}

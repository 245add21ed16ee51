package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.node.content.ServedFiles;
import dev.hypha.node.http.ApiServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * {@code hypha data pool} on a real anvil chain with real sealed Fashion-MNIST contributions served by their owners'
 * trustless gateways: an owner opens a pool with rewards and a validator; two honest contributors, one whose labels are
 * all wrong, and one who never grants the validator access contribute sealed image folders; the validator's {@code score}
 * trains on the pool with and without each one and posts the scores: the honest ones score above 0, the mislabeled data
 * 0, the unreadable contribution stays unscored. After scoring, claims pay each contribution floor(deposit × score /
 * total) and the mislabeler nothing. Every misuse on the way is refused naming what was wrong.
 */
class DataPoolCommandsTest {
    private static final Pattern DATASET = Pattern.compile("Added dataset #(\\d+)");
    private static final Pattern POOL = Pattern.compile("Created pool #(\\d+)");
    private static final Pattern CONTRIBUTION = Pattern.compile("as contribution #(\\d+)");
    private static final BigInteger DEPOSIT = BigInteger.valueOf(5_000_000); // 5 hUSD
    private static Devnet devnet;
    private static ChainClient chain;
    private static Deployment deployment;

    @TempDir
    Path dir;

    @BeforeAll
    static void startChain() {
        devnet = new AnvilLauncher().accounts(8).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        TransactionSender sender = new TransactionSender(chain, devnet.account(0), new NonceManager(chain),
                RevertDecoder.forHyphaContracts());
        deployment = new Deployer(sender).deploy(DeployParams.devnet());
        HyphaContracts.connect(deployment, sender).payment().mint(devnet.account(1).getAddress(), DEPOSIT.multiply(BigInteger.TWO));
    }

    @AfterAll
    static void stopChain() {
        chain.close();
        devnet.close();
    }

    /** A party with its own home and devnet account {@code n}. */
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

        CliRun ok(String... args) {
            CliRun r = run(args);
            assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isZero();
            return r;
        }

        CliRun refused(String... args) {
            CliRun r = run(args);
            assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.out()).isEqualTo(ExitCodes.INPUT);
            return r;
        }

        String address() {
            return key.getAddress();
        }

        String card() {
            return ok("data", "key").out().strip();
        }

        /** Seals a folder of IDX images and registers it; returns the dataset's asset id. */
        long add(Path folder) {
            Matcher m = DATASET.matcher(ok("data", "add", folder.toString(), "--license", "CC-BY-4.0").out());
            assertThat(m.find()).isTrue();
            return Long.parseLong(m.group(1));
        }

        BigInteger hUsd() {
            return HyphaContracts.readOnly(deployment, chain).payment().balanceOf(address());
        }
    }

    @Test
    void honestContributionsEarnByTheirScoresAndWrongLabelsOrWithheldDataEarnNothing() throws Exception {
        assumeTrue(Files.exists(DatasetStore.DEBIAN_FASHION_MNIST.resolve("train-images-idx3-ubyte.gz")),
                "needs Debian's dataset-fashion-mnist (scripts/setup.sh installs it)");
        ImageSplit train = DatasetStore.readSplit(DatasetStore.DEBIAN_FASHION_MNIST, "train");
        User owner = new User("owner", 1);
        User validator = new User("validator", 2);
        User honestA = new User("honest-a", 3);
        User honestB = new User("honest-b", 4);
        User mislabeler = new User("mislabeler", 5);
        User withholder = new User("withholder", 6);
        validator.ok("dataset", "import", "fashion-mnist");

        long dataA = honestA.add(idxFolder("a", train, 0, 200, false));
        long dataB = honestB.add(idxFolder("b", train, 200, 200, false));
        long dataC = mislabeler.add(idxFolder("c", train, 400, 200, true));
        long dataD = withholder.add(idxFolder("d", train, 600, 200, false));

        // Bad input first: each refused with what was wrong.
        assertThat(owner.refused("data", "pool", "create", "--contribute-for", "soon", "--score-for", "1h").errorLine())
                .contains("--contribute-for 'soon' is not a duration");
        assertThat(owner.refused("data", "pool", "create", "--contribute-for", "400d", "--score-for", "1h").errorLine())
                .contains("--contribute-for must be 1s to 365d");
        assertThat(owner.refused("data", "pool", "create", "--contribute-for", "10m", "--score-for", "10m", "--deposit",
                "50000").errorLine()).contains("is more than this account's");
        assertThat(owner.run("data", "pool", "show", "99").errorLine()).contains("UnknownPool");

        owner.ok("data", "pool", "create", "--contribute-for", "10m", "--score-for", "10m", "--deposit", "1"); // never scored
        CliRun created = owner.ok("data", "pool", "create", "--contribute-for", "10m", "--score-for", "10m", "--deposit",
                "5", "--validator", validator.address());
        Matcher p = POOL.matcher(created.out());
        assertThat(p.find()).as(created.out()).isTrue();
        String pool = p.group(1);
        assertThat(created.out()).contains("deposited 5 hUSD", "validator ");

        assertThat(honestB.refused("data", "pool", "contribute", pool, Long.toString(dataA)).errorLine())
                .contains("asset #" + dataA + " was not registered by");
        long[] contributions = new long[4];
        User[] contributors = {honestA, honestB, mislabeler, withholder};
        long[] datasets = {dataA, dataB, dataC, dataD};
        for (int i = 0; i < 4; i++) {
            CliRun c = contributors[i].ok("data", "pool", "contribute", pool, Long.toString(datasets[i]));
            Matcher m = CONTRIBUTION.matcher(c.out());
            assertThat(m.find()).isTrue();
            contributions[i] = Long.parseLong(m.group(1));
            if (i < 3) contributors[i].ok("data", "grant", Long.toString(datasets[i]), validator.address(), "--key", validator.card());
        }
        assertThat(honestA.run("data", "pool", "contribute", pool, Long.toString(dataA)).errorLine()).contains("DuplicateItem");

        Path spec = Files.writeString(dir.resolve("probe.toml"), """
                name = "pool-probe"
                dataset = "fashion-mnist"
                seed = 3
                steps = 240
                batch = 32
                checkpoint_every = 0
                layers = ["flatten", "linear 784 64", "relu", "linear 64 10"]
                [optimizer]
                kind = "adamw"
                learning_rate = 0.003
                min_learning_rate = 0.0003
                warmup_steps = 10
                weight_decay = 0.01
                clip_norm = 5.0
                """);
        List<ApiServer> gateways = new ArrayList<>();
        List<String> from = new ArrayList<>();
        try {
            for (User u : contributors) {
                ApiServer s = new ApiServer("127.0.0.1", 0, List.of(BlockRoutes.forFiles(
                        ServedFiles.sealedData(new ContentStore(u.home)), u.home)));
                s.start();
                gateways.add(s);
                from.add("--from");
                from.add("http://127.0.0.1:" + s.port());
            }
            List<String> score = new ArrayList<>(List.of("data", "pool", "score", pool, "--spec", spec.toString()));
            score.addAll(from);
            assertThat(validator.refused(score.toArray(String[]::new)).errorLine()).contains("takes contributions until");
            assertThat(honestA.refused("data", "pool", "claim", pool).errorLine()).contains("claim after that");

            chain.request("evm_increaseTime", 601);
            chain.request("evm_mine");
            assertThat(honestA.refused("data", "pool", "contribute", pool, Long.toString(dataA)).errorLine())
                    .contains("stopped taking contributions");
            List<String> asStranger = new ArrayList<>(score);
            assertThat(withholder.refused(asStranger.toArray(String[]::new)).errorLine())
                    .contains("is not a validator of pool #" + pool);

            CliRun scored = validator.ok(score.toArray(String[]::new));
            System.out.println(scored.out()); // what the README shows
            assertThat(scored.out()).contains("Posted 3 score(s) to pool #" + pool,
                    "Unscored contribution #" + contributions[3], "holds no grant for asset #" + dataD);
        } finally {
            for (ApiServer s : gateways) s.close();
        }
        HyphaContracts read = HyphaContracts.readOnly(deployment, chain);
        long a = read.pools().contribution(contributions[0]).score();
        long b = read.pools().contribution(contributions[1]).score();
        assertThat(a).as("honest A").isPositive();
        assertThat(b).as("honest B").isPositive();
        assertThat(read.pools().contribution(contributions[2]).score()).as("wrong labels").isZero();
        assertThat(read.pools().contribution(contributions[3]).scoreCount()).as("withheld: unscored").isZero();
        assertThat(new ContentStore(validator.home).blobPath(dev.hypha.core.cid.ContentIds.of(Files.readAllBytes(
                dir.resolve("a").resolve("train-images-idx3-ubyte"))))).doesNotExist();
        try (Stream<Path> scratch = Files.walk(validator.home)) {
            assertThat(scratch.filter(f -> f.getFileName().toString().startsWith("train-images"))).as("no plaintext kept").isEmpty();
        }

        CliRun shown = honestA.ok("data", "pool", "show", pool);
        System.out.println(shown.out());
        BigInteger earnsA = DEPOSIT.multiply(BigInteger.valueOf(a)).divide(BigInteger.valueOf(a + b));
        BigInteger earnsB = DEPOSIT.multiply(BigInteger.valueOf(b)).divide(BigInteger.valueOf(a + b));
        assertThat(shown.out()).contains("#" + contributions[0], "#" + dataA, Long.toString(a));
        assertThat(honestA.ok("data", "pool", "ls").out()).contains("#" + pool, "scoring");

        chain.request("evm_increaseTime", 601);
        chain.request("evm_mine");
        BigInteger beforeA = honestA.hUsd();
        BigInteger beforeB = honestB.hUsd();
        BigInteger beforeC = mislabeler.hUsd();
        assertThat(honestA.ok("data", "pool", "claim", pool).out()).contains("Claimed ");
        assertThat(honestB.ok("data", "pool", "claim", pool).out()).contains("Claimed ");
        assertThat(mislabeler.ok("data", "pool", "claim", pool).out()).contains("nothing to claim");
        assertThat(validator.refused("data", "pool", "claim", pool).errorLine()).contains("made no contribution");
        assertThat(honestA.hUsd().subtract(beforeA)).isEqualTo(earnsA);
        assertThat(honestB.hUsd().subtract(beforeB)).isEqualTo(earnsB);
        assertThat(mislabeler.hUsd()).isEqualTo(beforeC);
        assertThat(earnsA.add(earnsB)).isLessThanOrEqualTo(DEPOSIT);
        assertThat(honestA.ok("data", "pool", "show", pool).out()).contains("claiming");
        assertThat(owner.refused("data", "pool", "reclaim", pool).errorLine()).contains("was scored");
        assertThat(honestA.refused("data", "pool", "reclaim", "1").errorLine()).contains("belongs to");
        BigInteger ownerBefore = owner.hUsd();
        assertThat(owner.ok("data", "pool", "reclaim", "1").out()).contains("Reclaimed 1 hUSD from unscored pool #1");
        assertThat(owner.hUsd().subtract(ownerBefore)).isEqualTo(BigInteger.valueOf(1_000_000));
        assertThat(owner.refused("data", "pool", "reclaim", "1").errorLine()).contains("holds nothing to reclaim");

        // A model built on the pool gives its scored datasets 30 % of its revenue, split by the scores: revenue paid to
        // the model reaches the honest contributors by their scores, the mislabeler nothing.
        Path modelFile = Files.writeString(dir.resolve("model.bin"), "a model trained on pool " + pool);
        assertThat(owner.refused("model", "register", modelFile.toString(), "--license", "MIT", "--pool", "x").errorLine())
                .contains("is not POOL:SHARE_BPS");
        CliRun registered = owner.ok("model", "register", modelFile.toString(), "--license", "MIT", "--pool", pool + ":3000");
        Matcher m = Pattern.compile("Registered model #(\\d+)").matcher(registered.out());
        assertThat(m.find()).as(registered.out()).isTrue();
        long model = Long.parseLong(m.group(1));
        long shareA = 3000 * a / (a + b);
        long shareB = 3000 * b / (a + b);
        assertThat(read.assets().parents(model)).containsExactlyInAnyOrder(
                new dev.hypha.chain.assets.LineageEdge(dataA, (int) shareA), new dev.hypha.chain.assets.LineageEdge(dataB, (int) shareB));
        BigInteger revenue = BigInteger.valueOf(1_000_000);
        owner.ok("royalties", "pay", Long.toString(model), "1");
        var token = dev.hypha.core.crypto.Address.parse(deployment.address("PaymentToken"));
        assertThat(read.royalties().balanceOf(token, dev.hypha.core.crypto.Address.parse(honestA.address())))
                .isEqualTo(revenue.multiply(BigInteger.valueOf(shareA)).divide(BigInteger.valueOf(10_000)));
        assertThat(read.royalties().balanceOf(token, dev.hypha.core.crypto.Address.parse(honestB.address())))
                .isEqualTo(revenue.multiply(BigInteger.valueOf(shareB)).divide(BigInteger.valueOf(10_000)));
        assertThat(read.royalties().balanceOf(token, dev.hypha.core.crypto.Address.parse(mislabeler.address()))).isZero();
    }

    /** {@code count} training images from {@code first} as IDX files (labels all shifted when {@code wrong}). */
    private Path idxFolder(String name, ImageSplit train, int first, int count, boolean wrong) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) indices[i] = first + i;
        ImageSplit part = train.select(name, indices);
        ByteArrayOutputStream images = new ByteArrayOutputStream();
        header(images, 0x0803, count, 28, 28);
        images.write(part.pixels());
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        header(labels, 0x0801, count);
        for (int i = 0; i < count; i++) {
            int label = part.labels()[i] & 0xff;
            labels.write(wrong ? (label + 1 + i % 9) % 10 : label);
        }
        Files.write(folder.resolve("train-images-idx3-ubyte"), images.toByteArray());
        Files.write(folder.resolve("train-labels-idx1-ubyte"), labels.toByteArray());
        return folder;
    }

    private static void header(ByteArrayOutputStream out, int magic, int... dims) {
        int[] words = new int[dims.length + 1];
        words[0] = magic;
        System.arraycopy(dims, 0, words, 1, dims.length);
        for (int w : words) {
            out.write(w >>> 24);
            out.write(w >>> 16);
            out.write(w >>> 8);
            out.write(w);
        }
    }
}

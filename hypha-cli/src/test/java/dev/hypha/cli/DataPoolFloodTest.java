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
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainSpecParser;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.node.content.ServedFiles;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.pools.PoolScorer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * Issue 13's griefing of {@code hypha data pool score}: contributing is free and takes any content id, so a griefer
 * floods the pool with more junk contributions than the scorer trains on before the honest contributors add theirs.
 * The validator still scores every honest contribution (the junk is left out, unscored, with the reason), so the
 * owner cannot reclaim the deposits from under them. With small limits, a large first contribution does not crowd the
 * later ones out of the sample budget, and readable contributions past the contribution limit are left unscored with
 * the reason instead of failing the pool.
 */
class DataPoolFloodTest {
    private static final Pattern DATASET = Pattern.compile("Added dataset #(\\d+)");
    private static final Pattern POOL = Pattern.compile("Created pool #(\\d+)");
    private static final Pattern CONTRIBUTION = Pattern.compile("as contribution #(\\d+)");

    @TempDir
    Path dir;

    private Devnet devnet;
    private ChainClient chain;
    private Deployment deployment;

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
            ok("account", "import", "--light-kdf", "--private-key-file", keyFile.toString());
        }

        CliRun ok(String... args) {
            CliRun r = CliRun.run(Stream.concat(Stream.of("--home", home.toString(), "--rpc", devnet.rpcUrl(),
                    "--password-file", password.toString()), Stream.of(args)).toArray(String[]::new));
            assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.out() + r.err()).isZero();
            return r;
        }

        HyphaContracts contracts() {
            return HyphaContracts.connect(deployment, new TransactionSender(chain, key, new NonceManager(chain),
                    RevertDecoder.forHyphaContracts()));
        }

        /** Seals {@code count} images from {@code first} as a dataset, contributes it and grants it to the validator. */
        long contribute(String pool, ImageSplit train, int first, int count, User validator) throws IOException {
            Matcher d = DATASET.matcher(ok("data", "add", idxFolder(home.getFileName().toString(), train, first, count)
                    .toString(), "--license", "CC-BY-4.0").out());
            assertThat(d.find()).isTrue();
            Matcher c = CONTRIBUTION.matcher(ok("data", "pool", "contribute", pool, d.group(1)).out());
            assertThat(c.find()).isTrue();
            ok("data", "grant", d.group(1), validator.key.getAddress(), "--key", validator.ok("data", "key").out().strip());
            return Long.parseLong(c.group(1));
        }
    }

    @Test
    void junkPastTheLimitAndALargeFirstContributionDoNotStopTheHonestOnesFromBeingScored() throws Exception {
        assumeTrue(Files.exists(DatasetStore.DEBIAN_FASHION_MNIST.resolve("train-images-idx3-ubyte.gz")),
                "needs Debian's dataset-fashion-mnist (scripts/setup.sh installs it)");
        ImageSplit train = DatasetStore.readSplit(DatasetStore.DEBIAN_FASHION_MNIST, "train");
        devnet = new AnvilLauncher().accounts(8).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        List<ApiServer> gateways = new ArrayList<>();
        try {
            TransactionSender sender = new TransactionSender(chain, devnet.account(0), new NonceManager(chain),
                    RevertDecoder.forHyphaContracts());
            deployment = new Deployer(sender).deploy(DeployParams.devnet());
            HyphaContracts.connect(deployment, sender).payment().mint(devnet.account(1).getAddress(), BigInteger.valueOf(5_000_000));
            User owner = new User("owner", 1);
            User validator = new User("validator", 2);
            User griefer = new User("griefer", 3);
            User[] honest = {new User("honest-a", 4), new User("honest-b", 5), new User("honest-c", 6)};
            validator.ok("dataset", "import", "fashion-mnist");
            Matcher p = POOL.matcher(owner.ok("data", "pool", "create", "--contribute-for", "10m", "--score-for", "10m",
                    "--deposit", "5", "--validator", validator.key.getAddress()).out());
            assertThat(p.find()).isTrue();
            String pool = p.group(1);

            // The griefer floods the pool first: more junk than the scorer trains on, none of it readable.
            HyphaContracts asGriefer = griefer.contracts();
            List<Long> junk = new ArrayList<>();
            for (int i = 0; i <= PoolScorer.MAX_CONTRIBUTIONS; i++) {
                junk.add(asGriefer.pools().contribute(Long.parseLong(pool), ("junk " + i).getBytes(StandardCharsets.US_ASCII)));
            }
            // The first honest contribution is the largest.
            int[] sizes = {140, 60, 40};
            long[] contributions = new long[3];
            int first = 0;
            for (int i = 0; i < 3; i++) {
                contributions[i] = honest[i].contribute(pool, train, first, sizes[i], validator);
                first += sizes[i];
            }
            List<URI> from = new ArrayList<>();
            List<String> score = new ArrayList<>(List.of("data", "pool", "score", pool, "--spec", spec().toString(),
                    "--validation-samples", "300"));
            for (User u : honest) {
                ApiServer s = new ApiServer("127.0.0.1", 0, List.of(BlockRoutes.forFiles(
                        ServedFiles.sealedData(new ContentStore(u.home)), u.home)));
                s.start();
                gateways.add(s);
                from.add(URI.create("http://127.0.0.1:" + s.port()));
                score.add("--from");
                score.add("http://127.0.0.1:" + s.port());
            }
            chain.request("evm_increaseTime", 601);
            chain.request("evm_mine");

            CliRun scored = validator.ok(score.toArray(String[]::new));
            assertThat(scored.out()).contains("Posted 3 score(s) to pool #" + pool, "Unscored contribution #" + junk.getFirst(),
                    "Unscored contribution #" + junk.getLast(), "registered no asset with its content id");
            HyphaContracts read = HyphaContracts.readOnly(deployment, chain);
            for (long c : contributions) {
                assertThat(read.pools().contribution(c).scoreCount()).as("honest contribution #" + c).isEqualTo(1);
            }
            for (long c : junk) {
                assertThat(read.pools().contribution(c).scoreCount()).as("junk contribution #" + c).isZero();
            }

            // The same pool under small limits, as the validator: 150 images shared by the first two readable ones.
            // Held out: training images no contribution holds.
            ImageSplit validation = train.select("held-out", java.util.stream.IntStream.range(10_000, 10_300).toArray());
            LongSupplier now = () -> chain.latestBlock().getTimestamp().longValueExact();
            try (Parallel parallel = new Parallel(2)) {
                PoolScorer small = new PoolScorer(validator.home, validator.contracts(), validator.key, from, now,
                        new PoolScorer.Limits(2, PoolScorer.MAX_EXAMINED, 150));
                PoolScorer.Report report = small.score(Long.parseLong(pool), trainSpec(), validation, 1,
                        new FloatMatMul(parallel), line -> { });
                assertThat(report.scored()).extracting(s -> s.entry().contributionId())
                        .containsExactly(contributions[0], contributions[1]);
                // Largest cap with sum(min(n, cap)) <= 150 over 140 and 60: 90, so the later 60 are all kept.
                assertThat(report.scored()).extracting(s -> s.entry().samples()).containsExactly(90, 60);
                assertThat(report.skipped()).hasSize(junk.size() + 1);
                assertThat(report.skipped().getLast().contributionId()).isEqualTo(contributions[2]);
                assertThat(report.skipped().getLast().reason()).contains("trains on the first 2 readable contributions");

                PoolScorer three = new PoolScorer(validator.home, validator.contracts(), validator.key, from, now,
                        new PoolScorer.Limits(3, PoolScorer.MAX_EXAMINED, 150));
                report = three.score(Long.parseLong(pool), trainSpec(), validation, 1, new FloatMatMul(parallel), line -> { });
                assertThat(report.scored()).extracting(s -> s.entry().samples()).containsExactly(55, 55, 40);
                assertThat(report.skipped()).hasSize(junk.size());
            }
        } finally {
            for (ApiServer s : gateways) s.close();
            chain.close();
            devnet.close();
        }
    }

    private Path spec() throws IOException {
        return Files.writeString(dir.resolve("probe.toml"), """
                name = "pool-flood-probe"
                dataset = "fashion-mnist"
                seed = 3
                steps = 40
                batch = 16
                checkpoint_every = 0
                layers = ["flatten", "linear 784 32", "relu", "linear 32 10"]
                [optimizer]
                kind = "adamw"
                learning_rate = 0.003
                min_learning_rate = 0.0003
                warmup_steps = 5
                weight_decay = 0.01
                clip_norm = 5.0
                """);
    }

    private TrainSpec trainSpec() throws IOException {
        Path file = spec();
        return TrainSpecParser.parse(file.toString(), Files.readAllBytes(file));
    }

    /** {@code count} training images from {@code first} as IDX files. */
    private Path idxFolder(String name, ImageSplit train, int first, int count) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("data-" + name));
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) indices[i] = first + i;
        ImageSplit part = train.select(name, indices);
        ByteArrayOutputStream images = new ByteArrayOutputStream();
        header(images, 0x0803, count, 28, 28);
        images.write(part.pixels());
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        header(labels, 0x0801, count);
        labels.write(part.labels());
        Files.write(folder.resolve("train-images-idx3-ubyte"), images.toByteArray());
        Files.write(folder.resolve("train-labels-idx1-ubyte"), labels.toByteArray());
        return folder;
    }

    private static void header(ByteArrayOutputStream out, int magic, int... dims) {
        for (int w : java.util.stream.IntStream.concat(java.util.stream.IntStream.of(magic), java.util.stream.IntStream.of(dims)).toArray()) {
            out.write(w >>> 24);
            out.write(w >>> 16);
            out.write(w >>> 8);
            out.write(w);
        }
    }
}

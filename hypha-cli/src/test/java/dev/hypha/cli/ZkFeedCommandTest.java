package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.contracts.ProvenClassGate;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.Deployments;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.ProvenFeedClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.chain.tx.TxRequest;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.node.devnet.ProvenFeedSetup;
import dev.hypha.zk.mlp.MlpTrace;
import dev.hypha.zk.mlp.ShippedModel;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * {@code hypha zk feed post|show} on a real anvil chain (its default 30M block gas limit) with the contracts deployed as
 * `hypha up` deploys them and the shipped Fashion-MNIST model's feed created as `hypha up` creates it: an image is
 * proved, the proof verified on chain and recorded with the class the engine computes; `show` lists the round; a
 * ProvenClassGate admits the image only when its proven class is allowed.
 */
class ZkFeedCommandTest {
    private static final Pattern POSTED = Pattern.compile("class (\\d+) .*round (\\d+) of feed");
    private static final Pattern GAS = Pattern.compile("gas used ([0-9,]+)");
    private static Devnet devnet;
    private static ChainClient chain;
    private static TransactionSender deployer;
    private static Deployment deployment;
    private static ShippedModel model;

    @TempDir
    Path dir;
    Path home;
    Path passwordFile;

    @BeforeAll
    static void startChain() {
        devnet = new AnvilLauncher().accounts(3).start();
        chain = ChainClient.connect(devnet.rpcUrl());
        deployer = new TransactionSender(chain, devnet.account(0), new NonceManager(chain), RevertDecoder.forHyphaContracts());
        deployment = new Deployer(deployer).deploy(DeployParams.devnet());
        model = ShippedModel.fashionMnist();
    }

    @AfterAll
    static void stopChain() {
        chain.close();
        devnet.close();
    }

    @BeforeEach
    void homeWithAnAccount() throws IOException {
        home = dir.resolve("home");
        new Deployments(home.resolve("deployments")).save(deployment);
        passwordFile = Files.writeString(dir.resolve("password"), "pw\n");
        Credentials key = devnet.account(1);
        Path keyFile = Files.writeString(dir.resolve("key"), key.getEcKeyPair().getPrivateKey().toString(16));
        CliRun imported = hypha("account", "import", "--light-kdf", "--private-key-file", keyFile.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
    }

    private CliRun hypha(String... args) {
        String[] all = Stream.concat(Stream.of("--home", home.toString(), "--rpc", devnet.rpcUrl(),
                "--password-file", passwordFile.toString()), Stream.of(args)).toArray(String[]::new);
        return CliRun.run(all);
    }

    /** An IDX test-image file of these 28 x 28 images (what Debian's t10k-images-idx3-ubyte holds, uncompressed). */
    private Path idxImages(byte[]... images) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("fashion"));
        byte[] out = new byte[16 + 784 * images.length];
        out[2] = 8;
        out[3] = 3;
        out[7] = (byte) images.length;
        out[11] = 28;
        out[15] = 28;
        for (int i = 0; i < images.length; i++) {
            System.arraycopy(images[i], 0, out, 16 + 784 * i, 784);
        }
        Files.write(folder.resolve("t10k-images-idx3-ubyte"), out);
        return folder;
    }

    private static byte[] randomImage(long seed) {
        byte[] image = new byte[784];
        new SplittableRandom(seed).nextBytes(image);
        return image;
    }

    @Test
    void aProvenClassificationIsPostedShownAndGatesAContract() throws Exception {
        ProvenFeedSetup.ensure(HyphaContracts.connect(deployment, deployer), model, line -> { });
        // idempotent: a second `hypha up` keeps the feed
        ProvenFeedClient.Feed feed = ProvenFeedSetup.ensure(HyphaContracts.connect(deployment, deployer), model, line -> { });
        assertThat(feed.pins(model.id(), model.root())).isTrue();

        byte[] image = randomImage(7);
        Path folder = idxImages(randomImage(6), image);
        Path proofFile = dir.resolve("image1.proof");
        CliRun post = hypha("zk", "feed", "post", "--index", "1", "--dataset-dir", folder.toString(), "--out",
                proofFile.toString());
        assertThat(post.exitCode()).as(post.err()).isZero();
        assertThat(post.err()).contains("committing to the model").contains("opening the model and the witness")
                .contains("posting to ProvenPredictionFeed");
        Matcher posted = POSTED.matcher(post.out());
        assertThat(posted.find()).as(post.out()).isTrue();
        int engineClass = MlpTrace.of(model.file().model(), image).predictedClass();
        assertThat(Integer.parseInt(posted.group(1))).isEqualTo(engineClass);
        assertThat(posted.group(2)).isEqualTo("0");
        Matcher gas = GAS.matcher(post.out());
        assertThat(gas.find()).as(post.out()).isTrue();
        long gasUsed = Long.parseLong(gas.group(1).replace(",", ""));
        System.out.println("hypha zk feed post: " + gasUsed + " gas for a " + Files.size(proofFile) + "-byte proof");
        assertThat(gasUsed).isBetween(1_000_000L, 30_000_000L);

        // the proof kept beside it verifies off chain against the shipped model, which the post put in the store
        CliRun verify = hypha("zk", "verify", proofFile.toString(), "--model", model.id());
        assertThat(verify.exitCode()).as(verify.err()).isZero();
        assertThat(verify.out()).contains("class " + engineClass);

        CliRun show = hypha("zk", "feed", "show");
        assertThat(show.exitCode()).as(show.err()).isZero();
        String inputHash = HexFormat.of().formatHex(Hashes.sha256(image));
        assertThat(show.out()).contains("the shipped int8 model " + model.id()).contains("1 round,")
                .contains("round 0: class " + engineClass + " ").contains(inputHash);

        // a consumer contract acts on the proven class only
        byte[] feedId = ProvenFeedClient.feedId(model.name());
        String allowing = gate(feedId, BigInteger.ONE.shiftLeft(engineClass));
        String refusing = gate(feedId, BigInteger.ONE.shiftLeft(10).subtract(BigInteger.ONE).clearBit(engineClass));
        TransactionReceipt admitted = deployer.send(TxRequest.call("ProvenClassGate", "admit", allowing, admit(image)));
        assertThat(admitted.isStatusOK()).isTrue();
        assertThatThrownBy(() -> deployer.send(TxRequest.call("ProvenClassGate", "admit", refusing, admit(image))))
                .hasMessageContaining("ClassNotAllowed");
        assertThatThrownBy(() -> deployer.send(TxRequest.call("ProvenClassGate", "admit", allowing,
                admit(randomImage(6))))).hasMessageContaining("NotProven");
    }

    @Test
    void aBadIndexAndAMissingFileAreClearErrors() throws Exception {
        Path folder = idxImages(randomImage(1));
        CliRun outOfRange = hypha("zk", "feed", "post", "--index", "1", "--dataset-dir", folder.toString());
        assertThat(outOfRange.exitCode()).isNotZero();
        assertThat(outOfRange.err()).contains("--index 1 is not a test image: there are 1 (0..0)");
        CliRun missing = hypha("zk", "feed", "post", "--index", "0", "--dataset-dir", dir.resolve("nowhere").toString());
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("no t10k-images-idx3-ubyte(.gz)");
        CliRun both = hypha("zk", "feed", "post", "--index", "0", "--input", folder.toString());
        assertThat(both.exitCode()).isNotZero();
        CliRun noSuchDevAccount = hypha("zk", "feed", "post", "--index", "0", "--dataset-dir", folder.toString(),
                "--dev-account", "12");
        assertThat(noSuchDevAccount.exitCode()).isNotZero();
        assertThat(noSuchDevAccount.err()).contains("--dev-account 12 is out of range: expected 0 to 9");
    }

    private static String gate(byte[] feedId, BigInteger allowed) {
        String code = ProvenClassGate.BINARY + FunctionEncoder.encodeConstructor(List.of(
                new Address(deployment.address(ProvenFeedClient.NAME)), new Bytes32(feedId), new Uint256(allowed)));
        return deployer.send(TxRequest.deploy("ProvenClassGate", code)).getContractAddress();
    }

    private static String admit(byte[] image) {
        return FunctionEncoder.encode(new Function("admit", List.of(new Bytes32(Hashes.sha256(image))), List.of()));
    }
}

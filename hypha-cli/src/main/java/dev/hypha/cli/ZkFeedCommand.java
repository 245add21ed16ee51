package dev.hypha.cli;

import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.ProvenFeedClient;
import dev.hypha.cli.zk.FashionMnistImages;
import dev.hypha.cli.zk.InputImage;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.zk.mlp.MlpProofFile;
import dev.hypha.zk.mlp.MlpProver;
import dev.hypha.zk.mlp.ShippedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hypha zk feed post|show}: proves the shipped Fashion-MNIST int8 model's classification of one image and posts
 * the proof to the deployment's proven feed for that model (ProvenPredictionFeed verifies it on chain through
 * MlpProofVerifier), and lists a feed's rounds. `hypha up` creates the feed (docs/ZK.md, "Proven feed").
 */
@Command(name = "feed", description = "Post proven Fashion-MNIST classifications to the on-chain proven feed, or list it.",
        subcommands = {ZkFeedCommand.Post.class, ZkFeedCommand.Show.class})
public final class ZkFeedCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** The feed of the shipped model, checked to exist and to pin that model. */
    static ProvenFeedClient.Feed requireFeed(HyphaContracts contracts, ShippedModel model, byte[] feedId) {
        ProvenFeedClient.Feed feed = contracts.feeds().feed(feedId);
        if (!feed.exists()) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no proven feed '" + model.name() + "' in ProvenPredictionFeed "
                    + contracts.feeds().address() + ": `hypha up` creates it");
        }
        return feed;
    }

    /** Which image: a Fashion-MNIST test image by index, or a file. */
    static final class Source {
        @Option(names = "--index", paramLabel = "N", description = "A Fashion-MNIST test image (0..9999), read from "
                + "--dataset-dir (default: Debian's dataset-fashion-mnist).")
        Integer index;

        @Option(names = "--input", paramLabel = "FILE", description = "A 28 x 28 PNG or 784 raw pixel bytes.")
        Path input;
    }

    @Command(name = "post", description = "Prove the shipped Fashion-MNIST model's class of one image and post the proof "
            + "to its proven feed; prints the transaction, its gas and the proven class.")
    static final class Post implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        @Option(names = "--dataset-dir", paramLabel = "DIR", description = "Folder of the Fashion-MNIST IDX files "
                + "(t10k-images-idx3-ubyte[.gz], and labels to print the true class).")
        Path datasetDir;

        @Option(names = "--out", paramLabel = "PROOF", description = "Also keep the proof file here (`hypha zk verify` "
                + "reads it).")
        Path out;

        @Option(names = "--dev-account", paramLabel = "N", description = "Post as anvil dev account N (local chain "
                + "only) instead of your keystore account.")
        Integer devAccount;

        @Override
        public Integer call() {
            try (Session session = Session.of(spec)) {
                PrintWriter stdout = session.out();
                PrintWriter stderr = session.err();
                ShippedModel model = ShippedModel.fashionMnist();
                String what;
                byte[] pixels;
                String label = "";
                if (source.index != null) {
                    FashionMnistImages.Image image = FashionMnistImages.testImage(datasetDir, source.index);
                    pixels = image.pixels();
                    what = "Fashion-MNIST test image " + image.index();
                    if (image.label().isPresent()) {
                        label = " (labelled " + image.label().getAsInt() + " " + ShippedModel.className(
                                image.label().getAsInt()) + ")";
                    }
                } else {
                    pixels = InputImage.read(source.input, model.file().model().inputSize());
                    what = source.input.toString();
                }
                HyphaContracts contracts = devAccount == null ? session.contractsAsSigner()
                        : HyphaContracts.connect(session.deployment(), session.sender(
                                ProviderStartCommand.devKey(devAccount, session.deployment().chainId())));
                byte[] feedId = ProvenFeedClient.feedId(model.name());
                requireFeed(contracts, model, feedId);
                // the verifier of `hypha zk verify --model ID` finds the model in the content store
                new ContentStore(session.home()).put(model.bytes());

                stderr.println("proving " + what + label + " with int8 model " + model.id());
                stderr.flush();
                long start = System.nanoTime();
                MlpProver.Result result = MlpProver.prove(model.file().model(), model.id(), pixels, phase -> {
                    stderr.println(String.format(Locale.ROOT, "[%6.0f ms] %s", (System.nanoTime() - start) / 1e6, phase));
                    stderr.flush();
                });
                byte[] proof = new MlpProofFile(result.statement(), result.proof()).encode();
                stderr.println(String.format(Locale.ROOT, "[%6.0f ms] proved: class %d, %,d bytes; posting to "
                        + "ProvenPredictionFeed %s (verified on chain)...", (System.nanoTime() - start) / 1e6,
                        result.statement().predictedClass(), proof.length, contracts.feeds().address()));
                stderr.flush();
                if (out != null) {
                    write(out, proof);
                }
                TransactionReceipt receipt = contracts.feeds().post(feedId, proof);
                Posted posted = posted(receipt, contracts.feeds().address());
                stdout.println("class " + posted.predictedClass() + " " + ShippedModel.className(posted.predictedClass())
                        + label + ": proven and posted as round " + posted.round() + " of feed " + model.name());
                stdout.println("  tx " + receipt.getTransactionHash() + "  block " + receipt.getBlockNumber() + "  gas used "
                        + String.format(Locale.ROOT, "%,d", receipt.getGasUsed()) + " (verification, calldata of the "
                        + String.format(Locale.ROOT, "%,d", proof.length) + "-byte proof, recording)");
                stdout.println("  input sha256 " + HexFormat.of().formatHex(result.statement().inputHash())
                        + (out == null ? "" : "  proof " + out));
            }
            return ExitCodes.OK;
        }

        /** The round and class of the PredictionPosted event the post emitted. */
        private record Posted(long round, int predictedClass) {}

        private static Posted posted(TransactionReceipt receipt, String feedAddress) {
            for (Log log : receipt.getLogs()) {
                // PredictionPosted(bytes32 indexed feedId, uint256 indexed round, uint256 class_, bytes32 indexed inputHash,
                // address poster): topics [signature, feedId, round, inputHash], data [class_, poster]
                if (log.getAddress().equalsIgnoreCase(feedAddress) && log.getTopics().size() == 4) {
                    long round = new BigInteger(log.getTopics().get(2).substring(2), 16).longValueExact();
                    int cls = new BigInteger(log.getData().substring(2, 66), 16).intValueExact();
                    return new Posted(round, cls);
                }
            }
            throw new HyphaException(ErrorCategory.CHAIN, "transaction " + receipt.getTransactionHash()
                    + " succeeded but emitted no PredictionPosted event");
        }

        private static void write(Path target, byte[] bytes) {
            Path dir = target.toAbsolutePath().getParent();
            try {
                Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
                try {
                    Files.write(tmp, bytes);
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException e) {
                throw HyphaException.io("cannot write " + target + ": " + e.getMessage(), e);
            }
        }
    }

    @Command(name = "show", description = "The shipped Fashion-MNIST model's proven feed: the model it pins and its "
            + "latest rounds.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--last", paramLabel = "N", defaultValue = "10", description = "How many of the latest rounds "
                + "(default: ${DEFAULT-VALUE}).")
        int last;

        @Override
        public Integer call() {
            if (last < 0) {
                throw HyphaException.input("--last " + last + " is negative");
            }
            try (Session session = Session.of(spec)) {
                PrintWriter stdout = session.out();
                ShippedModel model = ShippedModel.fashionMnist();
                HyphaContracts contracts = session.contractsForReading();
                byte[] feedId = ProvenFeedClient.feedId(model.name());
                ProvenFeedClient.Feed feed = requireFeed(contracts, model, feedId);
                stdout.println("feed " + model.name() + " in ProvenPredictionFeed " + contracts.feeds().address());
                stdout.println("  model root 0x" + HexFormat.of().formatHex(feed.modelRoot()) + (feed.pins(model.id(),
                        model.root()) ? " (the shipped int8 model " + model.id() + ")" : " (NOT the shipped model)"));
                stdout.println("  " + feed.rounds() + " round" + (feed.rounds() == 1 ? "" : "s") + ", created by "
                        + feed.creator());
                for (long r = feed.rounds() - 1; r >= Math.max(0, feed.rounds() - last); r--) {
                    ProvenFeedClient.Prediction p = contracts.feeds().prediction(feedId, r);
                    stdout.println(String.format(Locale.ROOT, "  round %d: class %d %s  input sha256 %s  poster %s  block %d",
                            r, p.predictedClass(), ShippedModel.className(p.predictedClass()),
                            HexFormat.of().formatHex(p.inputHash()), p.poster(), p.blockNumber()));
                }
            }
            return ExitCodes.OK;
        }
    }
}

package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.contracts.ProvenPredictionFeed;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * ProvenPredictionFeed (docs/ZK.md, "Proven feed"): feeds of one model's classifications that only a valid hypha-zk
 * proof moves. Create a feed pinned to a model id and weight root, post a proof file, read a feed and its rounds. The
 * verifier it calls is MlpProofVerifier, deployed with it.
 */
public final class ProvenFeedClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "ProvenPredictionFeed";
    /** The on-chain verifier of proof files. */
    public static final String VERIFIER = "MlpProofVerifier";

    private final ContractCalls calls;
    private final ProvenPredictionFeed binding;

    ProvenFeedClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, ProvenPredictionFeed::load);
    }

    /** A feed: who created it, keccak256 of the pinned model id, the pinned weight root, the rounds posted. */
    public record Feed(String creator, byte[] modelIdHash, byte[] modelRoot, long rounds) {
        public boolean exists() {
            return !creator.equals("0x0000000000000000000000000000000000000000");
        }

        /** Whether this feed pins exactly this model. */
        public boolean pins(String modelId, byte[] root) {
            return Arrays.equals(modelIdHash, Hash.sha3(modelId.getBytes(StandardCharsets.UTF_8)))
                    && Arrays.equals(modelRoot, root);
        }
    }

    /** One proven classification: the class, the input's SHA-256, who posted it, in which block. */
    public record Prediction(long round, int predictedClass, byte[] inputHash, String poster, long blockNumber) {}

    /** The 32-byte feed id of a feed name: keccak256 of its UTF-8 bytes. */
    public static byte[] feedId(String name) {
        return Hash.sha3(name.getBytes(StandardCharsets.UTF_8));
    }

    /** Creates a feed pinned to the model with this content id and weight root. */
    public TransactionReceipt createFeed(byte[] feedId, String modelId, byte[] modelRoot) {
        return calls.write(NAME, "createFeed", binding.createFeed(feedId, modelId, modelRoot));
    }

    /** Posts a proof file: the contract verifies it (and that it is about the feed's model) and records its class. */
    public TransactionReceipt post(byte[] feedId, byte[] proofFile) {
        return calls.write(NAME, "post", binding.post(feedId, proofFile));
    }

    /** The feed (a feed nobody created has the zero creator). */
    public Feed feed(byte[] feedId) {
        ProvenPredictionFeed.Feed f = read(NAME + ".feed", () -> binding.feed(feedId).send());
        return new Feed(f.creator.toLowerCase(java.util.Locale.ROOT), f.modelIdHash, f.modelRoot,
                f.rounds.longValueExact());
    }

    /** Round {@code round} of the feed. */
    public Prediction prediction(byte[] feedId, long round) {
        ProvenPredictionFeed.Prediction p = read(NAME + ".prediction",
                () -> binding.prediction(feedId, BigInteger.valueOf(round)).send());
        return new Prediction(round, p.class_.intValueExact(), p.inputHash, p.poster.toLowerCase(java.util.Locale.ROOT),
                p.blockNumber.longValueExact());
    }

    /** The latest proven classification of the input with this SHA-256, if any was posted. */
    public Optional<Prediction> predictionFor(byte[] feedId, byte[] inputHash) {
        Feed f = feed(feedId);
        for (long r = f.rounds() - 1; r >= 0; r--) {
            Prediction p = prediction(feedId, r);
            if (Arrays.equals(p.inputHash(), inputHash)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The contract's address. */
    public String address() {
        return binding.getContractAddress();
    }
}

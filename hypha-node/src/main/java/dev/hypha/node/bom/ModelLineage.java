package dev.hypha.node.bom;

import dev.hypha.core.errors.HyphaException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Where a model came from, as the BOM exports state it: the datasets it was trained on and the base model it was tuned
 * from (from AssetRegistry's lineage edges of its registered asset, and from the training job's own record), and the
 * training job that produced it. Every text here reaches the documents, so each is checked to be a plain token.
 *
 * @param assetId the model's asset in AssetRegistry, when registered
 */
public record ModelLineage(OptionalLong assetId, List<Source> sources, Optional<TrainingJob> job) {
    /** A model of unknown lineage. */
    public static final ModelLineage NONE = new ModelLineage(OptionalLong.empty(), List.of(), Optional.empty());
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9.+:()/\\-_ ]{1,200}");

    /** What a source is to the model. */
    public enum Role { DATASET, BASE_MODEL }

    /**
     * One parent.
     *
     * @param assetId   its AssetRegistry id, or 0 when only its content id is known (a job's input not registered)
     * @param contentId its IPFS content id (for a registered sealed dataset: the ciphertext's)
     * @param licence   its SPDX licence expression, when registered
     * @param shareBps  the share of the model's revenue its lineage edge declares (basis points), 0 when none
     */
    public record Source(Role role, long assetId, String contentId, Optional<String> licence, int shareBps) {
        public Source {
            Objects.requireNonNull(role, "role");
            check("content id", contentId);
            licence.ifPresent(l -> check("licence", l));
            if (assetId < 0 || shareBps < 0 || shareBps > 10_000) throw new IllegalArgumentException("asset id or share out of range");
        }

        /** Stable reference inside a document. */
        String ref() {
            return "hypha:" + (role == Role.DATASET ? "dataset" : "model") + ":" + (assetId > 0 ? "asset-" + assetId : contentId);
        }

        String name() {
            return (role == Role.DATASET ? "dataset " : "model ") + (assetId > 0 ? "#" + assetId : contentId);
        }
    }

    /**
     * The compute-market job that trained the model.
     *
     * @param spec     the job spec's content id
     * @param market   the ComputeMarket contract's address
     * @param provider the provider that held the lease
     */
    public record TrainingJob(String spec, long chainId, String market, String orderId, String provider) {
        public TrainingJob {
            check("spec", spec);
            check("market", market);
            check("order", orderId);
            check("provider", provider);
        }

        /** The job's id across chains: chain id, market and order. */
        String uid() {
            return "eip155:" + chainId + ":" + market + ":order-" + orderId;
        }
    }

    public ModelLineage {
        Objects.requireNonNull(assetId, "assetId");
        sources = List.copyOf(sources);
        Objects.requireNonNull(job, "job");
    }

    public List<Source> datasets() {
        return sources.stream().filter(s -> s.role() == Role.DATASET).toList();
    }

    public List<Source> baseModels() {
        return sources.stream().filter(s -> s.role() == Role.BASE_MODEL).toList();
    }

    private static void check(String what, String text) {
        if (text == null || !TOKEN.matcher(text).matches()) {
            throw HyphaException.input("lineage " + what + " '" + String.valueOf(text).replaceAll("[^\\x20-\\x7e]", "?")
                    + "' is not 1 to 200 plain characters");
        }
    }
}

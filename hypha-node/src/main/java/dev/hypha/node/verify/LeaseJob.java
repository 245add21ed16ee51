package dev.hypha.node.verify;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.data.DatasetManifest;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.ml.train.verify.Replayer;
import dev.hypha.node.compute.ContentFetcher;
import dev.hypha.node.compute.Job;
import dev.hypha.node.compute.JobLimits;
import dev.hypha.node.compute.JobSpecs;
import java.util.Optional;
import org.web3j.utils.Numeric;

/**
 * The job of a lease as a replayer needs it: the spec named by the order's digest and the dataset split it trains on,
 * taken from a content store and fetched (every block verified, sizes bounded by {@link JobLimits}) when absent. The
 * spec is read as hostile input with the provider's own rules. Only classifier jobs can be replayed: a LoRA job's
 * state is not committed yet.
 */
public record LeaseJob(ContentId specId, byte[] specDigest, TrainSpec spec, ImageSplit data) {
    /** Largest dataset manifest accepted (a few hundred bytes in practice). */
    private static final long MAX_MANIFEST_BYTES = 1 << 20;

    public LeaseJob {
        specDigest = specDigest.clone();
    }

    @Override
    public byte[] specDigest() {
        return specDigest.clone();
    }

    /**
     * The job whose spec digest is {@code orderSpecHex} (the order's {@code spec}, 0x-hex), from {@code store}, fetching
     * what is missing through {@code fetcher} (empty: the store must have everything, as a provider's does).
     */
    public static LeaseJob load(String orderSpecHex, ContentStore store, Optional<ContentFetcher> fetcher, JobLimits limits) {
        byte[] digest = Numeric.hexStringToByteArray(orderSpecHex);
        ContentId specId = JobSpecs.specId(digest);
        Job job = JobSpecs.read(specId.toString(), have(store, fetcher, specId, limits.maxSpecBytes()), limits);
        if (!(job instanceof Job.Train train)) {
            throw HyphaException.input("spec " + specId + " is a LoRA fine-tune, whose training state is not committed "
                    + "on chain yet: it cannot be replayed");
        }
        TrainSpec spec = train.spec();
        if (spec.dataAsset() != 0) {
            throw HyphaException.input("spec " + specId + " trains on sealed asset #" + spec.dataAsset() + " (compute-to-data):"
                    + " only the leaseholder holds its key, so it cannot be replayed elsewhere");
        }
        ContentId dataset = ContentId.parse(spec.dataset());
        DatasetManifest manifest = DatasetManifest.decode(dataset.toString(), have(store, fetcher, dataset, MAX_MANIFEST_BYTES));
        DatasetManifest.Split split = manifest.splits().get(spec.split());
        if (split == null) {
            throw HyphaException.input("dataset " + dataset + " has no split '" + spec.split() + "'");
        }
        have(store, fetcher, split.images(), limits.maxDatasetFileBytes());
        have(store, fetcher, split.labels(), limits.maxDatasetFileBytes());
        return new LeaseJob(specId, digest, spec, new DatasetStore(store).load(dataset, spec.split()));
    }

    /** A replayer of this job computing with {@code gemm}. */
    public Replayer replayer(FloatMatMul gemm) {
        return new Replayer(spec, specDigest, data, gemm);
    }

    private static byte[] have(ContentStore store, Optional<ContentFetcher> fetcher, ContentId id, long maxBytes) {
        if (store.contains(id)) {
            return store.get(id);
        }
        if (fetcher.isEmpty()) {
            throw HyphaException.input("the store has no " + id + " and there is nowhere to fetch it from");
        }
        byte[] bytes = fetcher.get().fetch(id, maxBytes);
        ContentId stored = store.put(bytes);
        if (!stored.equals(id)) {
            throw HyphaException.input("fetched " + id + " but its bytes are " + stored); // never: every block was checked
        }
        return bytes;
    }
}

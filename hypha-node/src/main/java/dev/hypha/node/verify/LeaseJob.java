package dev.hypha.node.verify;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.train.data.DatasetManifest;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.LoraRun;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.verify.ClassifierReplay;
import dev.hypha.ml.train.verify.LoraReplay;
import dev.hypha.ml.train.verify.ReplayableTraining;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.ml.train.verify.Replayer;
import dev.hypha.node.compute.ContentFetcher;
import dev.hypha.node.compute.FinetuneSpec;
import dev.hypha.node.compute.Job;
import dev.hypha.node.compute.JobLimits;
import dev.hypha.node.compute.JobSpecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import org.web3j.utils.Numeric;

/**
 * The job of a lease as a replayer needs it: the spec named by the order's digest and what it trains on (a classifier's
 * dataset split, a LoRA fine-tune's base model and data), taken from a content store and fetched (every block verified,
 * sizes bounded by {@link JobLimits}) when absent. The spec is read as hostile input with the provider's own rules.
 * Jobs on sealed data (compute-to-data) cannot be replayed: only the leaseholder holds the key.
 */
public record LeaseJob(ContentId specId, byte[] specDigest, Function<FloatMatMul, ReplayableTraining> training) {
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
        return switch (job) {
            case Job.Train train -> classifier(specId, digest, train.spec(), store, fetcher, limits);
            case Job.Finetune finetune -> finetune(specId, digest, finetune.spec(), store, fetcher, limits);
        };
    }

    private static LeaseJob classifier(ContentId specId, byte[] digest, TrainSpec spec, ContentStore store,
                                       Optional<ContentFetcher> fetcher, JobLimits limits) {
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
        if (spec.hasInit()) { // a DiLoCo round's lease starts from the round's global model
            have(store, fetcher, ContentId.parse(spec.init()), limits.maxBaseModelBytes());
        }
        ImageSplit data = new DatasetStore(store).load(dataset, spec.split());
        return new LeaseJob(specId, digest, gemm -> new ClassifierReplay(spec, data, gemm, store));
    }

    /**
     * A fine-tune: the base is read from its blob in the store and the data from a copy named as the provider names
     * it (the name tells chat JSONL from text), both once, into memory (the base as frozen floats, the data as tokens).
     */
    private static LeaseJob finetune(ContentId specId, byte[] digest, FinetuneSpec spec, ContentStore store,
                                     Optional<ContentFetcher> fetcher, JobLimits limits) {
        if (spec.dataAsset() != 0) {
            throw HyphaException.input("spec " + specId + " fine-tunes on sealed asset #" + spec.dataAsset()
                    + " (compute-to-data): only the leaseholder holds its key, so it cannot be replayed elsewhere");
        }
        have(store, fetcher, spec.baseModel(), limits.maxBaseModelBytes());
        byte[] data = have(store, fetcher, spec.data(), limits.maxDatasetFileBytes());
        LoraRun.Inputs inputs;
        Path folder = null;
        try {
            folder = Files.createTempDirectory("hypha-replay-");
            Path dataFile = folder.resolve(spec.dataFileName());
            Files.write(dataFile, data);
            inputs = LoraRun.Inputs.read(store.blobPath(spec.baseModel()), dataFile, spec.options());
        } catch (IOException e) {
            throw HyphaException.io("cannot stage the data of spec " + specId + " for replay: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("spec " + specId + " cannot be replayed: " + e.getMessage(), e);
        } finally {
            deleteQuietly(folder);
        }
        return new LeaseJob(specId, digest, gemm -> new LoraReplay(inputs, spec.options(), gemm));
    }

    private static void deleteQuietly(Path folder) {
        if (folder == null) {
            return;
        }
        try (var files = Files.list(folder)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            // a leftover temporary copy of public data: harmless
        }
    }

    /** A replayer of this job computing with {@code gemm}. */
    public Replayer replayer(FloatMatMul gemm) {
        return new Replayer(training.apply(gemm), specDigest);
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

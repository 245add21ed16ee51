package dev.hypha.node.compute;

import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import dev.hypha.ml.tensor.FloatMatMul;
import dev.hypha.ml.tensor.Parallel;
import dev.hypha.ml.train.data.DatasetManifest;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.LoraFinetune;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.Trainer;
import dev.hypha.ml.train.run.TrainingListener;
import dev.hypha.ml.train.run.TrainingRun;
import dev.hypha.ml.train.store.ContentStore;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.web3j.utils.Numeric;

/**
 * Runs one leased job on the calling thread: fetches the spec (by the order's digest) and its inputs (the dataset split a
 * classifier trains on, or a fine-tune's base model and data) from the tenant's sources, checks the spec as hostile input and the job against the lease's memory budget, trains
 * with at most the lease's cores as threads, reports every step, and stops at the next step once {@link #stop} is
 * called. A lease starts from its spec's declared initial state and resumes only from its own checkpoints
 * ({@link #checkpointRef}: the order and the lease's start; a fine-tune's work folder is named the same way by
 * {@link ComputeProvider}), so a restarted provider continues where it left off, with
 * bit-identical results, and a second lease of the same spec never continues from the first one's files (its first
 * segment after step 0 would otherwise span every step the other lease ran, far more than a verifier's round allows).
 */
public final class JobRunner {
    /** Largest dataset manifest accepted (a few hundred bytes in practice). */
    static final long MAX_MANIFEST_BYTES = 1 << 20;
    /** Progress lines written to the log over a whole run (plus one per checkpoint). */
    private static final long LOG_LINES = 50;

    /** Thrown out of the trainer to end a run early. */
    static final class Stopped extends RuntimeException {
        final boolean shutdown;

        Stopped(String reason, boolean shutdown) {
            super(reason, null, false, false);
            this.shutdown = shutdown;
        }
    }

    /** How a run ended. */
    public sealed interface Outcome {}

    /** Trained to the end; the model is {@code model}. */
    public record Done(ContentId model, byte[] modelBytes) implements Outcome {}

    /** Stopped early (the lease closed or ran out); {@code shutdown} when the provider itself is stopping. */
    public record Halted(String reason, boolean shutdown) implements Outcome {}

    /** Refused or broken. */
    public record Failed(String reason) implements Outcome {}

    private final BigInteger orderId;
    private final ComputeOrder order;
    private final List<String> sources;
    private final ComputeOffer offer;
    private final ContentStore store;
    private final JobBook book;
    private final HttpClient http;
    private final CheckpointListener checkpoints;
    private final LongSupplier nanoTime;
    private final Path workDir;
    /** Compute-to-data: where a sealed classifier dataset is opened, and the job's own store of it (job folder). */
    static final String SEALED_DATASET_FOLDER = "dataset";
    static final String SEALED_DATASET_STORE = "dataset-store";
    private final SealedInputs sealed;
    private final DevCheat cheat;
    private final AtomicReference<Stopped> stop = new AtomicReference<>();
    private final AtomicReference<JobProgress> progress = new AtomicReference<>();

    public JobRunner(BigInteger orderId, ComputeOrder order, List<String> sources, ComputeOffer offer, ContentStore store,
                     JobBook book, HttpClient http, CheckpointListener checkpoints, LongSupplier nanoTime, Path workDir) {
        this(orderId, order, sources, offer, store, book, http, checkpoints, nanoTime, workDir, SealedInputs.NONE);
    }

    /** @param sealed opens a fine-tune's sealed data (compute-to-data) */
    public JobRunner(BigInteger orderId, ComputeOrder order, List<String> sources, ComputeOffer offer, ContentStore store,
                     JobBook book, HttpClient http, CheckpointListener checkpoints, LongSupplier nanoTime, Path workDir,
                     SealedInputs sealed) {
        this(orderId, order, sources, offer, store, book, http, checkpoints, nanoTime, workDir, sealed, DevCheat.NONE);
    }

    /** @param cheat DEVELOPMENT AND TEST ONLY: how this provider fakes its jobs ({@link DevCheat#NONE}: it does not) */
    public JobRunner(BigInteger orderId, ComputeOrder order, List<String> sources, ComputeOffer offer, ContentStore store,
                     JobBook book, HttpClient http, CheckpointListener checkpoints, LongSupplier nanoTime, Path workDir,
                     SealedInputs sealed, DevCheat cheat) {
        this.sealed = java.util.Objects.requireNonNull(sealed, "sealed");
        this.cheat = java.util.Objects.requireNonNull(cheat, "cheat");
        this.orderId = orderId;
        this.order = order;
        this.sources = List.copyOf(sources);
        this.offer = offer;
        this.store = store;
        this.book = book;
        this.http = http;
        this.checkpoints = checkpoints;
        this.nanoTime = nanoTime;
        this.workDir = workDir;
    }

    /** Asks the run to stop at its next step. */
    public void stop(String reason, boolean shutdown) {
        stop.compareAndSet(null, new Stopped(reason, shutdown));
    }

    /** The latest report, if training has started. */
    public JobProgress progress() {
        return progress.get();
    }

    /** Runs the job to its end; never throws for a bad job (that is a {@link Failed}). */
    public Outcome run() {
        try {
            return train();
        } catch (Stopped s) {
            return new Halted(s.getMessage(), s.shutdown);
        } catch (HyphaException | IllegalArgumentException | ArithmeticException e) {
            return new Failed(e.getMessage());
        } catch (OutOfMemoryError e) {
            return new Failed("ran out of memory: " + e.getMessage());
        }
    }

    private Outcome train() {
        ContentFetcher fetcher = new ContentFetcher(http, sources.stream().map(URI::create).toList());
        ContentId specId = JobSpecs.specId(Numeric.hexStringToByteArray(order.spec()));
        byte[] specBytes = have(fetcher, specId, offer.limits().maxSpecBytes());
        Job job = JobSpecs.read(specId.toString(), specBytes, offer.limits());
        checkStop();
        return switch (job) {
            case Job.Train t -> trainClassifier(fetcher, specId, t.spec());
            case Job.Finetune f -> finetune(fetcher, specId, f.spec());
        };
    }

    private int threads() {
        return (int) Math.max(1, Math.min(order.needs().cores(), offer.capacity().cores()));
    }

    private void checkMemory(long needBytes) {
        long budget = order.needs().memoryMiB() << 20;
        if (needBytes > budget) {
            throw HyphaException.input("the job needs about " + (needBytes >> 20) + " MiB (parameters, optimizer state, "
                    + "data), more than the " + order.needs().memoryMiB() + " MiB the order reserved");
        }
    }

    private void running(long steps, String what) {
        book.get(orderId).ifPresent(r -> book.put(r.withState(JobState.RUNNING, "").withProgress(r.step(), steps, r.loss())));
        book.log(orderId, what);
    }

    private Outcome trainClassifier(ContentFetcher fetcher, ContentId specId, TrainSpec spec) {
        ContentId dataset = ContentId.parse(spec.dataset());
        if (spec.hasInit()) { // a DiLoCo round: the weights start from the round's global model, fetched like an input
            have(fetcher, ContentId.parse(spec.init()), offer.limits().maxBaseModelBytes());
            checkStop();
        }
        if (spec.dataAsset() != 0) {
            return trainClassifierOnSealed(specId, spec, dataset);
        }
        DatasetManifest manifest = DatasetManifest.decode(dataset.toString(), have(fetcher, dataset, MAX_MANIFEST_BYTES));
        DatasetManifest.Split split = splitOf(spec, dataset, manifest);
        checkMemory(memoryNeeded(spec, manifest, split));
        have(fetcher, split.images(), offer.limits().maxDatasetFileBytes());
        checkStop();
        have(fetcher, split.labels(), offer.limits().maxDatasetFileBytes());
        return trainClassifier(specId, spec, dataset, new DatasetStore(store).load(dataset, spec.split()));
    }

    /**
     * Compute-to-data for a classifier: the sealed asset (a folder of the dataset's files) is opened in the job's
     * folder, loaded into a content store of the job's own there, and both are deleted when training ends.
     */
    private Outcome trainClassifierOnSealed(ContentId specId, TrainSpec spec, ContentId dataset) {
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw HyphaException.io("cannot create the job folder " + workDir + ": " + e.getMessage(), e);
        }
        Path jobStoreDir = workDir.resolve(SEALED_DATASET_STORE);
        // Left by a provider killed mid-job: the plaintext must not outlive the job, and the folder must be reopened.
        SealedDatasets.delete(workDir.resolve(SEALED_DATASET_FOLDER));
        SealedDatasets.delete(jobStoreDir);
        long maxBytes = Math.multiplyExact(offer.limits().maxDatasetFileBytes(), 4); // a manifest and two splits' files
        try (SealedInputs.Opened data = sealed.open(spec.dataAsset(), orderId, sources.stream().map(URI::create).toList(),
                workDir, SEALED_DATASET_FOLDER, maxBytes, sealedJob())) {
            ContentStore jobStore = new ContentStore(jobStoreDir);
            SealedDatasets.load(spec.dataAsset(), data.file(), dataset, jobStore);
            DatasetStore datasets = new DatasetStore(jobStore);
            DatasetManifest manifest = datasets.manifest(dataset);
            DatasetManifest.Split split = splitOf(spec, dataset, manifest);
            checkMemory(memoryNeeded(spec, manifest, split));
            book.log(orderId, "opened sealed asset #" + spec.dataAsset() + " (dataset " + dataset + ") in the job folder");
            return trainClassifier(specId, spec, dataset, datasets.load(dataset, spec.split()));
        } finally {
            SealedDatasets.delete(jobStoreDir);
        }
    }

    private static DatasetManifest.Split splitOf(TrainSpec spec, ContentId dataset, DatasetManifest manifest) {
        DatasetManifest.Split split = manifest.splits().get(spec.split());
        if (split == null) {
            throw HyphaException.input("dataset " + dataset + " has no split '" + spec.split() + "' (it has "
                    + String.join(", ", manifest.splits().keySet()) + ")");
        }
        return split;
    }

    private Outcome trainClassifier(ContentId specId, TrainSpec spec, ContentId dataset, ImageSplit data) {
        int threads = threads();
        running(spec.steps(), "training " + spec.name() + " (spec " + specId + ") on " + data.count() + " samples of " + dataset
                + " with " + threads + " thread(s), " + spec.steps() + " steps");
        Trainer.Result result;
        try (Parallel parallel = new Parallel(threads)) {
            FloatMatMul gemm = new FloatMatMul(parallel);
            checkpoints.started(orderId, specId, TrainingRun.start(spec, data, gemm, store).state());
            result = new Trainer(spec, specId, data, store, gemm, checkpointRef(orderId, order))
                    .run(new Listener(specId, spec.steps(), cheat));
        }
        byte[] model = store.get(result.model());
        book.log(orderId, String.format(Locale.ROOT, "done: %d steps, last loss %.4f, model %s", spec.steps(), result.lastLoss(),
                result.model()));
        return new Done(result.model(), model);
    }

    /**
     * A LoRA fine-tune: the base and the data are written into the job's work folder (the reader and the trainer take
     * files), and the adapter's checkpoint lives beside the adapter there, so a restarted provider resumes it.
     */
    private Outcome finetune(ContentFetcher fetcher, ContentId specId, FinetuneSpec spec) {
        byte[] base = have(fetcher, spec.baseModel(), offer.limits().maxBaseModelBytes());
        checkStop();
        if (spec.dataAsset() == 0) {
            return finetune(specId, spec, base, have(fetcher, spec.data(), offer.limits().maxDatasetFileBytes()));
        }
        // Compute-to-data: the plaintext exists only in this job's folder, and only while the job runs.
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw HyphaException.io("cannot create the job folder " + workDir + ": " + e.getMessage(), e);
        }
        try (SealedInputs.Opened data = sealed.open(spec.dataAsset(), orderId, sources.stream().map(URI::create).toList(),
                workDir, spec.dataFileName(), offer.limits().maxDatasetFileBytes(), sealedJob())) {
            if (!data.plaintext().equals(spec.data())) {
                throw HyphaException.input("sealed asset #" + spec.dataAsset() + " holds " + data.plaintext() + ", not the "
                        + "spec's data " + spec.data());
            }
            book.log(orderId, "opened sealed asset #" + spec.dataAsset() + " (" + spec.data() + ") in the job folder");
            return finetune(specId, spec, base, null);
        }
    }

    /** The fine-tune itself; {@code data} is null when the data file is already in the job's folder (sealed input). */
    private Outcome finetune(ContentId specId, FinetuneSpec spec, byte[] base, byte[] data) {
        Path baseFile = workDir.resolve("base.gguf");
        Path dataFile = workDir.resolve(spec.dataFileName());
        Path adapter = workDir.resolve(spec.name() + "-lora.gguf");
        long dataBytes;
        try {
            dataBytes = data != null ? data.length : Files.size(dataFile);
        } catch (IOException e) {
            throw HyphaException.io("cannot read the job's data " + dataFile + ": " + e.getMessage(), e);
        }
        // The base is held as floats (about 4 bytes a parameter, Q8_0 stores ~1), the data as int tokens.
        checkMemory(Math.addExact(Math.multiplyExact((long) base.length, 6), Math.multiplyExact(dataBytes, 8)));
        try {
            Files.createDirectories(workDir);
            if (!Files.isRegularFile(baseFile) || Files.size(baseFile) != base.length) {
                DurableFiles.replace(baseFile, base);
            }
            if (data != null && (!Files.isRegularFile(dataFile) || Files.size(dataFile) != data.length)) {
                DurableFiles.replace(dataFile, data);
            }
        } catch (IOException e) {
            throw HyphaException.io("cannot write the job's inputs under " + workDir + ": " + e.getMessage(), e);
        }
        int threads = threads();
        running(spec.options().steps(), "fine-tuning " + spec.base() + " with LoRA rank " + spec.options().lora().rank() + " (spec "
                + specId + ") on " + spec.data() + " with " + threads + " thread(s), " + spec.options().steps() + " steps");
        // The listener reports the initial state (committed as step 0) and every checkpoint, whose bytes the run also
        // puts in the store so they can be published and their roots committed, as a classifier's are.
        LoraFinetune.Result r = LoraFinetune.run(baseFile, dataFile, adapter, null, spec.options(), threads, spec.options().steps(),
                new Listener(specId, spec.options().steps(), cheat), store);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(adapter);
        } catch (IOException e) {
            throw HyphaException.io("cannot read the adapter " + adapter + ": " + e.getMessage(), e);
        }
        ContentId id = store.put(bytes);
        book.log(orderId, String.format(Locale.ROOT, "done: %d steps, loss %.4f before, %.4f after, adapter %s", spec.options().steps(),
                r.lossBefore(), r.lossAfter(), id));
        return new Done(id, bytes);
    }

    /**
     * The checkpoint reference of one lease: the order id and the lease's start time, so neither another order of the
     * same spec nor an order with the same id on a fresh chain (same home) is ever resumed from.
     */
    static String checkpointRef(BigInteger orderId, ComputeOrder order) {
        return "lease-" + orderId + "-" + order.leaseStart();
    }

    /** Parameters with their gradients and two optimizer moments, plus the split as bytes and as one batch of floats. */
    private static long memoryNeeded(TrainSpec spec, DatasetManifest m, DatasetManifest.Split split) {
        long pixels = Math.multiplyExact((long) split.count(), (long) m.height() * m.width());
        long batchFloats = Math.multiplyExact((long) spec.batch(), (long) m.height() * m.width()) * 4;
        return Math.addExact(Math.addExact(Math.multiplyExact(JobSpecs.parameters(spec), 16), pixels + split.count()), batchFloats);
    }

    /** The blob {@code id} from the store, fetched (verified, bounded) from the sources when absent. */
    private byte[] have(ContentFetcher fetcher, ContentId id, long maxBytes) {
        if (store.contains(id)) {
            return store.get(id);
        }
        byte[] bytes = fetcher.fetch(id, maxBytes);
        ContentId stored = store.put(bytes);
        if (!stored.equals(id)) {
            throw HyphaException.input("fetched " + id + " but its bytes are " + stored); // never: every block was checked
        }
        return bytes;
    }

    /** This job as a sealed input sees it while waiting for its key: its log, and its stop. */
    private SealedInputs.WaitingJob sealedJob() {
        return new SealedInputs.WaitingJob() {
            @Override
            public void log(String line) {
                book.log(orderId, line);
            }

            @Override
            public void checkStop() {
                JobRunner.this.checkStop();
            }
        };
    }

    private void checkStop() {
        Stopped s = stop.get();
        if (s != null) {
            throw s;
        }
    }

    /** Reports, checkpoints and the stop check, at every step. */
    private final class Listener implements TrainingListener {
        private final ContentId specId;
        private final long every;
        private final DevCheat cheat;
        private long lastStep = -1;
        private long lastNanos = nanoTime.getAsLong();
        private double samplesPerSecond;

        Listener(ContentId specId, long steps, DevCheat cheat) {
            this.specId = specId;
            this.cheat = cheat;
            this.every = Math.max(1, steps / LOG_LINES);
        }

        @Override
        public void parametersUpdated(long step, List<dev.hypha.ml.train.Tensor> parameters) {
            cheat.afterStep(step, parameters); // nothing, unless this is a dev-only dishonest provider
        }

        @Override
        public void stepDone(long step, long total, int batch, float loss) {
            long now = nanoTime.getAsLong();
            if (lastStep >= 0 && now > lastNanos) {
                samplesPerSecond = (double) (step - lastStep) * batch * 1e9 / (now - lastNanos);
            }
            lastStep = step;
            lastNanos = now;
            progress.set(new JobProgress(step + 1, total, loss, samplesPerSecond));
            if ((step + 1) % every == 0 || step + 1 == total) {
                book.log(orderId, progress.get().logLine());
            }
            checkStop();
        }

        @Override
        public void checkpointed(long stepsDone, ContentId id) {
            JobProgress p = progress.get();
            book.get(orderId).ifPresent(r -> book.put(r.withProgress(stepsDone, p.steps(), p.loss())));
            book.log(orderId, "checkpoint at step " + stepsDone + ": " + id);
            checkpoints.checkpointed(orderId, specId, stepsDone, id);
        }

        @Override
        public boolean keepsFinalState() {
            return true; // the last state's root is committed too, so made-up final weights are caught
        }

        @Override
        public void finalState(long stepsDone, ContentId id) {
            book.log(orderId, "final state at step " + stepsDone + ": " + id);
            checkpoints.checkpointed(orderId, specId, stepsDone, id);
        }

        @Override
        public void initialState(dev.hypha.ml.train.run.RunState initial) {
            checkpoints.started(orderId, specId, initial);
        }

        @Override
        public void resumed(long stepsDone, ContentId id) {
            book.log(orderId, "resumed from checkpoint " + id + " at step " + stepsDone);
        }
    }
}

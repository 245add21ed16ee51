package dev.hypha.node.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import dev.hypha.ml.train.data.DatasetManifest;
import dev.hypha.ml.train.run.RunState;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.compute.CheckpointListener;
import dev.hypha.node.compute.Job;
import dev.hypha.node.compute.JobLimits;
import dev.hypha.node.compute.JobSpecs;
import dev.hypha.node.compute.PublishedContent;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a provider keeps so verifiers and referees can replay its leases: for each lease, the spec and the checkpoint
 * stored at each committed step, recorded in {@code <folder>/<order>.json} (temp file + rename, before the commitment
 * is sent: the listener runs before {@link dev.hypha.node.compute.StateCommitments}) and published by content id with
 * the spec and the dataset split, so anyone can fetch them from the provider's endpoint and check each checkpoint against
 * the root on chain. A provider that withheld them would gain nothing: a verifier then replays from the last state it
 * could check (at worst the initial state, a function of the spec), and a referee that cannot reproduce the agreed
 * state does not vote for the provider.
 */
public final class CheckpointIndex implements CheckpointListener {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One lease's record: its spec and the checkpoint at each committed step (step 0, the initial state, has none). */
    public record Lease(ContentId spec, NavigableMap<Long, ContentId> checkpoints) {
        public Lease {
            checkpoints = Collections.unmodifiableNavigableMap(new TreeMap<>(checkpoints));
        }
    }

    private final Path folder;
    private final ContentStore store;
    private final PublishedContent published;

    public CheckpointIndex(Path folder, ContentStore store, PublishedContent published) {
        this.folder = folder;
        this.store = store;
        this.published = published;
    }

    /** Publishes again what earlier runs recorded (after a restart the published blocks, held in memory, are gone). */
    public void republish() {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("[0-9]+\\.json")).sorted().toList()) {
                BigInteger order = new BigInteger(f.getFileName().toString().replace(".json", ""));
                lease(order).ifPresent(l -> {
                    publishInputs(l.spec());
                    l.checkpoints().values().forEach(id -> publishBlob(id));
                });
            }
        } catch (IOException e) {
            throw HyphaException.io("cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void started(BigInteger orderId, ContentId spec, RunState initial) {
        publishInputs(spec);
        Lease l = lease(orderId).orElse(new Lease(spec, new TreeMap<>()));
        write(orderId, new Lease(spec, l.checkpoints()));
    }

    @Override
    public synchronized void checkpointed(BigInteger orderId, ContentId spec, long stepsDone, ContentId checkpoint) {
        Optional<Lease> l = lease(orderId);
        if (l.isEmpty()) {
            return; // no initial state was reported: nothing of this job is committed
        }
        publishBlob(checkpoint);
        NavigableMap<Long, ContentId> cps = new TreeMap<>(l.get().checkpoints());
        cps.put(stepsDone, checkpoint);
        write(orderId, new Lease(spec, cps));
    }

    /** The record of lease {@code orderId}, if this provider ran it. */
    public Optional<Lease> lease(BigInteger orderId) {
        Path f = file(orderId);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(Files.readAllBytes(f));
            NavigableMap<Long, ContentId> cps = new TreeMap<>();
            n.path("checkpoints").properties().forEach(e -> cps.put(Long.parseLong(e.getKey()), ContentId.parse(e.getValue().asText())));
            return Optional.of(new Lease(ContentId.parse(n.path("spec").asText()), cps));
        } catch (IOException | RuntimeException e) {
            throw HyphaException.input("the checkpoint record " + f + " is damaged: " + e.getMessage(), e);
        }
    }

    private void write(BigInteger orderId, Lease l) {
        ObjectNode n = JSON.createObjectNode();
        n.put("spec", l.spec().toString());
        ObjectNode cps = n.putObject("checkpoints");
        l.checkpoints().forEach((step, id) -> cps.put(Long.toString(step), id.toString()));
        try {
            Files.createDirectories(folder);
            DurableFiles.replace(file(orderId), JSON.writeValueAsBytes(n));
        } catch (IOException e) {
            throw HyphaException.io("cannot record the checkpoints of order " + orderId + " under " + folder + ": "
                    + e.getMessage(), e);
        }
    }

    private Path file(BigInteger orderId) {
        return folder.resolve(orderId + ".json");
    }

    /**
     * The spec and what it trains on, as the provider fetched them: a classifier's init model (if any), dataset manifest and split, a
     * fine-tune's base model and data (sealed data, never in the store, is not published).
     */
    private void publishInputs(ContentId spec) {
        if (!store.contains(spec)) {
            return;
        }
        byte[] specBytes = publishBlob(spec);
        Job job = JobSpecs.read(spec.toString(), specBytes, JobLimits.DEFAULT);
        if (job instanceof Job.Finetune f) {
            for (ContentId input : new ContentId[] {f.spec().baseModel(), f.spec().data()}) {
                if (store.contains(input)) {
                    publishBlob(input);
                }
            }
            return;
        }
        var parsed = ((Job.Train) job).spec();
        if (parsed.hasInit() && store.contains(ContentId.parse(parsed.init()))) {
            publishBlob(ContentId.parse(parsed.init())); // a DiLoCo round's global model: replay starts from it
        }
        ContentId dataset = ContentId.parse(parsed.dataset());
        if (!store.contains(dataset)) {
            return;
        }
        DatasetManifest m = DatasetManifest.decode(dataset.toString(), publishBlob(dataset));
        DatasetManifest.Split split = m.splits().get(parsed.split());
        if (split != null) {
            publishBlob(split.images());
            publishBlob(split.labels());
        }
    }

    private byte[] publishBlob(ContentId id) {
        byte[] bytes = store.get(id);
        if (!published.has(id)) {
            published.publish(bytes);
        }
        return bytes;
    }
}

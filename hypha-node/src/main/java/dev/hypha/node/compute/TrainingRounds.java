package dev.hypha.node.compute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.compute.ComputeBid;
import dev.hypha.chain.deploy.ComputeMarketClient;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import dev.hypha.ml.train.Network;
import dev.hypha.ml.train.Tensor;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.data.ImageSplit;
import dev.hypha.ml.train.run.DiLoCo;
import dev.hypha.ml.train.run.ModelFile;
import dev.hypha.ml.train.run.TrainSpec;
import dev.hypha.ml.train.run.TrainSpecWriter;
import dev.hypha.ml.train.run.Trainer;
import dev.hypha.ml.train.store.ContentStore;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Training across providers (DiLoCo) on the compute market, run by the tenant's node. Each round: the global weights
 * are stored as a model file, every worker's round spec ({@link DiLoCo#roundSpec}: the base spec from that file, H
 * steps, the worker's seed) is ordered as an ordinary lease, each lease goes to a different provider, the providers
 * train and commit their state roots on TrainingVerifier as for any lease (step 0 is the round's global weights with a
 * fresh optimizer), the tenant fetches each result (checked against the provider's last committed root, refused while
 * disputed or after a lost dispute) and applies the outer step. The round record
 * ({@code <home>/compute/rounds/<name>.json}) lists every round's global model, orders, providers and results, so
 * {@link #check} (anyone with the same files: specs, models and the chain's roots) recomputes every outer step.
 *
 * <p>Decision: one lease per (round, provider) and the outer step on the tenant's node. A round lease is then exactly a
 * single-provider lease (same contracts, bidding, escrow, commitments, replay, disputes and slashing, no contract
 * change); the global state of each round is bound on chain by the order's spec digest (its {@code init}) and by the
 * provider's step-0 root; and the outer step needs no trusted coordinator, since it is a pure function of committed
 * results that any party recomputes. The price: an order, a bid window and a lease per provider per round, so H should
 * make a round minutes long, not seconds.
 */
public final class TrainingRounds {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longest a round's lease may run before the tenant gives up on it. */
    private final Duration maxRound;

    private final TenantJobs jobs;
    private final ComputeMarketClient market;
    private final ContentStore store;
    private final Path records;
    private final Clock clock;

    public TrainingRounds(TenantJobs jobs, ComputeMarketClient market, ContentStore store, Path home, Clock clock,
                          Duration maxRound) {
        this.jobs = jobs;
        this.market = market;
        this.store = store;
        this.records = home.resolve("compute").resolve("rounds");
        this.clock = clock;
        this.maxRound = maxRound;
    }

    /** The trained global model (stored under {@code models/<name>}) and the round record. */
    public record Result(ContentId model, long rounds, Path record) {}

    /**
     * Trains {@code baseBytes} (a classifier spec on a public dataset in the store; its steps are each provider's) over
     * {@code settings.workers()} providers, ordering every round's leases with {@code terms} and publishing the
     * inputs through {@code published}, reachable by the providers at {@code sources}.
     */
    public Result run(String source, byte[] baseBytes, DiLoCo.Settings settings, TenantJobs.OrderTerms terms,
                      PublishedContent published, List<String> sources, Duration bidWait, Consumer<String> progress)
            throws InterruptedException {
        Job job = JobSpecs.read(source, baseBytes, JobLimits.DEFAULT);
        if (!(job instanceof Job.Train train)) {
            throw HyphaException.input(source + ": only classifier specs can be trained across providers (a fine-tune cannot yet)");
        }
        TrainSpec base = train.spec();
        if (base.dataAsset() != 0 || base.hasInit()) {
            throw HyphaException.input(source + ": a spec trained across providers must name a public dataset and no init "
                    + "(each round's leases are replayed by verifiers, and DiLoCo sets init to the round's global model)");
        }
        ContentId baseId = store.put(baseBytes);
        ImageSplit data = new DatasetStore(store).load(ContentId.parse(base.dataset()), base.split());
        int[] input = {1, data.height(), data.width()};
        DiLoCo.Outer outer = DiLoCo.Outer.start(Network.initialize(base.layers(), input, base.seed()).parameters().stream()
                .map(Tensor::data).toList());
        long rounds = DiLoCo.rounds(base, settings);
        ObjectNode record = newRecord(base, baseId, settings);
        long done = 0;
        for (long r = 0; r < rounds; r++) {
            ContentId global = store.put(DiLoCo.globalFile(base, baseId, input, outer.global(), done));
            ObjectNode round = ((ArrayNode) record.get("rounds")).addObject();
            round.put("round", r);
            round.put("global", global.toString());
            List<BigInteger> orders = new ArrayList<>();
            Set<Address> leased = new HashSet<>();
            // One order at a time: a provider bids only while it has a free slot, so with the round's orders all open at
            // once a one-job provider would bid on the first and never on the others.
            for (int w = 0; w < settings.workers(); w++) {
                TrainSpec spec = DiLoCo.roundSpec(base, settings, r, w, global);
                TenantJobs.Submitted s = jobs.submit(source + " round " + r + " worker " + w, TrainSpecWriter.toml(spec),
                        terms, published);
                orders.add(s.orderId());
                round.withArray("orders").add(s.orderId().toString());
                round.withArray("specs").add(s.spec().toString());
                save(base.name(), record);
                int bid = jobs.lease(s.orderId(), OptionalInt.empty(), bidWait, leased);
                ComputeBid won = market.bids(s.orderId()).get(bid);
                leased.add(won.provider());
                round.withArray("providers").add(won.provider().toChecksumString());
                save(base.name(), record);
                jobs.handOff(s.orderId(), sources);
                progress.accept("round " + r + "/" + rounds + " worker " + w + ": order " + s.orderId() + " leased to "
                        + won.provider().toChecksumString() + " (global " + global + ")");
            }
            List<List<float[]>> results = new ArrayList<>();
            long h = 0;
            for (BigInteger id : orders) {
                awaitDone(id);
            }
            progress.accept("round " + r + ": all " + orders.size() + " leases done; fetching their results");
            for (BigInteger id : orders) {
                TenantJobs.Fetched f = jobs.fetch(id);
                ModelFile.Contents c = ModelFile.decode(f.model().toString(), f.bytes());
                h = c.step();
                results.add(c.network().parameters().stream().map(Tensor::data).toList());
                round.withArray("results").add(f.model().toString());
            }
            outer = DiLoCo.outerStep(outer, results, settings);
            done += h;
            save(base.name(), record);
            progress.accept("round " + r + ": " + orders.size() + " results fetched and checked against their committed "
                    + "roots; outer step applied (" + done + " steps per provider)");
        }
        ContentId model = store.put(DiLoCo.globalFile(base, baseId, input, outer.global(), done));
        store.setRef(Trainer.MODELS, base.name(), model);
        record.put("final", model.toString());
        Path file = save(base.name(), record);
        return new Result(model, rounds, file);
    }

    private void awaitDone(BigInteger id) throws InterruptedException {
        long deadline = clock.millis() + maxRound.toMillis();
        while (true) {
            JsonNode status = jobs.providerStatus(id);
            String state = status.path("state").asText();
            if (state.equals("DONE")) {
                return;
            }
            if (state.equals("FAILED") || state.equals("STOPPED")) {
                throw HyphaException.input("order " + id + " ended " + state + ": " + status.path("message").asText()
                        + "; the round cannot be completed (its other leases are paid for what they ran)");
            }
            if (clock.millis() > deadline) {
                throw new HyphaException(ErrorCategory.NETWORK, "order " + id + " is still " + state + " after "
                        + maxRound.toSeconds() + " s");
            }
            Thread.sleep(250);
        }
    }

    private static ObjectNode newRecord(TrainSpec base, ContentId baseId, DiLoCo.Settings settings) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", base.name());
        n.put("spec", baseId.toString());
        n.put("workers", settings.workers());
        n.put("innerSteps", settings.innerSteps());
        n.put("outerLearningRate", settings.outerLearningRate());
        n.put("outerMomentum", settings.outerMomentum());
        n.putArray("rounds");
        return n;
    }

    private Path save(String name, ObjectNode record) {
        Path file = records.resolve(name + ".json");
        try {
            Files.createDirectories(records);
            DurableFiles.replace(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
        } catch (IOException e) {
            throw HyphaException.io("cannot write the round record " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /** Where the round record of job {@code name} is kept under {@code home} (a name that is no spec name: nowhere that exists). */
    public static Path recordFile(Path home, String name) {
        String safe = name.matches("[a-z0-9][a-z0-9._-]{0,127}") ? name : "-";
        return home.resolve("compute").resolve("rounds").resolve(safe + ".json");
    }

    /** The round record of job {@code name} (as {@code hypha train status NAME} shows it). */
    public JsonNode record(String name) {
        Path file = records.resolve(name + ".json");
        try {
            if (!name.matches("[a-z0-9][a-z0-9._-]{0,127}") || !Files.isRegularFile(file) || Files.size(file) > 16 << 20) {
                throw new HyphaException(ErrorCategory.NOT_FOUND, "no training across providers named '" + name + "' in " + records);
            }
            return JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw HyphaException.io("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Recomputes every outer step of a round record from the files it names (base spec, each round's global model and
     * each provider's result, all in {@code store}) and compares: round 0's global must be the spec's initial weights,
     * each round's specs must be the round specs of that global, and each next global (the final model last) the
     * outer step of the results in worker order. Empty when everything matches, else the first difference.
     */
    public static java.util.Optional<String> check(JsonNode record, ContentStore store) {
        ContentId baseId = ContentId.parse(record.path("spec").asText());
        if (!(JobSpecs.read(baseId.toString(), store.get(baseId), JobLimits.DEFAULT) instanceof Job.Train train)) {
            return java.util.Optional.of("the record's spec " + baseId + " is not a classifier spec");
        }
        TrainSpec base = train.spec();
        DiLoCo.Settings settings = new DiLoCo.Settings(record.path("workers").asInt(), record.path("innerSteps").asInt(),
                (float) record.path("outerLearningRate").asDouble(), (float) record.path("outerMomentum").asDouble());
        JsonNode rounds = record.path("rounds");
        if (rounds.isEmpty()) {
            return java.util.Optional.of("the record has no rounds");
        }
        ModelFile.Contents first = model(store, rounds.get(0).path("global").asText());
        int[] input = first.network().inputShape();
        DiLoCo.Outer outer = DiLoCo.Outer.start(Network.initialize(base.layers(), input, base.seed()).parameters().stream()
                .map(Tensor::data).toList());
        long done = 0;
        for (int r = 0; r < rounds.size(); r++) {
            JsonNode round = rounds.get(r);
            ContentId expected = ContentIds.of(DiLoCo.globalFile(base, baseId, input, outer.global(), done));
            if (!expected.toString().equals(round.path("global").asText())) {
                return java.util.Optional.of("round " + r + "'s global model is " + round.path("global").asText()
                        + ", the outer step of the round before gives " + expected);
            }
            List<List<float[]>> results = new ArrayList<>();
            long h = 0;
            for (int w = 0; w < settings.workers(); w++) {
                ContentId spec = ContentIds.of(TrainSpecWriter.toml(DiLoCo.roundSpec(base, settings, r, w, expected)));
                if (!spec.toString().equals(round.path("specs").path(w).asText())) {
                    return java.util.Optional.of("round " + r + " worker " + w + " ordered spec " + round.path("specs").path(w)
                            + ", not the round spec " + spec);
                }
                ModelFile.Contents c = model(store, round.path("results").path(w).asText());
                h = c.step();
                results.add(c.network().parameters().stream().map(Tensor::data).toList());
            }
            outer = DiLoCo.outerStep(outer, results, settings);
            done += h;
        }
        ContentId last = ContentIds.of(DiLoCo.globalFile(base, baseId, input, outer.global(), done));
        if (!last.toString().equals(record.path("final").asText())) {
            return java.util.Optional.of("the final model is " + record.path("final").asText() + ", the last outer step gives " + last);
        }
        return java.util.Optional.empty();
    }

    private static ModelFile.Contents model(ContentStore store, String id) {
        ContentId cid = ContentId.parse(id);
        return ModelFile.decode(id, store.get(cid));
    }
}

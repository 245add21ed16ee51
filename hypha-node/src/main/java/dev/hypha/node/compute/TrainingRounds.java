package dev.hypha.node.compute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.compute.CloseReason;
import dev.hypha.chain.compute.ComputeBid;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.deploy.ComputeMarketClient;
import dev.hypha.chain.deploy.TrainingVerifierClient;
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
import org.web3j.utils.Numeric;

/**
 * Training across providers (DiLoCo) on the compute market, run by the tenant's node. Each round: the global weights
 * are stored as a model file, every worker's round spec ({@link DiLoCo#roundSpec}: the base spec from that file, H
 * steps, the worker's seed) is ordered as an ordinary lease, each lease goes to a different provider, the providers
 * train and commit their state roots on TrainingVerifier as for any lease (step 0 is the round's global weights with a
 * fresh optimizer), the tenant fetches each result (checked against the provider's last committed root, refused while
 * disputed or after a lost dispute) and applies the outer step. The round record
 * ({@code <home>/compute/rounds/<name>.json}) lists every round's global model, orders, providers, results and outer
 * state (global weights and momentum, {@link DiLoCo#outerFile}), so {@link #check} (anyone with the same files: specs,
 * models and the chain) recomputes every outer step and reads every round lease's dispute state.
 *
 * <p>Decision: one lease per (round, provider) and the outer step on the tenant's node. A round lease is then exactly a
 * single-provider lease (same contracts, bidding, escrow, commitments, replay, disputes and slashing, no contract
 * change); the global state of each round is bound on chain by the order's spec digest (its {@code init}) and by the
 * provider's step-0 root; and the outer step needs no trusted coordinator, since it is a pure function of committed
 * results that any party recomputes. The price: an order, a bid window and a lease per provider per round, so H should
 * make a round minutes long, not seconds.
 *
 * <p>Decision: rounds go on as soon as their results pass the fetch checks (optimistically), and the final model is
 * published ({@code models/<name>}, the record's {@code final}) only once every round lease is past its challenge
 * window undisputed ({@code TrainingVerifier.finalUntil} = everything, not closed for a fault). Waiting per round would
 * cost a challenge window per round (ten minutes on the local chain, a day on a public one); a result proven wrong
 * later has moved every later round, so the run is then marked failed naming the round, and nothing is published.
 *
 * <p>A run survives a crash: the record is written (renamed into place) after every change and before the progress
 * line that reports it, and the same spec with the same settings submitted again resumes after the last completed
 * round from its stored outer state, reusing the orders the record names for the round under way (leasing an open one,
 * handing a leased one its inputs again if its provider has not fetched them). A different spec or settings under an
 * existing name is refused.
 */
public final class TrainingRounds {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code finalUntil} of a lease whose work is all beyond dispute. */
    private static final BigInteger ALL_FINAL = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);
    /** Longest a round's lease may run before the tenant gives up on it. */
    private final Duration maxRound;

    private final TenantJobs jobs;
    private final ComputeMarketClient market;
    private final TrainingVerifierClient verifier;
    private final ContentStore store;
    private final Path records;
    private final Clock clock;

    public TrainingRounds(TenantJobs jobs, ComputeMarketClient market, TrainingVerifierClient verifier, ContentStore store,
                          Path home, Clock clock, Duration maxRound) {
        this.jobs = jobs;
        this.market = market;
        this.verifier = verifier;
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
     * inputs through {@code published}, reachable by the providers at {@code sources}; resumes the run of the same
     * name if its record names the same spec and settings.
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
        long rounds = DiLoCo.rounds(base, settings);
        ObjectNode record = existing(base.name(), baseId, settings).orElseGet(() -> newRecord(base.name(), baseId, settings));
        if (record.hasNonNull("failed")) {
            throw HyphaException.input(base.name() + " failed and is not resumed: " + record.path("failed").asText()
                    + " (record " + records.resolve(base.name() + ".json") + "; give the spec another name to train it again)");
        }
        if (record.hasNonNull("final")) {
            progress.accept(base.name() + " is already trained: model " + record.path("final").asText());
            return new Result(ContentId.parse(record.path("final").asText()), rounds, save(base.name(), record));
        }
        ArrayNode recorded = (ArrayNode) record.get("rounds");
        int completed = 0;
        while (completed < recorded.size() && recorded.get(completed).hasNonNull("outer")) {
            completed++;
        }
        DiLoCo.Outer outer;
        long done;
        if (completed == 0) {
            outer = DiLoCo.Outer.start(Network.initialize(base.layers(), input, base.seed()).parameters().stream()
                    .map(Tensor::data).toList());
            done = 0;
        } else {
            String id = recorded.get(completed - 1).path("outer").asText();
            ModelFile.Contents c = model(store, id);
            outer = DiLoCo.outerState(id, c);
            done = c.step();
            progress.accept("resuming " + base.name() + " after round " + (completed - 1) + " (" + done
                    + " steps per provider done; outer state " + id + ")");
        }
        for (long r = completed; r < rounds; r++) {
            refuseFaulted(base.name(), record, r);
            ContentId global = store.put(DiLoCo.globalFile(base, baseId, input, outer.global(), done));
            ObjectNode round = r < recorded.size() ? (ObjectNode) recorded.get((int) r) : recorded.addObject();
            if (round.has("global") && !round.path("global").asText().equals(global.toString())) {
                throw HyphaException.input("the record of " + base.name() + " names " + round.path("global").asText()
                        + " as round " + r + "'s global model, its stored outer state gives " + global + "; not resuming");
            }
            round.put("round", r);
            round.put("global", global.toString());
            round.remove("results"); // a crash while fetching: fetch again
            List<BigInteger> orders = new ArrayList<>();
            Set<Address> leased = new HashSet<>();
            // One order at a time: a provider bids only while it has a free slot, so with the round's orders all open at
            // once a one-job provider would bid on the first and never on the others.
            for (int w = 0; w < settings.workers(); w++) {
                TrainSpec spec = DiLoCo.roundSpec(base, settings, r, w, global);
                Runnable persist = () -> save(base.name(), record);
                BigInteger id = w < round.path("orders").size()
                        ? resumeOrder(round, w, spec, published, sources, bidWait, leased, persist)
                        : newOrder(source + " round " + r + " worker " + w, spec, round, terms, published, sources, bidWait,
                        leased, persist);
                orders.add(id);
                save(base.name(), record);
                progress.accept("round " + r + "/" + rounds + " worker " + w + ": order " + id + " leased to "
                        + round.path("providers").get(w).asText() + " (global " + global + ")");
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
            // the outer state is in the store before the record names it, and the record on disk before it is reported
            round.put("outer", store.put(DiLoCo.outerFile(base, baseId, input, outer, done)).toString());
            save(base.name(), record);
            progress.accept("round " + r + ": " + orders.size() + " results fetched and checked against their committed "
                    + "roots; outer step applied (" + done + " steps per provider)");
        }
        ContentId model = store.put(DiLoCo.globalFile(base, baseId, input, outer.global(), done));
        record.put("trained", model.toString());
        save(base.name(), record);
        awaitFinal(base.name(), record, progress);
        store.setRef(Trainer.MODELS, base.name(), model);
        record.put("final", model.toString());
        Path file = save(base.name(), record);
        return new Result(model, rounds, file);
    }

    /** Orders worker's round {@code spec}, records the order before waiting for bids, leases it and hands it off. */
    private BigInteger newOrder(String what, TrainSpec spec, ObjectNode round, TenantJobs.OrderTerms terms,
                                PublishedContent published, List<String> sources, Duration bidWait, Set<Address> leased,
                                Runnable persist) throws InterruptedException {
        TenantJobs.Submitted s = jobs.submit(what, TrainSpecWriter.toml(spec), terms, published);
        round.withArray("orders").add(s.orderId().toString());
        round.withArray("specs").add(s.spec().toString());
        persist.run();
        int bid = jobs.lease(s.orderId(), OptionalInt.empty(), bidWait, leased);
        ComputeBid won = market.bids(s.orderId()).get(bid);
        leased.add(won.provider());
        round.withArray("providers").add(won.provider().toChecksumString());
        persist.run();
        jobs.handOff(s.orderId(), sources);
        return s.orderId();
    }

    /**
     * Worker {@code w}'s order as the record names it from before a crash (paid for, so not ordered again): leased if
     * still open, its inputs published and handed over again if its provider has not fetched them yet.
     */
    private BigInteger resumeOrder(ObjectNode round, int w, TrainSpec spec, PublishedContent published, List<String> sources,
                                   Duration bidWait, Set<Address> leased, Runnable persist) throws InterruptedException {
        BigInteger id = new BigInteger(round.path("orders").get(w).asText());
        ContentId expected = ContentIds.of(TrainSpecWriter.toml(spec));
        if (!expected.toString().equals(round.path("specs").path(w).asText())) {
            throw HyphaException.input("the record's order " + id + " (round " + round.path("round").asLong() + " worker " + w
                    + ") ordered spec " + round.path("specs").path(w).asText() + ", not the round spec " + expected);
        }
        jobs.republish(id, published);
        if (market.order(id).state() == OrderState.OPEN) {
            jobs.lease(id, OptionalInt.empty(), bidWait, leased);
        }
        ComputeOrder o = market.order(id);
        leased.add(o.provider());
        if (round.path("providers").size() == w) { // leased just before the crash
            round.withArray("providers").add(o.provider().toChecksumString());
        }
        persist.run();
        if (o.state() == OrderState.LEASED) {
            String state = jobs.providerStatus(id).path("state").asText();
            if (state.equals("BID") || state.equals("LEASED")) {
                jobs.handOff(id, sources);
            }
        }
        return id;
    }

    /** Stops the run before another round is paid for when a lease of an earlier round has lost a dispute. */
    private void refuseFaulted(String name, ObjectNode record, long before) {
        JsonNode rounds = record.path("rounds");
        for (int r = 0; r < before; r++) {
            JsonNode orders = rounds.get(r).path("orders");
            for (int w = 0; w < orders.size(); w++) {
                BigInteger id = new BigInteger(orders.get(w).asText());
                ComputeOrder o = market.order(id);
                if (o.closeReason() == CloseReason.FAULT) {
                    fail(name, record, faulted(r, w, id, o));
                }
            }
        }
    }

    private static String faulted(int round, int worker, BigInteger id, ComputeOrder o) {
        return "round " + round + " worker " + worker + ": order " + id + "'s provider " + o.provider().toChecksumString()
                + " lost a dispute over its training (closed for FAULT), and its result moved every later round";
    }

    private void fail(String name, ObjectNode record, String why) {
        record.put("failed", why);
        save(name, record);
        throw HyphaException.input(name + " failed: " + why + "; no model is published (the faulted lease's escrow went "
                + "back to you)");
    }

    /**
     * Waits until every round lease's work is beyond dispute (its challenge windows over, none open, not closed for a
     * fault), polling those not yet final; fails the run, naming the round, at the first lease closed for a fault.
     */
    private void awaitFinal(String name, ObjectNode record, Consumer<String> progress) throws InterruptedException {
        long window = verifier.challengeWindow();
        progress.accept("all rounds done; model " + record.path("trained").asText() + " is published once every round lease "
                + "is past its challenge window (" + window + " chain seconds after its last commitment and its close) undisputed");
        long deadline = clock.millis() + maxRound.toMillis() + window * 1000;
        Set<BigInteger> settled = new HashSet<>(); // final stays final: a challenge needs an open window
        JsonNode rounds = record.path("rounds");
        while (true) {
            String pending = null;
            for (int r = 0; r < rounds.size(); r++) {
                JsonNode orders = rounds.get(r).path("orders");
                for (int w = 0; w < orders.size(); w++) {
                    BigInteger id = new BigInteger(orders.get(w).asText());
                    if (settled.contains(id)) continue;
                    ComputeOrder o = market.order(id);
                    if (o.closeReason() == CloseReason.FAULT) {
                        fail(name, record, faulted(r, w, id, o));
                    }
                    if (verifier.finalUntil(id).equals(ALL_FINAL)) {
                        settled.add(id);
                    } else if (pending == null) {
                        pending = "order " + id + " (round " + r + " worker " + w + ")";
                    }
                }
            }
            if (pending == null) {
                return;
            }
            if (clock.millis() > deadline) {
                throw new HyphaException(ErrorCategory.NETWORK, name + ": " + pending + " is still within its challenge "
                        + "window or disputed; submit the same spec again to keep waiting (no round is ordered again)");
            }
            Thread.sleep(1000);
        }
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

    /**
     * The record of an earlier run under {@code name}, if any: to resume when it names the same spec and settings, else
     * refused (a second run under one name would overwrite the first's record and its paid rounds).
     */
    private java.util.Optional<ObjectNode> existing(String name, ContentId baseId, DiLoCo.Settings settings) {
        if (!Files.isRegularFile(records.resolve(name + ".json"))) {
            return java.util.Optional.empty();
        }
        JsonNode old = record(name);
        ObjectNode now = newRecord(name, baseId, settings);
        for (String key : List.of("spec", "workers", "innerSteps", "outerLearningRate", "outerMomentum")) {
            if (!old.path(key).asText().equals(now.path(key).asText())) { // 0.7f written, 0.7 read back
                throw HyphaException.input("a training across providers named '" + name + "' was already started with " + key
                        + " " + old.path(key) + ", this one has " + now.path(key) + ": submit the same spec and settings to "
                        + "resume it, or give the spec another name");
            }
        }
        if (!(old instanceof ObjectNode o) || !old.path("rounds").isArray()) {
            throw HyphaException.input("the round record of '" + name + "' has no rounds list; not resuming from it");
        }
        return java.util.Optional.of(o);
    }

    private static ObjectNode newRecord(String name, ContentId baseId, DiLoCo.Settings settings) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", name);
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
     * Checks a round record against the files it names (base spec, each round's global model, each provider's result
     * and each outer state, all in {@code store}) and the chain: round 0's global must be the spec's initial weights,
     * each round's specs the round specs of that global, each order on chain the order of that spec leased to the
     * provider named, never closed for a fault nor disputed, each outer state and next global (the final model last)
     * the outer step of the results in worker order; and a final model only once every lease is past its challenge
     * windows. Empty when everything holds, else the first difference.
     */
    public static java.util.Optional<String> check(JsonNode record, ContentStore store, ComputeMarketClient market,
                                                   TrainingVerifierClient verifier) {
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
        String notFinal = null;
        for (int r = 0; r < rounds.size(); r++) {
            JsonNode round = rounds.get(r);
            ContentId expected = ContentIds.of(DiLoCo.globalFile(base, baseId, input, outer.global(), done));
            if (!expected.toString().equals(round.path("global").asText())) {
                return java.util.Optional.of("round " + r + "'s global model is " + round.path("global").asText()
                        + ", the outer step of the round before gives " + expected);
            }
            List<List<float[]>> results = new ArrayList<>();
            long h = 0;
            for (int w = 0; w < round.path("orders").size(); w++) {
                String where = "round " + r + " worker " + w;
                ContentId spec = ContentIds.of(TrainSpecWriter.toml(DiLoCo.roundSpec(base, settings, r, w, expected)));
                if (!spec.toString().equals(round.path("specs").path(w).asText())) {
                    return java.util.Optional.of(where + " ordered spec " + round.path("specs").path(w) + ", not the round spec " + spec);
                }
                if (!round.path("orders").get(w).asText().matches("[0-9]{1,78}")) {
                    return java.util.Optional.of(where + "'s order " + round.path("orders").get(w) + " is not an order id");
                }
                BigInteger id = new BigInteger(round.path("orders").get(w).asText());
                ComputeOrder o = market.order(id);
                if (o.state() == OrderState.NONE || !java.util.Arrays.equals(Numeric.hexStringToByteArray(o.spec()),
                        JobSpecs.digest(spec))) {
                    return java.util.Optional.of(where + ": order " + id + " on ComputeMarket does not order the round spec " + spec);
                }
                if (!o.provider().toChecksumString().equals(round.path("providers").path(w).asText())) {
                    return java.util.Optional.of(where + ": order " + id + " is leased to " + o.provider().toChecksumString()
                            + ", the record says " + round.path("providers").path(w).asText());
                }
                if (o.closeReason() == CloseReason.FAULT) {
                    return java.util.Optional.of(faulted(r, w, id, o));
                }
                long open = verifier.openDisputes(id);
                if (open > 0) {
                    return java.util.Optional.of(where + ": order " + id + " has " + open + " open dispute(s) over its training");
                }
                if (notFinal == null && !verifier.finalUntil(id).equals(ALL_FINAL)) {
                    notFinal = where + ": order " + id + " is still within its challenge window";
                }
                if (round.hasNonNull("outer")) {
                    ModelFile.Contents c = model(store, round.path("results").path(w).asText());
                    h = c.step();
                    results.add(c.network().parameters().stream().map(Tensor::data).toList());
                }
            }
            if (!round.hasNonNull("outer")) {
                break; // the round under way (or where the run stopped): nothing to recompute
            }
            if (round.path("orders").size() != settings.workers()) {
                return java.util.Optional.of("round " + r + " has " + round.path("orders").size() + " orders for "
                        + settings.workers() + " workers");
            }
            outer = DiLoCo.outerStep(outer, results, settings);
            done += h;
            ContentId state = ContentIds.of(DiLoCo.outerFile(base, baseId, input, outer, done));
            if (!state.toString().equals(round.path("outer").asText())) {
                return java.util.Optional.of("round " + r + "'s outer state is " + round.path("outer").asText()
                        + ", its outer step gives " + state);
            }
        }
        if (record.hasNonNull("failed")) {
            return java.util.Optional.of("the run failed: " + record.path("failed").asText());
        }
        if (!record.hasNonNull("final")) {
            return java.util.Optional.of("the run is not finished: " + (record.hasNonNull("trained") ? "model "
                    + record.path("trained").asText() + " waits for every round lease's challenge window" : rounds.size()
                    + " of " + DiLoCo.rounds(base, settings) + " round(s) started"));
        }
        if (rounds.size() != DiLoCo.rounds(base, settings) || !rounds.get(rounds.size() - 1).hasNonNull("outer")) {
            return java.util.Optional.of("the record names a final model after " + rounds.size() + " round(s), the spec has "
                    + DiLoCo.rounds(base, settings) + " complete ones");
        }
        if (notFinal != null) {
            return java.util.Optional.of("the record names a final model, but " + notFinal);
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

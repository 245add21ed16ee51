package dev.hypha.node.compute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.compute.CloseReason;
import dev.hypha.chain.compute.ComputeBid;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.compute.Resources;
import dev.hypha.chain.deploy.ComputeMarketClient;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.ProviderRegistryClient;
import dev.hypha.chain.deploy.TrainingVerifierClient;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import dev.hypha.ml.train.data.DatasetManifest;
import dev.hypha.ml.train.data.DatasetStore;
import dev.hypha.ml.train.run.ModelFile;
import dev.hypha.ml.train.run.Trainer;
import dev.hypha.ml.train.store.ContentStore;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.LongSupplier;
import org.web3j.crypto.Credentials;

/**
 * The tenant side of the compute market: submit a spec (checked with the provider's rules first, published with its
 * dataset split so a provider can fetch them, ordered with a deposit), lease it to the cheapest acceptable bid (or a
 * chosen one), hand the provider the inputs' location, then status (chain: paid, held, funded until; provider: step,
 * loss, throughput), logs, fetch (the model into the store with its {@link Lineage}) and cancel (refunding the rest).
 * Each submitted order is remembered under {@code <home>/compute/orders/<id>.json} (spec and dataset ids).
 */
public final class TenantJobs {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);
    /** Largest answer read from a provider's job API. */
    private static final int MAX_ANSWER = 1 << 20;
    /** Largest model fetched. */
    public static final long MAX_MODEL_BYTES = 1L << 30;

    private final HyphaContracts contracts;
    private final Credentials key;
    private final ContentStore store;
    private final Path orders;
    private final HttpClient http;
    private final Clock clock;
    private final LongSupplier chainTime;

    /**
     * @param clock     signs requests' expiry and paces waiting (the provider checks expiry against its own clock)
     * @param chainTime the chain's latest block time, which bid windows are measured in
     */
    public TenantJobs(HyphaContracts contracts, Credentials key, ContentStore store, Path home, HttpClient http, Clock clock,
                      LongSupplier chainTime) {
        this.contracts = contracts;
        this.key = key;
        this.store = store;
        this.orders = home.resolve("compute").resolve("orders");
        this.http = http;
        this.clock = clock;
        this.chainTime = chainTime;
    }

    /**
     * What an order asks for.
     *
     * @param auditor the auditor whose attestation of its resources every bid must carry (the market takes one per
     *                order), or the zero address for none
     */
    public record OrderTerms(BigInteger maxPricePerHour, BigInteger deposit, Resources needs, long bidWindowSeconds,
                             Address auditor) {
        public OrderTerms {
            java.util.Objects.requireNonNull(auditor, "auditor");
        }

        /** Terms that trust no auditor. */
        public OrderTerms(BigInteger maxPricePerHour, BigInteger deposit, Resources needs, long bidWindowSeconds) {
            this(maxPricePerHour, deposit, needs, bidWindowSeconds, Address.ZERO);
        }
    }

    /** A placed order: its id, and the spec and dataset it names. */
    public record Submitted(BigInteger orderId, ContentId spec, ContentId dataset, Job job) {}

    private ComputeMarketClient market() {
        return contracts.compute();
    }

    /**
     * Checks the spec, publishes it and the split it trains on through {@code published}, and places the order.
     *
     * @throws HyphaException (INPUT) for a spec a provider would refuse, NOT_FOUND for a dataset not in the store
     */
    public Submitted submit(String source, byte[] specBytes, OrderTerms terms, PublishedContent published) {
        Job job = JobSpecs.read(source, specBytes, JobLimits.DEFAULT);
        ContentId specId = store.put(specBytes);
        Inputs inputs = inputs(job);
        publish(specBytes, inputs, published);
        BigInteger id = market().createOrder(JobSpecs.digest(specId), terms.needs(), terms.maxPricePerHour(), terms.deposit(),
                terms.bidWindowSeconds(), terms.auditor());
        remember(id, specId, inputs.dataset(), inputs.base(), job);
        return new Submitted(id, specId, inputs.dataset(), job);
    }

    /**
     * Publishes again, through {@code published}, the spec and inputs of an order submitted from this home: what a
     * resumed run (a new process, a new server) does for an order whose provider may not have fetched them yet.
     */
    public void republish(BigInteger orderId, PublishedContent published) {
        ContentId specId = ContentId.parse(remembered(orderId).path("spec").asText());
        byte[] specBytes = store.get(specId);
        publish(specBytes, inputs(JobSpecs.read(specId.toString(), specBytes, JobLimits.DEFAULT)), published);
    }

    /** What a job names besides its spec: the dataset, a fine-tune's base model, and every file a provider fetches. */
    private record Inputs(ContentId dataset, Optional<ContentId> base, List<ContentId> files) {}

    private Inputs inputs(Job job) {
        List<ContentId> inputs = new ArrayList<>();
        ContentId dataset;
        Optional<ContentId> base = Optional.empty();
        switch (job) {
            case Job.Train t -> {
                dataset = ContentId.parse(t.spec().dataset());
                if (t.spec().dataAsset() != 0) {
                    break; // compute-to-data: the provider opens the sealed asset from its owner (--data-from)
                }
                require(dataset, "dataset", "import it first (hypha dataset import fashion-mnist)");
                DatasetManifest manifest = new DatasetStore(store).manifest(dataset);
                DatasetManifest.Split split = manifest.splits().get(t.spec().split());
                if (split == null) {
                    throw HyphaException.input("dataset " + dataset + " has no split '" + t.spec().split() + "'");
                }
                inputs.addAll(List.of(dataset, split.images(), split.labels()));
                if (t.spec().hasInit()) {
                    ContentId init = ContentId.parse(t.spec().init());
                    require(init, "init model", "a DiLoCo round's global model is stored before its round is ordered");
                    inputs.add(init);
                }
            }
            case Job.Finetune f -> {
                dataset = f.spec().data();
                base = Optional.of(f.spec().baseModel());
                require(f.spec().baseModel(), "base model", "add the GGUF with: hypha train submit ... --input FILE.gguf");
                inputs.add(f.spec().baseModel());
                if (f.spec().dataAsset() == 0) {
                    require(dataset, "training data", "add the file with: hypha train submit ... --input FILE");
                    inputs.add(dataset);
                } // else compute-to-data: the provider fetches the sealed asset from its owner (--data-from)
            }
        }
        return new Inputs(dataset, base, inputs);
    }

    private void publish(byte[] specBytes, Inputs inputs, PublishedContent published) {
        published.publish(specBytes);
        for (ContentId input : inputs.files()) {
            published.publish(store.get(input));
        }
    }

    private void require(ContentId id, String what, String how) {
        if (!store.contains(id)) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, what + " " + id + " is not in this store, so it cannot be handed to "
                    + "the provider; " + how);
        }
    }

    /**
     * Leases the order: to bid {@code bidIndex} when given, else, once the bid window has passed (waiting at most
     * {@code maxWait}), to the cheapest bid within the maximum price (the earliest among equal prices).
     *
     * @return the accepted bid's index
     */
    public int lease(BigInteger orderId, OptionalInt bidIndex, Duration maxWait) throws InterruptedException {
        return lease(orderId, bidIndex, maxWait, java.util.Set.of());
    }

    /**
     * As {@link #lease(BigInteger, OptionalInt, Duration)}, never choosing a bid by a provider in {@code avoid} (a
     * DiLoCo round leases each worker's order to a different provider).
     */
    public int lease(BigInteger orderId, OptionalInt bidIndex, Duration maxWait, java.util.Set<Address> avoid)
            throws InterruptedException {
        ComputeOrder order = market().order(orderId);
        if (order.state() != OrderState.OPEN) {
            throw HyphaException.input("order " + orderId + " is " + order.state() + ", not open for a lease");
        }
        if (bidIndex.isPresent()) {
            market().acceptBid(orderId, bidIndex.getAsInt());
            return bidIndex.getAsInt();
        }
        // The window is in chain seconds, and a chain's clock may run ahead of ours (a devnet after a time jump), so
        // wait out what is left of it as the chain counts, on our clock.
        long left = Math.max(0, order.bidsCloseAt() - chainTime.getAsLong());
        if (Duration.ofSeconds(left).compareTo(maxWait) > 0) {
            throw new HyphaException(ErrorCategory.NETWORK, "the bid window of order " + orderId + " is open for " + left
                    + " s more, longer than the " + maxWait.toSeconds() + " s allowed to wait");
        }
        long until = clock.millis() + left * 1000;
        while (clock.millis() < until) {
            Thread.sleep(Math.min(250, Math.max(1, until - clock.millis())));
        }
        List<ComputeBid> bids = market().bids(orderId);
        int best = -1;
        for (int i = 0; i < bids.size(); i++) {
            ComputeBid b = bids.get(i);
            if (!b.withdrawn() && !avoid.contains(b.provider()) && b.pricePerHour().compareTo(order.maxPricePerHour()) <= 0
                    && (best < 0 || b.pricePerHour().compareTo(bids.get(best).pricePerHour()) < 0)
                    && contracts.registry().isActive(b.provider().toString())) {
                best = i;
            }
        }
        if (best < 0) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "order " + orderId + " has no acceptable bid (" + bids.size()
                    + " bid(s)" + (avoid.isEmpty() ? "" : ", " + avoid.size() + " provider(s) already leased this round") + "); cancel it with `hypha train cancel " + orderId + "` to get the deposit back");
        }
        market().acceptBid(orderId, best);
        return best;
    }

    /** Tells the lease's provider where the inputs are published. */
    public void handOff(BigInteger orderId, List<String> sources) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("sources").addAll(sources.stream().map(JSON.getNodeFactory()::textNode).toList());
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String action = "inputs sha256:" + HexFormat.of().formatHex(Hashes.sha256(bytes));
        send(orderId, "/inputs", action, HttpRequest.BodyPublishers.ofByteArray(bytes), "POST");
    }

    /** The provider's report on the job (state, step, steps, loss, samplesPerSecond, result, message). */
    public JsonNode providerStatus(BigInteger orderId) {
        return send(orderId, "", "read", HttpRequest.BodyPublishers.noBody(), "GET");
    }

    /** Log lines from line {@code from}; the answer's {@code next} is where to continue. */
    public JsonNode logs(BigInteger orderId, long from) {
        return send(orderId, "/logs?from=" + from, "read", HttpRequest.BodyPublishers.noBody(), "GET");
    }

    /** What the chain says: the order with its lease, what is owed now, and until when it is funded. */
    public record ChainView(ComputeOrder order, BigInteger owed, long fundedUntil) {
        /** Paid so far plus what has accrued and not yet been settled. */
        public BigInteger costSoFar() {
            return order.paid().add(owed);
        }
    }

    public ChainView chain(BigInteger orderId) {
        ComputeOrder o = market().order(orderId);
        if (o.state() == OrderState.NONE) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no order " + orderId + " on ComputeMarket " + market().address());
        }
        boolean leased = o.state() == OrderState.LEASED;
        return new ChainView(o, leased ? market().owed(orderId) : BigInteger.ZERO, leased ? market().fundedUntil(orderId) : 0);
    }

    /**
     * Refuses the result of a lease whose provider lost a dispute over its training (the market marks such a lease
     * closed for {@code FAULT}, also when the job had ended before the dispute did), and of one with a dispute still
     * open: the verifiers' replay says, or may yet say, the committed states are not the spec's training.
     */
    private void refuseDisputed(BigInteger orderId, ComputeOrder order) {
        if (order.closeReason() == CloseReason.FAULT) {
            throw HyphaException.input("refusing the model of order " + orderId + ": its provider " + order.provider()
                    + " lost a dispute over this lease's training on TrainingVerifier (closed for fault; what the lease "
                    + "paid but had not released went back to you)");
        }
        if (contracts.deployment().contracts().containsKey(TrainingVerifierClient.NAME)) {
            long open = contracts.verifier().openDisputes(orderId);
            if (open > 0) {
                throw HyphaException.input("refusing the model of order " + orderId + " for now: " + open + " dispute"
                        + (open == 1 ? "" : "s") + " over this lease's training " + (open == 1 ? "is" : "are")
                        + " open on TrainingVerifier; fetch again once resolved");
            }
        }
    }

    /** A fetched model (or LoRA adapter), the reference it is stored under, and its lineage record's id. */
    public record Fetched(ContentId model, String name, String ref, ContentId lineage, ContentId dataset, byte[] bytes) {}

    /** Reference kind fetched LoRA adapters are stored under (named by the spec's name). */
    public static final String ADAPTERS = "adapters";

    /**
     * Fetches the finished model from the lease's provider (verified block by block), checks it is a model of this
     * order's spec and the final state whose root the provider committed last on TrainingVerifier (a classifier's
     * weights, a fine-tune's adapter: {@link CommittedModelCheck}), stores it under {@code models/<spec name>} and records its lineage.
     */
    public Fetched fetch(BigInteger orderId) {
        JsonNode status = providerStatus(orderId);
        if (!"DONE".equals(status.path("state").asText())) {
            throw HyphaException.input("order " + orderId + " has no model yet: the provider reports " + status.path("state").asText()
                    + (status.path("message").asText().isEmpty() ? "" : " (" + status.path("message").asText() + ")"));
        }
        ContentId model = ContentId.parse(status.path("result").asText());
        JsonNode mine = remembered(orderId);
        ContentId spec = ContentId.parse(mine.path("spec").asText());
        ContentId dataset = ContentId.parse(mine.path("dataset").asText());
        ComputeOrder order = market().order(orderId);
        refuseDisputed(orderId, order);
        byte[] bytes = new ContentFetcher(http, List.of(endpoint(order))).fetch(model, MAX_MODEL_BYTES);
        boolean adapter = "lora-finetune".equals(mine.path("kind").asText());
        Optional<ContentId> base = mine.hasNonNull("base") ? Optional.of(ContentId.parse(mine.path("base").asText())) : Optional.empty();
        if (adapter) {
            if (bytes.length < 4 || bytes[0] != 'G' || bytes[1] != 'G' || bytes[2] != 'U' || bytes[3] != 'F') {
                throw HyphaException.input("the provider's result " + model + " is not a GGUF LoRA adapter");
            }
            if (contracts.deployment().contracts().containsKey(TrainingVerifierClient.NAME)) {
                // A fine-tune's commitments are its adapter's states: the adapter must be the last of them.
                Job job = JobSpecs.read(spec.toString(), store.get(spec), JobLimits.DEFAULT);
                if (!(job instanceof Job.Finetune f)) {
                    throw HyphaException.input("order " + orderId + "'s spec " + spec + " is not a fine-tune, but its result is an adapter");
                }
                new CommittedModelCheck(contracts.verifier(), http).checkAdapter(orderId, spec, f.spec().options(), bytes,
                        endpoint(order), MAX_MODEL_BYTES);
            }
        } else {
            ModelFile.Contents contents = ModelFile.decode(model.toString(), bytes);
            if (!contents.specId().equals(spec.toString())) {
                throw HyphaException.input("the provider's model " + model + " was trained from spec " + contents.specId()
                        + ", not this order's " + spec);
            }
            if (contracts.deployment().contracts().containsKey(TrainingVerifierClient.NAME)) {
                // What verifiers checked is the committed states: the model must be the last of them.
                new CommittedModelCheck(contracts.verifier(), http).check(orderId, spec, contents, endpoint(order),
                        MAX_MODEL_BYTES);
            }
        }
        store.put(bytes);
        String name = mine.path("name").asText();
        String ref = adapter ? ADAPTERS : Trainer.MODELS;
        store.setRef(ref, name, model);
        Lineage lineage = new Lineage(model, spec, dataset, base, contracts.deployment().chainId(),
                market().address().toString(), orderId, order.provider().toString());
        ContentId lineageId = store.put(lineage.encode());
        store.setRef(Lineage.REF_KIND, model.toString(), lineageId);
        return new Fetched(model, name, ref + "/" + name, lineageId, dataset, bytes);
    }

    /** What a cancel did. */
    public record Cancelled(OrderState before, BigInteger paid, BigInteger refunded) {}

    /** Withdraws an open order or closes a running lease; the rest of the deposit comes back. */
    public Cancelled cancel(BigInteger orderId) {
        ComputeOrder before = market().order(orderId);
        switch (before.state()) {
            case OPEN -> {
                market().cancelOrder(orderId);
                return new Cancelled(OrderState.OPEN, BigInteger.ZERO, before.held());
            }
            case LEASED -> {
                market().closeLease(orderId);
                ComputeOrder after = market().order(orderId);
                BigInteger refunded = before.held().add(before.paid()).subtract(after.paid());
                return new Cancelled(OrderState.LEASED, after.paid(), refunded);
            }
            default -> throw HyphaException.input("order " + orderId + " is " + before.state() + "; nothing to cancel");
        }
    }

    private JsonNode send(BigInteger orderId, String path, String action, HttpRequest.BodyPublisher body, String method) {
        ComputeOrder order = market().order(orderId);
        if (order.state() != OrderState.LEASED && order.state() != OrderState.CLOSED) {
            throw HyphaException.input("order " + orderId + " is " + order.state() + ": it has no provider to ask");
        }
        URI base = endpoint(order);
        long expires = clock.instant().getEpochSecond() + 120;
        String signature = TenantAuth.sign(key, contracts.deployment().chainId(), market().address(), orderId, action, expires);
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/compute/jobs/" + orderId + path)).timeout(HTTP_TIMEOUT)
                .header(TenantAuth.SIGNATURE_HEADER, signature).header(TenantAuth.EXPIRES_HEADER, Long.toString(expires))
                .header("Content-Type", "application/json").method(method, body).build();
        try {
            HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            byte[] answer;
            try (var in = response.body()) {
                answer = in.readNBytes(MAX_ANSWER);
            }
            JsonNode json = JSON.readTree(answer);
            if (response.statusCode() / 100 != 2) {
                throw new HyphaException(response.statusCode() == 403 || response.statusCode() == 401 ? ErrorCategory.AUTH
                        : ErrorCategory.NETWORK, "provider " + base + " answered " + response.statusCode() + ": "
                        + (json == null ? "" : json.path("error").asText()));
            }
            return json;
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.NETWORK, "cannot reach provider " + base + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HyphaException(ErrorCategory.NETWORK, "interrupted talking to " + base, e);
        }
    }

    private URI endpoint(ComputeOrder order) {
        ProviderRegistryClient.ProviderInfo info = contracts.registry().provider(order.provider().toString()).orElseThrow(
                () -> new HyphaException(ErrorCategory.NOT_FOUND, "provider " + order.provider() + " is not registered"));
        try {
            return URI.create(info.endpoint());
        } catch (IllegalArgumentException e) {
            throw HyphaException.input("provider " + order.provider() + " registered an endpoint that is not a URL: " + info.endpoint());
        }
    }

    private void remember(BigInteger id, ContentId spec, ContentId dataset, Optional<ContentId> base, Job job) {
        var n = JSON.createObjectNode();
        n.put("order", id.toString());
        n.put("kind", job instanceof Job.Finetune ? FinetuneSpec.KIND : "train");
        n.put("spec", spec.toString());
        n.put("dataset", dataset.toString());
        if (base.isPresent()) {
            n.put("base", base.get().toString());
        }
        n.put("name", job.name());
        try {
            Files.createDirectories(orders);
            DurableFiles.replace(orders.resolve(id + ".json"), JSON.writeValueAsBytes(n));
        } catch (IOException e) {
            throw HyphaException.io("cannot record order " + id + " in " + orders + ": " + e.getMessage(), e);
        }
    }

    private JsonNode remembered(BigInteger id) {
        Path f = orders.resolve(id + ".json");
        try {
            if (!Files.isRegularFile(f) || Files.size(f) > 64 << 10) {
                throw new HyphaException(ErrorCategory.NOT_FOUND, "order " + id + " was not submitted from this home (" + f + ")");
            }
            return JSON.readTree(Files.readAllBytes(f));
        } catch (IOException e) {
            throw HyphaException.io("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    /** Orders submitted from this home, in id order. */
    public List<BigInteger> submitted() {
        List<BigInteger> ids = new ArrayList<>();
        if (!Files.isDirectory(orders)) return ids;
        try (var files = Files.list(orders)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]{1,78}\\.json"))
                    .map(n -> new BigInteger(n.substring(0, n.length() - 5))).sorted().forEach(ids::add);
        } catch (IOException e) {
            throw HyphaException.io("cannot list " + orders + ": " + e.getMessage(), e);
        }
        return ids;
    }
}

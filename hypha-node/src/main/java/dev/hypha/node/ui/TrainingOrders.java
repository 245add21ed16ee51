package dev.hypha.node.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.compute.Resources;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.time.TimeSource;
import dev.hypha.ml.train.store.ContentStore;
import dev.hypha.node.compute.BuiltinJobSpecs;
import dev.hypha.node.compute.Job;
import dev.hypha.node.compute.JobLimits;
import dev.hypha.node.compute.JobSpecs;
import dev.hypha.node.compute.PublishedContent;
import dev.hypha.node.compute.TenantJobs;
import dev.hypha.node.http.ApiServer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's second action that spends: order training of a built-in spec ({@link BuiltinJobSpecs}) on
 * ComputeMarket, as {@code hypha train submit} does, through the same {@link TenantJobs}: the spec is checked with a
 * provider's rules, the spec and dataset are published, the order is placed with its deposit held in escrow, the
 * cheapest acceptable bid is leased once the bid window has passed, and the provider is handed the inputs' address.
 * Two steps with the channel action's rules ({@link PendingConfirmations}): {@link #quote} shows the escrow, the price
 * per hour and per second, how long the deposit pays for and the account's balance before and after, and
 * {@link #confirm} places the order, once. What follows the order (bids, lease, hand-off) runs in the background, one
 * virtual thread per order, at most {@link #MAX_FOLLOWING} at once, each serving the inputs from its own loopback
 * port (as submit's default {@code --serve 127.0.0.1:0}) until the provider has fetched them; the page lists them.
 */
final class TrainingOrders implements AutoCloseable {
    /** Orders followed at once (each holds its spec and dataset in memory until the provider fetched them). */
    static final int MAX_FOLLOWING = 4;
    /** Orders whose progress is remembered for the page (the newest). */
    static final int MAX_REMEMBERED = 16;
    /** As submit's defaults: the bid window, and how long to wait for bids and for the provider to fetch. */
    static final long BID_WINDOW_SECONDS = 30;
    static final Duration WAIT = Duration.ofSeconds(600);
    /** As submit's defaults: what the job needs. */
    static final Resources NEEDS = new Resources(1, 1024, 0);

    private static final Logger LOG = LoggerFactory.getLogger(TrainingOrders.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final BigInteger SECONDS_PER_HOUR = BigInteger.valueOf(3600);

    private record Quote(String spec, byte[] bytes, BigInteger maxPricePerHour, BigInteger deposit) {}

    /** What the page shows of an order placed here; replaced as the order moves on. */
    private record Progress(String spec, String deposit, String state, String message) {}

    private final DashboardSources sources;
    private final PendingConfirmations<Quote> quotes;
    private final Runnable placed;
    private final Map<BigInteger, Progress> progress = new LinkedHashMap<>();
    private final List<Thread> following = new ArrayList<>();
    private final List<ApiServer> servers = new ArrayList<>();
    private boolean closed;

    /** @param placed told when an order was placed or moved on (the compute panel's cache is then stale) */
    TrainingOrders(DashboardSources sources, TimeSource clock, Runnable placed) {
        this.sources = Objects.requireNonNull(sources, "sources");
        this.quotes = new PendingConfirmations<>(clock);
        this.placed = Objects.requireNonNull(placed, "placed");
    }

    /** Whether this node may order training (it holds a tenant key and the deployment has a ComputeMarket). */
    boolean available() {
        return sources.tenant().isPresent()
                && sources.contracts().deployment().contracts().containsKey(dev.hypha.chain.deploy.ComputeMarketClient.NAME);
    }

    private DashboardSources.Tenant tenant() {
        if (!available()) {
            throw new ActionRefused(409, "this node holds no account to order training from, or its deployment has no"
                    + " ComputeMarket");
        }
        return sources.tenant().get();
    }

    /** The built-in specs (with whether their dataset is in the store) and the orders placed from the page. */
    ObjectNode json() {
        ObjectNode out = JSON.objectNode().put("available", available());
        ArrayNode specs = out.putArray("specs");
        ContentStore store = new ContentStore(sources.home());
        for (String name : BuiltinJobSpecs.NAMES) {
            Job.Train job = train(name);
            ContentId dataset = ContentId.parse(job.spec().dataset());
            specs.addObject().put("name", name).put("steps", job.steps()).put("batch", job.spec().batch())
                    .put("parameters", JobSpecs.parameters(job.spec())).put("dataset", dataset.toString())
                    .put("datasetInStore", store.contains(dataset));
        }
        ArrayNode list = out.putArray("placed");
        synchronized (progress) {
            List<Map.Entry<BigInteger, Progress>> newest = new ArrayList<>(progress.entrySet());
            for (int i = newest.size() - 1; i >= 0; i--) {
                Progress p = newest.get(i).getValue();
                list.addObject().put("order", newest.get(i).getKey().toString()).put("spec", p.spec())
                        .put("deposit", p.deposit()).put("state", p.state()).put("message", p.message());
            }
        }
        return out;
    }

    /** Changes when an order placed here moves on (for the live tick). */
    String fingerprint() {
        synchronized (progress) {
            return Integer.toHexString(progress.toString().hashCode());
        }
    }

    /** Step one: what ordering {@code {spec, maxPricePerHour, deposit}} costs, and the code that confirms it. */
    ObjectNode quote(JsonNode body) {
        DashboardSources.Tenant tenant = tenant();
        String name = ActionFields.text(body, "spec");
        byte[] bytes = BuiltinJobSpecs.bytes(name).orElseThrow(() -> new ActionRefused(400, "unknown spec '"
                + (name.length() > 40 ? name.substring(0, 40) + "…" : name) + "'; built in: "
                + String.join(", ", BuiltinJobSpecs.NAMES)));
        BigInteger price = ActionFields.units(body, "maxPricePerHour");
        BigInteger deposit = ActionFields.units(body, "deposit");
        Job.Train job = train(name);
        ContentId dataset = ContentId.parse(job.spec().dataset());
        if (!new ContentStore(sources.home()).contains(dataset)) {
            throw new ActionRefused(409, "the spec's dataset " + dataset + " is not in this node's store, so no provider"
                    + " could be handed it: import it first (hypha dataset import fashion-mnist)");
        }
        BigInteger balance;
        try {
            balance = sources.contracts().payment().balanceOf(tenant.account().lowercaseHex());
        } catch (HyphaException e) {
            throw new ActionRefused(503, "cannot read the account's balance: " + e.getMessage());
        }
        if (deposit.compareTo(balance) > 0) {
            throw new ActionRefused(400, "the account " + tenant.account().toChecksumString() + " holds " + balance
                    + " token units, less than the " + deposit + " deposit asked for");
        }
        synchronized (progress) {
            if (servers.size() >= MAX_FOLLOWING) {
                throw new ActionRefused(409, MAX_FOLLOWING + " orders placed from this page are still waiting for bids"
                        + " or for their provider; try again when one has been handed off");
            }
        }
        String code = quotes.issue(new Quote(name, bytes, price, deposit));
        ObjectNode q = JSON.objectNode().put("action", "order training").put("spec", name).put("steps", job.steps())
                .put("batch", job.spec().batch()).put("dataset", dataset.toString())
                .put("tenant", tenant.account().toChecksumString()).put("deposit", deposit.toString())
                .put("maxPricePerHour", price.toString())
                .put("maxPricePerSecond", new BigDecimal(price).divide(BigDecimal.valueOf(3600), 6, RoundingMode.DOWN)
                        .stripTrailingZeros().toPlainString())
                .put("fundedSeconds", deposit.multiply(SECONDS_PER_HOUR).divide(price).toString())
                .put("balance", balance.toString()).put("balanceAfter", balance.subtract(deposit).toString())
                .put("bidWindowSeconds", BID_WINDOW_SECONDS)
                .put("unlock", "signed by this node's account " + tenant.account().toChecksumString()
                        + "; its key is held by this node")
                .put("confirm", code).put("expiresInSeconds", PendingConfirmations.LIFETIME.toSeconds());
        q.putObject("needs").put("cores", NEEDS.cores()).put("memoryMiB", NEEDS.memoryMiB())
                .put("accelerators", NEEDS.accelerators());
        return q;
    }

    /** Step two: places the order the quote with {@code {confirm}} showed, once, and follows it in the background. */
    ObjectNode confirm(JsonNode body) {
        DashboardSources.Tenant tenant = tenant();
        Quote quote = quotes.take(ActionFields.text(body, "confirm")); // one use, even when what follows fails
        PublishedContent published = new PublishedContent();
        ApiServer server = new ApiServer("127.0.0.1", 0, List.of(published));
        TenantJobs.Submitted submitted;
        synchronized (progress) {
            if (closed) {
                throw new ActionRefused(503, "the node is stopping");
            }
            // each order in flight holds its input server from here until it is handed off (or fails): counting them
            // where the slot is taken keeps concurrent confirmations within the bound
            if (servers.size() >= MAX_FOLLOWING) {
                throw new ActionRefused(409, MAX_FOLLOWING + " orders placed from this page are still being followed");
            }
            servers.add(server);
        }
        try {
            server.start();
            submitted = tenant.jobs().submit(quote.spec() + ".toml", quote.bytes(), new TenantJobs.OrderTerms(
                    quote.maxPricePerHour(), quote.deposit(), NEEDS, BID_WINDOW_SECONDS), published);
        } catch (HyphaException | IllegalStateException e) {
            stop(server);
            int status = e instanceof HyphaException h && h.category() == ErrorCategory.INPUT ? 400 : 502;
            throw new ActionRefused(status, "the order was not placed: " + e.getMessage());
        }
        BigInteger id = submitted.orderId();
        String url = "http://127.0.0.1:" + server.port();
        record(id, quote, "open", "waiting " + BID_WINDOW_SECONDS + " s for bids");
        synchronized (progress) {
            if (closed) {
                stop(server);
            } else {
                following.add(Thread.ofVirtual().name("dashboard-order-" + id).start(() -> follow(tenant.jobs(), id, quote,
                        server, url)));
            }
        }
        placed.run();
        return JSON.objectNode().put("action", "ordered").put("order", id.toString()).put("spec", quote.spec())
                .put("specId", submitted.spec().toString()).put("deposit", quote.deposit().toString())
                .put("maxPricePerHour", quote.maxPricePerHour().toString());
    }

    /** What submit does after placing the order: lease the cheapest acceptable bid, hand off, wait for the fetch. */
    private void follow(TenantJobs jobs, BigInteger id, Quote quote, ApiServer server, String url) {
        boolean interrupted = false;
        try {
            int bid = jobs.lease(id, OptionalInt.empty(), Duration.ofSeconds(BID_WINDOW_SECONDS).plus(WAIT));
            record(id, quote, "leased", "leased to bid " + bid + "; handing the provider the inputs");
            jobs.handOff(id, List.of(url));
            record(id, quote, "handed off", "inputs published at " + url + "; waiting for the provider to fetch them");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                String state = jobs.providerStatus(id).path("state").asText();
                if (!state.equals("LEASED") && !state.equals("FETCHING") && !state.equals("BID")) {
                    record(id, quote, "running", "the provider is " + state + " (follow it: hypha train status " + id + ")");
                    return;
                }
                if (System.nanoTime() > deadline) {
                    record(id, quote, "stalled", "the provider has not fetched the inputs after " + WAIT.toSeconds()
                            + " s; cancel with hypha train cancel " + id);
                    return;
                }
                Thread.sleep(1000);
            }
        } catch (InterruptedException e) {
            interrupted = true; // set again once the input server is closed (a closing server refuses interrupted threads)
            record(id, quote, "stopped", "the node stopped while following the order; hypha train status " + id);
        } catch (HyphaException | IllegalStateException e) {
            // no acceptable bid, a failed transaction, a provider that did not answer: the order stays as it is on chain
            record(id, quote, "failed", e.getMessage() + " (hypha train cancel " + id + " returns what is held)");
            LOG.info("dashboard order {}: {}", id, e.getMessage());
        } finally {
            interrupted |= Thread.interrupted();
            stop(server);
            synchronized (progress) {
                following.remove(Thread.currentThread());
            }
            placed.run();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void record(BigInteger id, Quote quote, String state, String message) {
        synchronized (progress) {
            progress.remove(id);
            progress.put(id, new Progress(quote.spec(), quote.deposit().toString(), state, message));
            while (progress.size() > MAX_REMEMBERED) {
                progress.remove(progress.keySet().iterator().next());
            }
        }
    }

    private void stop(ApiServer server) {
        synchronized (progress) {
            servers.remove(server);
        }
        try {
            server.close();
        } catch (RuntimeException e) {
            LOG.debug("closing an order's input server: {}", e.toString());
        }
    }

    private static Job.Train train(String name) {
        byte[] bytes = BuiltinJobSpecs.bytes(name).orElseThrow();
        if (!(JobSpecs.read(name + ".toml", bytes, JobLimits.DEFAULT) instanceof Job.Train t)) {
            throw new IllegalStateException("the built-in spec " + name + " is no training spec");
        }
        return t;
    }

    /** Stops following (the orders stay on chain as they are) and closes the input servers. */
    @Override
    public void close() {
        List<Thread> threads;
        List<ApiServer> open;
        synchronized (progress) {
            closed = true;
            threads = List.copyOf(following);
            open = List.copyOf(servers);
        }
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        open.forEach(this::stop);
    }
}

package dev.hypha.node.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.compute.ComputeBid;
import dev.hypha.chain.compute.ComputeOrder;
import dev.hypha.chain.compute.OrderState;
import dev.hypha.chain.compute.Resources;
import dev.hypha.chain.compute.StateCommitment;
import dev.hypha.chain.compute.VerifierDispute;
import dev.hypha.chain.deploy.ComputeMarketClient;
import dev.hypha.chain.deploy.TrainingVerifierClient;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.time.TimeSource;
import dev.hypha.node.compute.JobBook;
import dev.hypha.node.compute.JobProgress;
import dev.hypha.node.compute.JobRecord;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The compute area as the dashboard shows it: the market's newest orders with their bids and leases (rate, paid so
 * far, what the provider could settle now, and when the deposit runs dry), the training-state commitments of each
 * lease and the verifier's newest disputes, all read from the chain; and the jobs of a compute provider running on
 * this home ({@code hypha compute offer}, possibly another process) with their loss and throughput curves, read from
 * its job book (the records and the progress lines of each job's log). Every read is bounded: the newest
 * {@link #MAX_ORDERS} orders, {@link #MAX_DISPUTES} disputes, {@link #MAX_JOBS} jobs, at most
 * {@link #COMMITMENTS_PER_ORDER} commitments per order, {@link #MAX_POINTS} points per curve.
 */
final class ComputeReader {
    static final int MAX_ORDERS = 20;
    static final int MAX_DISPUTES = 20;
    static final int MAX_JOBS = 8;
    static final int COMMITMENTS_PER_ORDER = 3;
    static final int MAX_POINTS = 2_000;
    /** Log lines read per job (the runner writes about 50 progress lines a run, plus a few per checkpoint). */
    static final int MAX_LOG_LINES = 10_000;
    /** A lease of this node with less funding left than this raises an alert: it is about to run dry. */
    static final Duration RUNS_DRY_SOON = Duration.ofHours(1);

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final DashboardSources sources;
    private final Supplier<Instant> now;
    private final Cached<ObjectNode> snapshot;

    /** @param now the time leases are judged at (the later of the chain's newest block and this machine's clock) */
    ComputeReader(DashboardSources sources, Supplier<Instant> now, TimeSource clock) {
        this.sources = Objects.requireNonNull(sources, "sources");
        this.now = Objects.requireNonNull(now, "now");
        // One page load and the overview's alerts read the same snapshot: one round of chain reads per 2 s at most.
        this.snapshot = new Cached<>(this::read, Duration.ofSeconds(2), clock);
    }

    /** Whether the deployment has the compute market (older deployments do not). */
    boolean present() {
        return sources.contracts().deployment().contracts().containsKey(ComputeMarketClient.NAME);
    }

    private boolean verifierPresent() {
        return sources.contracts().deployment().contracts().containsKey(TrainingVerifierClient.NAME);
    }

    /** Forgets the cached snapshot (an order was placed from the page: show it at once). */
    void changed() {
        snapshot.invalidate();
    }

    ObjectNode json() {
        return snapshot.get();
    }

    private ObjectNode read() {
        ObjectNode out = JSON.objectNode();
        if (!present()) {
            return out.put("present", false);
        }
        long at = now.get().getEpochSecond();
        out.put("present", true).put("now", at);
        ComputeMarketClient market = sources.contracts().compute();
        JobBook book = JobBook.peek(sources.home(), MAX_JOBS);
        Set<BigInteger> mine = new TreeSet<>();
        book.all().forEach(r -> mine.add(r.orderId()));
        Set<Address> accounts = new TreeSet<>(java.util.Comparator.comparing(Address::lowercaseHex));
        sources.payer().ifPresent(p -> accounts.add(p.account()));
        sources.provider().ifPresent(p -> accounts.add(p.account()));

        BigInteger next = market.nextOrderId();
        out.put("ordersTotal", next.subtract(BigInteger.ONE).max(BigInteger.ZERO).toString());
        ArrayNode orders = out.putArray("orders");
        ArrayNode alerts = out.putArray("alerts");
        BigInteger oldestListed = next;
        for (BigInteger id = next.subtract(BigInteger.ONE); id.signum() > 0
                && next.subtract(id).compareTo(BigInteger.valueOf(MAX_ORDERS)) <= 0; id = id.subtract(BigInteger.ONE)) {
            ComputeOrder o = market.order(id);
            ObjectNode n = orders.addObject();
            order(n, id, o, market, at);
            boolean ours = mine.contains(id) || accounts.contains(o.tenant())
                    || (o.state() == OrderState.LEASED && accounts.contains(o.provider()));
            n.put("thisNode", ours);
            if (ours && o.state() == OrderState.LEASED) {
                runsDry(alerts, id, o, n.path("lease").path("secondsLeft").asLong());
            }
            oldestListed = id;
        }
        // this node's own jobs on orders older than the page lists still raise their alert
        for (BigInteger id : mine) {
            if (id.compareTo(oldestListed) < 0) {
                ComputeOrder o = market.order(id);
                if (o.state() == OrderState.LEASED) {
                    runsDry(alerts, id, o, market.fundedUntil(id) - at);
                }
            }
        }
        ArrayNode jobs = out.putArray("jobs");
        List<JobRecord> records = new ArrayList<>(book.all());
        java.util.Collections.reverse(records); // newest order first
        for (JobRecord r : records) {
            job(jobs.addObject(), r, book);
        }
        ArrayNode disputes = out.putArray("disputes");
        if (verifierPresent()) {
            TrainingVerifierClient verifier = sources.contracts().verifier();
            BigInteger nextDispute = verifier.nextDisputeId();
            out.put("disputesTotal", nextDispute.subtract(BigInteger.ONE).max(BigInteger.ZERO).toString());
            for (BigInteger id = nextDispute.subtract(BigInteger.ONE); id.signum() > 0
                    && nextDispute.subtract(id).compareTo(BigInteger.valueOf(MAX_DISPUTES)) <= 0;
                 id = id.subtract(BigInteger.ONE)) {
                dispute(disputes.addObject(), id, verifier.dispute(id));
            }
        }
        return out;
    }

    private static void runsDry(ArrayNode alerts, BigInteger id, ComputeOrder o, long secondsLeft) {
        if (secondsLeft < RUNS_DRY_SOON.toSeconds()) {
            alerts.add("lease of order " + id + " (provider " + o.provider().toChecksumString() + ") runs dry "
                    + (secondsLeft <= 0 ? "now: its deposit is used up" : "in " + duration(secondsLeft)
                    + ": add to its deposit or let it close"));
        }
    }

    private void order(ObjectNode n, BigInteger id, ComputeOrder o, ComputeMarketClient market, long at) {
        n.put("id", id.toString()).put("tenant", o.tenant().toChecksumString()).put("state", o.state().name())
                .put("spec", o.spec()).put("maxPricePerHour", o.maxPricePerHour().toString())
                .put("held", o.held().toString()).put("bidsCloseAt", o.bidsCloseAt()).put("bidCount", o.bidCount());
        resources(n.putObject("needs"), o.needs());
        boolean audited = !o.auditor().equals(dev.hypha.core.crypto.Address.ZERO);
        if (audited) {
            n.put("auditor", o.auditor().toChecksumString()); // the market took only bids this auditor attested
        }
        if (o.state() == OrderState.CLOSED) {
            n.put("closeReason", o.closeReason().name());
        }
        ArrayNode bids = n.putArray("bids");
        if (o.bidCount() > 0) {
            for (ComputeBid b : market.bids(id)) { // at most the contract's MAX_BIDS (32)
                ObjectNode bn = bids.addObject().put("provider", b.provider().toChecksumString())
                        .put("pricePerHour", b.pricePerHour().toString()).put("withdrawn", b.withdrawn());
                resources(bn.putObject("offered"), b.offered());
                if (audited) {
                    bn.put("attestedBy", o.auditor().toChecksumString());
                }
            }
        }
        if (o.state() == OrderState.LEASED || o.state() == OrderState.CLOSED) {
            ObjectNode lease = n.putObject("lease").put("provider", o.provider().toChecksumString())
                    .put("pricePerHour", o.pricePerHour().toString()).put("start", o.leaseStart())
                    .put("end", o.leaseEnd()).put("paid", o.paid().toString());
            if (o.state() == OrderState.LEASED) {
                long fundedUntil = market.fundedUntil(id);
                lease.put("owed", market.owed(id).toString()).put("fundedUntil", fundedUntil)
                        .put("secondsLeft", fundedUntil - at);
            }
            if (verifierPresent()) {
                commitments(lease.putObject("commitments"), id);
            }
        }
    }

    private void commitments(ObjectNode into, BigInteger orderId) {
        TrainingVerifierClient verifier = sources.contracts().verifier();
        long count = verifier.commitmentCount(orderId);
        into.put("count", count);
        ArrayNode newest = into.putArray("newest");
        for (long i = count - 1; i >= 0 && i >= count - COMMITMENTS_PER_ORDER; i--) {
            StateCommitment c = verifier.commitment(orderId, i);
            newest.addObject().put("index", i).put("step", c.step()).put("time", c.time()).put("root", hex(c.root()));
        }
    }

    private static void dispute(ObjectNode n, BigInteger id, VerifierDispute d) {
        n.put("id", id.toString()).put("order", d.orderId().toString())
                .put("provider", d.provider().toChecksumString()).put("challenger", d.challenger().toChecksumString())
                .put("commitmentIndex", d.commitmentIndex()).put("phase", d.phase().name())
                .put("outcome", d.outcome().name()).put("lo", d.lo()).put("hi", d.hi()).put("deadline", d.deadline())
                .put("votesProvider", d.votesProvider()).put("votesChallenger", d.votesChallenger())
                .put("votesOther", d.votesOther()).put("bond", d.bond().toString());
    }

    /**
     * A job as the page shows it: state, progress and message, and its curves from the progress lines of its log,
     * one point per step (a restarted job logs steps again: the newest line for a step wins). The tenant's input
     * addresses are not shown (they may carry a tenant's access token).
     */
    private static void job(ObjectNode n, JobRecord r, JobBook book) {
        n.put("order", r.orderId().toString()).put("state", r.state().name()).put("step", r.step())
                .put("steps", r.steps()).put("message", r.message()).put("result", r.result())
                .put("leaseClosed", r.leaseClosed());
        if (!Double.isNaN(r.loss())) {
            n.put("loss", r.loss());
        }
        Map<Long, JobProgress> byStep = new TreeMap<>();
        for (String line : book.logLines(r.orderId(), 0, MAX_LOG_LINES)) {
            JobProgress.parseLogLine(line).ifPresent(p -> byStep.put(p.step(), p));
        }
        List<JobProgress> points = new ArrayList<>(byStep.values());
        if (points.size() > MAX_POINTS) {
            points = points.subList(points.size() - MAX_POINTS, points.size());
        }
        ArrayNode curve = n.putArray("points"); // [step, loss, samples per second]: display only
        for (JobProgress p : points) {
            ArrayNode pt = curve.addArray().add(p.step());
            if (Double.isFinite(p.loss())) {
                pt.add(p.loss());
            } else {
                pt.addNull(); // a diverged step: a gap in the curve, not a broken page
            }
            pt.add(p.samplesPerSecond());
        }
        if (!points.isEmpty()) {
            n.put("lastStep", points.getLast().step());
        }
    }

    /** What changes when the page should redraw: orders, disputes, and each job's state and log length. */
    String fingerprint() {
        if (!present()) {
            return "";
        }
        StringBuilder b = new StringBuilder(sources.contracts().compute().nextOrderId().toString());
        if (verifierPresent()) {
            b.append('/').append(sources.contracts().verifier().nextDisputeId());
        }
        JobBook book = JobBook.peek(sources.home(), MAX_JOBS);
        for (JobRecord r : book.all()) {
            b.append(' ').append(r.orderId()).append(':').append(r.state()).append(':').append(book.logSize(r.orderId()));
        }
        return b.toString();
    }

    /** The alerts of leases this node takes part in that are about to run dry. */
    List<String> alerts() {
        if (!present()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try {
            json().path("alerts").forEach(a -> out.add(a.asText()));
        } catch (RuntimeException e) {
            // the overview still shows the rest: a failing compute read is one alert, not a failed page
            out.add("cannot read the compute market: " + e.getMessage());
        }
        return out;
    }

    private static void resources(ObjectNode into, Resources r) {
        into.put("cores", r.cores()).put("memoryMiB", r.memoryMiB()).put("accelerators", r.accelerators());
    }

    private static String hex(byte[] b) {
        return "0x" + HexFormat.of().formatHex(b);
    }

    private static String duration(long seconds) {
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        return h > 0 ? h + " h " + m + " min" : m > 0 ? m + " min" : seconds + " s";
    }
}

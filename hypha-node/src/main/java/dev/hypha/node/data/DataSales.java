package dev.hypha.node.data;

import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.core.crypto.Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import org.web3j.crypto.Credentials;

/**
 * Paid data delivered without anyone watching: the node started by {@code hypha up} (and a provider process) runs one
 * of these, so a buyer's {@code hypha data buy} is answered within one pass instead of waiting for the owner to run
 * {@code hypha data fulfil}. Each pass, for every account that can sign here and owns data sealed in this home
 * ({@link OwnedData} records, re-read each pass so data added while the node runs is sold too), delivers the open
 * paid requests for its assets through {@link PaidRequests} (same rules: key wrapped to the key the buyer's own
 * transaction named, unusable keys declined and refunded, the payment split up the lineage by RoyaltySplitter).
 * The same loop releases compute-to-data keys to leaseholders ({@link #releaseJobKeys}).
 * A failed pass is reported and tried again at the next; nothing here is timed in tests: they call {@link #pass}.
 */
public final class DataSales implements AutoCloseable {
    /** What one pass did, per delivered or declined request. */
    public record Sold(Address owner, PaidRequests.Outcome outcome) {}

    private final Path home;
    private final Function<Credentials, HyphaContracts> contractsAs;
    private final Map<Address, Credentials> signers = new LinkedHashMap<>();
    private final Consumer<String> log;
    /** Requests already reported as not deliverable: said once, not every pass. */
    private final Set<Long> reported = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Job key releases already reported as failing, by "order:asset": said once, not every pass. */
    private final Set<String> releaseReported = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Thread poller;

    /**
     * @param contractsAs the contracts as a given signing account (its transactions)
     * @param log         one line per delivered, declined or failed request
     */
    public DataSales(Path home, Function<Credentials, HyphaContracts> contractsAs, Consumer<String> log) {
        this.home = Objects.requireNonNull(home, "home");
        this.contractsAs = Objects.requireNonNull(contractsAs, "contractsAs");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** Accounts this node may sell for (it holds their keys); only those owning data sealed here are served. */
    public synchronized DataSales sellFor(List<Credentials> accounts) {
        for (Credentials c : accounts) signers.putIfAbsent(Address.parse(c.getAddress()), c);
        return this;
    }

    /** The owners a pass serves now: signing accounts with data sealed in this home, in address order. */
    public synchronized List<Address> owners() {
        Set<Address> withData = new TreeSet<>(java.util.Comparator.comparing(Address::lowercaseHex));
        for (OwnedData r : OwnedData.all(home)) {
            Address a = Address.parse(r.account());
            if (signers.containsKey(a)) withData.add(a);
        }
        return List.copyOf(withData);
    }

    /**
     * One pass over every owner's paid requests ({@link #releaseJobKeys} does the job keys); a failure for one owner is
     * logged and does not stop the others.
     */
    public List<Sold> pass() {
        List<Sold> sold = new ArrayList<>();
        List<Address> owners;
        try {
            owners = owners();
        } catch (RuntimeException e) { // an unreadable record: say so, keep the node running, try again next pass
            log.accept("data sale: cannot read the data records: " + e.getMessage());
            return sold;
        }
        for (Address owner : owners) {
            Credentials key;
            synchronized (this) {
                key = signers.get(owner);
            }
            try {
                HyphaContracts contracts = contractsAs.apply(key);
                PaidRequests requests = new PaidRequests(home, contracts, new DataOwner(home, contracts, key), owner);
                for (PaidRequests.Outcome o : requests.fulfilOpen()) {
                    sold.add(new Sold(owner, o));
                    if (!o.delivered() && !reported.add(o.requestId())) continue;
                    log.accept("data sale: request " + o.requestId() + " for asset #" + o.assetId() + " by "
                            + o.buyer().toChecksumString() + ": " + o.note());
                }
            } catch (RuntimeException e) {
                log.accept("data sale: delivering " + owner.toChecksumString() + "'s paid requests failed (tried "
                        + "again): " + e.getMessage());
            }
        }
        return sold;
    }

    /**
     * Compute-to-data without the owner watching: for every owner {@link #pass} serves, releases the keys of its assets
     * to the providers now holding leases on orders whose spec the owner allowed ({@link JobKeyReleases}), reading each
     * leaseholder's card from its registered endpoint ({@link ProviderKeyCards}). A failure is logged once per order
     * and asset and tried again at the next pass.
     */
    public List<JobKeyReleases.Outcome> releaseJobKeys() {
        List<JobKeyReleases.Outcome> all = new ArrayList<>();
        List<Address> owners;
        try {
            owners = owners();
        } catch (RuntimeException e) {
            log.accept("job key release: cannot read the data records: " + e.getMessage());
            return all;
        }
        for (Address owner : owners) {
            Credentials key;
            synchronized (this) {
                key = signers.get(owner);
            }
            try {
                HyphaContracts contracts = contractsAs.apply(key);
                List<Long> assets = OwnedData.all(home).stream()
                        .filter(r -> Address.parse(r.account()).equals(owner) && r.assetId() > 0)
                        .map(OwnedData::assetId).toList();
                ProviderKeyCards cards = new ProviderKeyCards(contracts.registry(), http);
                JobKeyReleases releases = new JobKeyReleases(home, owner, contracts,
                        new JobDataKeys(contracts, new DataOwner(home, contracts, key)), cards::of);
                for (JobKeyReleases.Outcome o : releases.releaseDue(assets)) {
                    all.add(o);
                    if (!o.released() && !releaseReported.add(o.orderId() + ":" + o.assetId())) continue;
                    log.accept("job key release: " + o.note());
                }
            } catch (RuntimeException e) {
                log.accept("job key release: " + owner.toChecksumString() + "'s pass failed (tried again): " + e.getMessage());
            }
        }
        return all;
    }

    /** Runs a pass every {@code interval} on a virtual thread until {@link #close}. */
    public synchronized DataSales start(Duration interval) {
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
        if (poller != null) throw new IllegalStateException("already started");
        poller = Thread.ofVirtual().name("data-sales").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                pass();
                releaseJobKeys();
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return this;
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            t = poller;
            poller = null;
        }
        if (t == null) return;
        t.interrupt();
        try {
            t.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

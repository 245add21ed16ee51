package dev.hypha.node.gateway.pull;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Hex;
import dev.hypha.ml.store.ModelManifest;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.ml.store.ModelStoreException;
import dev.hypha.node.offers.Offer;
import dev.hypha.node.offers.OfferSource;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Pulls a model from the network into the local store (what {@code POST /api/pull} runs):
 * <ol>
 *   <li>resolve the name or content id against the live offers ({@link PullTarget});</li>
 *   <li>fetch the root block from a provider offering it, then the parents, and plan the leaves ({@link FilePlan});</li>
 *   <li>open the pull's journal, re-check the leaves an earlier run wrote, and fetch the rest from all the providers
 *       at once ({@link LeafSwarm}), each block checked against its id and written durably before it counts;</li>
 *   <li>check the whole file against the content id and move it into the store, whose manifest is made from the file
 *       itself ({@link ModelStore#adoptVerified}).</li>
 * </ol>
 * Decision: no manifest is fetched. Everything a model needs (architecture, tokenizer, chat template, parameters) is in
 * the GGUF file, which the content id pins; the name comes from the chain's offers. So nothing a provider says is
 * trusted beyond the blocks, which are checked.
 */
public final class Puller {
    /**
     * How a pull spreads and what it accepts.
     *
     * @param workersPerProvider blocks fetched at once from one provider (below the provider's per-client limit of 4)
     * @param maxWorkers         blocks fetched at once in all
     * @param maxModelBytes      the largest file accepted (the root's claim is checked before anything else is fetched)
     */
    public record Settings(int workersPerProvider, int maxWorkers, long maxModelBytes) {
        public static final Settings DEFAULT = new Settings(2, 8, 1L << 40);

        public Settings {
            if (workersPerProvider < 1 || maxWorkers < 1 || maxModelBytes < 1) {
                throw new IllegalArgumentException("pull settings must be positive: " + this);
            }
        }
    }

    private final ModelStore store;
    private final OfferSource offers;
    private final Function<Offer, HttpClient> transport;
    private final Predicate<Offer> usable;
    private final Clock clock;
    private final Settings settings;

    /**
     * @param transport the client for one provider (TLS bound to its key, as for inference)
     * @param usable    whether an offer's endpoint may be used at all
     */
    public Puller(ModelStore store, OfferSource offers, Function<Offer, HttpClient> transport, Predicate<Offer> usable,
                  Clock clock, Settings settings) {
        this.store = Objects.requireNonNull(store, "store");
        this.offers = Objects.requireNonNull(offers, "offers");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.usable = Objects.requireNonNull(usable, "usable");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The puller a gateway on the network runs: offers read from the chain (cached as the paying gateway caches them),
     * each provider reached over TLS bound to its registered key (plain HTTP on loopback only).
     */
    public static Puller overChain(ModelStore store, dev.hypha.chain.deploy.HyphaContracts contracts, Clock clock) {
        long chainId = contracts.deployment().chainId();
        OfferSource offers = new dev.hypha.node.offers.RefreshingOffers(new dev.hypha.node.offers.ChainOffers(
                contracts.offers(), contracts.registry()), dev.hypha.node.gateway.network.PayingGateway.OFFERS_MAX_AGE,
                clock);
        return new Puller(store, offers,
                o -> dev.hypha.node.gateway.network.ProviderTransport.clientFor(o, chainId, clock),
                dev.hypha.node.gateway.network.ProviderTransport::usable, clock, Settings.DEFAULT);
    }

    /** What one pull did: the stored manifest and the blocks each provider delivered (by provider address). */
    public record Result(ModelManifest manifest, boolean alreadyPresent, Map<String, Integer> blocksByProvider) {}

    /**
     * Pulls {@code model} (a name or a content id), telling {@code listener} how it goes.
     *
     * @throws PullException naming what failed, with the status the HTTP route answers
     */
    public Result pull(String model, PullStatus.Listener listener) {
        PullTarget target;
        try {
            target = PullTarget.resolve(model, offers.offers(), clock.instant(), usable);
        } catch (PullException e) {
            // Offered by no one now, but already here under that name: nothing to fetch (as Ollama, offline).
            Optional<ModelManifest> stored = e.status() == 404 ? storedByName(model) : Optional.empty();
            if (stored.isEmpty()) throw e;
            listener.status(PullStatus.of(PullStatus.PULLING_MANIFEST));
            listener.status(PullStatus.of(PullStatus.SUCCESS));
            return new Result(stored.get(), true, Map.of());
        }
        listener.status(PullStatus.of(PullStatus.PULLING_MANIFEST));
        Optional<ModelManifest> present = present(target);
        if (present.isPresent()) {
            listener.status(PullStatus.of(PullStatus.SUCCESS));
            return new Result(present.get(), true, Map.of());
        }
        List<ProviderBlocks> providers = new ArrayList<>();
        try {
            for (Offer o : target.providers()) providers.add(new ProviderBlocks(o, transport.apply(o)));
            return fetch(target, new Sources(providers), listener);
        } finally {
            for (ProviderBlocks p : providers) p.close();
        }
    }

    private Result fetch(PullTarget target, Sources sources, PullStatus.Listener listener) {
        Optional<ModelManifest> present;
        Root root = root(target, sources);
        FilePlan plan = FilePlan.walk(root.cid(), root.block(), (cid, max) -> parent(sources, cid, max),
                settings.maxModelBytes());
        try (PullJournal journal = PullJournal.open(store.pullFolder(), plan.root(), plan.size())) {
            present = present(target); // another pull of it may have finished while this one waited for the journal
            if (present.isPresent()) {
                listener.status(PullStatus.of(PullStatus.SUCCESS));
                return new Result(present.get(), true, Map.of());
            }
            String digest = plan.root().toString();
            List<FilePlan.Leaf> missing = new ArrayList<>();
            long[] completed = {0};
            for (FilePlan.Leaf leaf : plan.leaves()) {
                if (alreadyWritten(journal, leaf)) completed[0] += leaf.length();
                else missing.add(leaf);
            }
            requireSpace(plan, plan.size() - completed[0]);
            listener.status(PullStatus.pulling(digest, plan.size(), completed[0]));
            if (root.cid().codec() == ContentId.RAW && !missing.isEmpty()) {
                journal.write(missing.getFirst(), root.block()); // a one-chunk file: the root is the whole file
                completed[0] = plan.size();
                missing.clear();
                listener.status(PullStatus.pulling(digest, plan.size(), completed[0]));
            }
            new LeafSwarm(sources, journal, settings.workersPerProvider(), settings.maxWorkers()).fetch(missing, leaf -> {
                completed[0] += leaf.length();
                listener.status(PullStatus.pulling(digest, plan.size(), completed[0]));
            });
            listener.status(PullStatus.of(PullStatus.VERIFYING));
            journal.closeData();
            ModelManifest manifest = adopt(journal, plan, target, listener);
            listener.status(PullStatus.of(PullStatus.SUCCESS));
            Map<String, Integer> delivered = new java.util.TreeMap<>();
            for (Sources.Source s : sources.all()) {
                delivered.put(s.blocks().offer().provider().toChecksumString(), s.fetched());
            }
            return new Result(manifest, false, delivered);
        } catch (IOException e) {
            throw new PullException(500, "cannot write the pull's files under " + store.pullFolder() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The verified root block, and which of the digest's ids it is. */
    private record Root(ContentId cid, byte[] block) {}

    private Root root(PullTarget target, Sources sources) {
        for (ContentId candidate : target.candidateRoots()) {
            int max = candidate.codec() == ContentId.RAW ? FilePlan.CHUNK : FilePlan.MAX_PARENT;
            try {
                return new Root(candidate, sources.fetchAny(candidate, max));
            } catch (ProviderBlocks.Missing e) {
                // not this form of the id: try the next
            }
        }
        throw PullException.badPeers("the providers offering " + target.name() + " (content digest " + target.digest()
                + ") do not serve its blocks: GET /ipfs/<id> answered 404 for each form of its content id");
    }

    private static byte[] parent(Sources sources, ContentId cid, int max) {
        try {
            return sources.fetchAny(cid, max);
        } catch (ProviderBlocks.Missing e) {
            throw PullException.badPeers("no provider has block " + cid + " of the model it offers");
        }
    }

    /** The stored manifest of the target when the name already holds this content. */
    private Optional<ModelManifest> present(PullTarget target) {
        try {
            return store.find(target.name())
                    .filter(m -> Hex.encode(m.cid().multihash().digest()).equals(target.digest()))
                    .filter(m -> Files.isRegularFile(store.blobPath(m.cid())));
        } catch (ModelStoreException damaged) {
            return Optional.empty(); // an unreadable manifest is replaced by the pull
        }
    }

    private Optional<ModelManifest> storedByName(String model) {
        try {
            return store.find(dev.hypha.ml.store.ModelName.parse(model))
                    .filter(m -> Files.isRegularFile(store.blobPath(m.cid())));
        } catch (RuntimeException notStored) {
            return Optional.empty();
        }
    }

    /** Whether an earlier run wrote this leaf: its journal line names it and the bytes on disk still hash to it. */
    private static boolean alreadyWritten(PullJournal journal, FilePlan.Leaf leaf) throws IOException {
        ContentId recorded = journal.recorded().get(leaf.index());
        return leaf.cid().equals(recorded) && leaf.cid().matches(journal.read(leaf.offset(), leaf.length()));
    }

    /** Refuses a pull whose missing bytes do not fit (the partial file is sparse: unwritten leaves take no space). */
    private void requireSpace(FilePlan plan, long needed) throws IOException {
        long usable = Files.getFileStore(store.pullFolder()).getUsableSpace();
        if (needed > usable) {
            throw new PullException(507, "not enough disk space for " + plan.root() + ": it needs " + plan.size()
                    + " bytes and " + store.pullFolder() + " has " + usable + " free");
        }
    }

    private ModelManifest adopt(PullJournal journal, FilePlan plan, PullTarget target, PullStatus.Listener listener)
            throws IOException {
        boolean[] written = {false};
        try {
            ModelManifest manifest = store.adoptVerified(journal.partialFile(), plan.root(), target.name(),
                    plan.root().toString(), (done, total) -> {
                        if (done == total && !written[0]) {
                            written[0] = true;
                            listener.status(PullStatus.of(PullStatus.WRITING_MANIFEST));
                        }
                    }).manifest();
            journal.delete();
            return manifest;
        } catch (ModelStoreException e) {
            // Every leaf was checked as it came, so this is damage on this disk or a file that is not a model: start
            // afresh next time rather than resume from it.
            journal.delete();
            throw new PullException(e.category() == dev.hypha.core.errors.ErrorCategory.INPUT ? 502 : 500,
                    "pulled " + plan.root() + " but cannot store it: " + e.getMessage(), e);
        }
    }
}

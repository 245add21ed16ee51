package dev.hypha.chain.indexer;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.abi.HyphaAbis;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.rpc.RpcErrorException;
import dev.hypha.core.time.Backoff;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Follows chosen contracts' events from a start block into a SQLite file, and survives restarts
 * and chain reorganisations.
 *
 * <p>Each {@link #poll()} first checks that the last indexed block is still on the canonical
 * chain. If not, it walks back through the block hashes it kept until one matches the chain (the
 * common ancestor), removes the events above it (telling the listener) and re-indexes from there.
 * Then it indexes up to {@code head - confirmations} in batches of at most {@code batchBlocks}
 * blocks per eth_getLogs (halved while the node refuses a range as too large), each batch
 * committed together with its position. Before a batch is
 * committed, the parent hash of its first block must match the stored position and its last
 * block's hash must be unchanged after the logs were fetched; otherwise the batch is discarded and
 * the next poll resolves the reorganisation.
 */
public final class EventIndexer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventIndexer.class);

    /**
     * Indexing policy.
     *
     * @param batchBlocks most blocks per eth_getLogs request
     * @param confirmations blocks to stay behind the head (0 on a devnet)
     * @param keepBlocks how many blocks back block hashes are kept for finding a common ancestor;
     *     a deeper reorganisation re-indexes from the start block
     */
    public record Options(int batchBlocks, int confirmations, int keepBlocks) {
        /** 2000 blocks per request, no confirmations, 256 blocks of hashes. */
        public static final Options DEFAULT = new Options(2_000, 0, 256);

        public Options {
            if (batchBlocks < 1) {
                throw new IllegalArgumentException("batchBlocks must be >= 1, was " + batchBlocks);
            }
            if (confirmations < 0) {
                throw new IllegalArgumentException("confirmations must be >= 0, was " + confirmations);
            }
            if (keepBlocks < 1) {
                throw new IllegalArgumentException("keepBlocks must be >= 1, was " + keepBlocks);
            }
        }
    }

    /**
     * What one poll did.
     *
     * @param added events stored
     * @param removed events dropped by a reorganisation
     * @param position the position afterwards, if anything was indexed yet
     */
    public record PollResult(int added, int removed, Optional<Position> position) {}

    /** How long {@link #close()} waits for a poll in progress to notice the stop. */
    private static final long STOP_WAIT_SECONDS = 10;
    private static final Duration STOP_WAIT = Duration.ofSeconds(STOP_WAIT_SECONDS);
    /** Batches discarded in a row (the chain moving under us) before a poll gives up until the next one. */
    private static final int MAX_DISCARDED_BATCHES = 8;
    /** Pause after a discarded batch, doubling: the node needs a moment to settle a reorganisation. */
    private static final Backoff DISCARD_BACKOFF = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(2));

    private final ChainClient client;
    private final IndexStore store;
    private final List<WatchedContract> contracts;
    private final EventDecoder decoder;
    private final long startBlock;
    private final Options options;
    private final EventListener listener;
    private final AtomicLong rpcErrors = new AtomicLong();
    private final AtomicLong discardedBatches = new AtomicLong();
    // Guards the store between poll() and close(); a lock rather than a monitor so close() can give up waiting.
    private final ReentrantLock pollLock = new ReentrantLock();
    private volatile Thread follower;
    private volatile boolean stopping;

    /**
     * Opens (or creates) an index file for these contracts.
     *
     * @throws dev.hypha.chain.ChainException INPUT when the file belongs to another chain or
     *     another set of contracts
     */
    public EventIndexer(ChainClient client, Path sqliteFile, List<WatchedContract> contracts, long startBlock,
                        Options options, EventListener listener) {
        this.client = Objects.requireNonNull(client, "client");
        this.contracts = List.copyOf(contracts);
        if (this.contracts.isEmpty()) {
            throw ChainErrors.input("the event indexer needs at least one contract to watch");
        }
        if (startBlock < 0) {
            throw ChainErrors.input("start block must be >= 0, was " + startBlock);
        }
        this.decoder = new EventDecoder(this.contracts);
        this.startBlock = startBlock;
        this.options = Objects.requireNonNull(options, "options");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.store = new IndexStore(sqliteFile);
        try {
            checkIdentity(sqliteFile);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Follows all of Hypha's contracts of a deployment, from the block they were deployed in. */
    public static EventIndexer forDeployment(ChainClient client, Path sqliteFile, Deployment deployment, Options options,
                                             EventListener listener) {
        List<WatchedContract> watched = new ArrayList<>();
        for (String name : HyphaAbis.NAMES) {
            watched.add(new WatchedContract(name, deployment.address(name), HyphaAbis.load(name)));
        }
        return new EventIndexer(client, sqliteFile, watched, deployment.deployBlock(), options, listener);
    }

    private void checkIdentity(Path file) {
        String chainId = Long.toString(client.chainId());
        String identity = startBlock + ":" + String.join(",", contracts.stream().map(c -> c.name() + "@" + c.address()).toList());
        Optional<String> storedChain = store.meta("chain_id");
        Optional<String> storedIdentity = store.meta("contracts");
        if (storedChain.isEmpty()) {
            store.putMeta("chain_id", chainId);
            store.putMeta("contracts", identity);
            return;
        }
        if (!storedChain.get().equals(chainId)) {
            throw ChainErrors.input("event index " + file + " belongs to chain " + storedChain.get() + ", not chain "
                    + chainId + ": use another file or delete it");
        }
        if (!storedIdentity.orElse("").equals(identity)) {
            throw ChainErrors.input("event index " + file + " follows other contracts (" + storedIdentity.orElse("?")
                    + "): use another file or delete it to re-index");
        }
    }

    /** The last indexed block, if any. */
    public Optional<Position> position() {
        return store.position();
    }

    /** Number of events stored. */
    public long eventCount() {
        return store.eventCount();
    }

    /** RPC failures seen by the background follower (for metrics). */
    public long rpcErrors() {
        return rpcErrors.get();
    }

    /** All stored events in chain order. */
    public List<IndexedEvent> events() {
        return store.events(Optional.empty(), Optional.empty(), 0);
    }

    /** Stored events of one contract and event name (e.g. "Staking", "Staked") in chain order. */
    public List<IndexedEvent> events(String contract, String name) {
        return store.events(Optional.of(contract), Optional.of(name), 0);
    }

    /** Stored events from a block on, optionally filtered by contract and/or name. */
    public List<IndexedEvent> events(Optional<String> contract, Optional<String> name, long fromBlock) {
        return store.events(contract, name, fromBlock);
    }

    /**
     * At most {@code limit} stored events of one contract and name that come after the event at ({@code blockNumber},
     * {@code logIndex}), in chain order: a follower that remembers the last event it handled reads the rest in bounded
     * pages, however many there are. Use {@code -1, -1} to start from the first event.
     */
    public List<IndexedEvent> eventsAfter(String contract, String name, long blockNumber, long logIndex, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        return store.eventsAfter(contract, name, blockNumber, logIndex, limit);
    }

    /** Batches thrown away because the chain changed while they were fetched (for metrics and tests). */
    public long discardedBatches() {
        return discardedBatches.get();
    }

    /**
     * Catches up with the chain once: resolves a reorganisation if there was one, then indexes
     * up to {@code head - confirmations}. Returns early, with what it did so far, when the indexer
     * is being closed or when the chain keeps changing under it (the next poll goes on).
     *
     * @throws IllegalStateException when the indexer is closed
     */
    public PollResult poll() {
        pollLock.lock();
        try {
            if (stopping) {
                throw new IllegalStateException("event indexer is closed");
            }
            return pollLocked();
        } finally {
            pollLock.unlock();
        }
    }

    private PollResult pollLocked() {
        int removed = resolveReorg();
        int added = 0;
        long head = client.blockNumber();
        long target = head - options.confirmations();
        long span = options.batchBlocks();
        int discardedInARow = 0;
        while (!stopping) {
            long from = store.position().map(p -> p.blockNumber() + 1).orElse(startBlock);
            if (from > target) {
                break;
            }
            long to = Math.min(target, Math.addExact(from, span - 1));
            Optional<Integer> batch;
            try {
                batch = indexBatch(from, to);
            } catch (RpcErrorException e) {
                // Public RPC providers cap eth_getLogs (block range or result count) with an error
                // answer; halve the range and try again, down to a single block.
                if (!e.method().equals("eth_getLogs") || to == from) {
                    throw e;
                }
                span = Math.max(1, (to - from + 1) / 2);
                LOG.info("eth_getLogs over blocks {}..{} refused ({}); retrying with {} blocks", from, to, e.rpcMessage(), span);
                continue;
            }
            if (batch.isEmpty()) {
                // The chain moved under us: settle it and go on, pausing longer each time so a node in
                // the middle of a reorganisation is not hammered; a chain that never settles waits for the next poll.
                discardedBatches.incrementAndGet();
                if (++discardedInARow >= MAX_DISCARDED_BATCHES || !pause(discardedInARow)) {
                    break;
                }
                removed += resolveReorg();
                continue;
            }
            discardedInARow = 0;
            added += batch.get();
        }
        return new PollResult(added, removed, store.position());
    }

    /** Sleeps after the n-th discarded batch; false when interrupted (the indexer is stopping). */
    private boolean pause(int attempt) {
        try {
            DISCARD_BACKOFF.sleep(client.time(), attempt);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Indexes [from, to]; empty when the chain changed meanwhile (nothing stored then). */
    private Optional<Integer> indexBatch(long from, long to) {
        Optional<Position> position = store.position();
        EthBlock.Block first = block(from);
        if (position.isPresent() && !first.getParentHash().equalsIgnoreCase(position.get().blockHash())) {
            return Optional.empty();
        }
        EthBlock.Block last = to == from ? first : block(to);
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                DefaultBlockParameter.valueOf(BigInteger.valueOf(to)), contracts.stream().map(WatchedContract::address).toList());
        List<Log> logs = client.logs(filter);
        if (!block(to).getHash().equalsIgnoreCase(last.getHash())) {
            return Optional.empty();
        }
        List<IndexedEvent> events = new ArrayList<>();
        for (Log log : logs) {
            if (Boolean.TRUE.equals(log.isRemoved())) {
                continue;
            }
            decoder.decode(log).ifPresent(events::add);
        }
        // Logs must belong to the blocks we just checked; a mismatch means a reorg mid-request.
        for (IndexedEvent e : events) {
            if (e.blockNumber() == to && !e.blockHash().equalsIgnoreCase(last.getHash())) {
                return Optional.empty();
            }
        }
        store.commitBatch(events, new Position(to, last.getHash().toLowerCase(Locale.ROOT)), options.keepBlocks());
        for (IndexedEvent e : events) {
            notifyListener(() -> listener.added(e));
        }
        return Optional.of(events.size());
    }

    /** Rolls back to the common ancestor if the stored position left the canonical chain. */
    private int resolveReorg() {
        Optional<Position> position = store.position();
        if (position.isEmpty() || onChain(position.get())) {
            return 0;
        }
        Optional<Position> ancestor = Optional.empty();
        for (Position p : store.recentBlocks()) {
            if (onChain(p)) {
                ancestor = Optional.of(p);
                break;
            }
        }
        if (ancestor.isEmpty() && startBlock > 0) {
            // No kept hash survived: start over from the start block.
            LOG.warn("reorganisation deeper than the {} kept blocks: re-indexing from block {}", options.keepBlocks(), startBlock);
        }
        List<IndexedEvent> dropped = store.rollbackTo(ancestor);
        LOG.info("chain reorganisation: rolled back from block {} to {}, {} events removed", position.get().blockNumber(),
                ancestor.map(a -> Long.toString(a.blockNumber())).orElse("before " + startBlock), dropped.size());
        for (IndexedEvent e : dropped) {
            notifyListener(() -> listener.removed(e));
        }
        return dropped.size();
    }

    private boolean onChain(Position p) {
        return client.block(p.blockNumber()).map(b -> b.getHash().equalsIgnoreCase(p.blockHash())).orElse(false);
    }

    private EthBlock.Block block(long number) {
        return client.block(number).orElseThrow(
                () -> ChainErrors.chain("node at " + client.url() + " has no block " + number + " (chain shorter than expected)"));
    }

    private static void notifyListener(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("event listener failed: {}", e.toString());
        }
    }

    /**
     * Polls in a background virtual thread every {@code interval} until {@link #close()}.
     * Failures (node down, reorg races) are logged and retried at the next interval; a failure
     * caused by the stop itself is not a failure and is not logged.
     */
    public synchronized void start(Duration interval) {
        if (follower != null) {
            throw new IllegalStateException("indexer already started");
        }
        if (stopping) {
            throw new IllegalStateException("event indexer is closed");
        }
        follower = Thread.ofVirtual().name("event-indexer").start(() -> {
            while (!stopping) {
                try {
                    poll();
                } catch (RuntimeException e) {
                    if (stopping) {
                        return;
                    }
                    rpcErrors.incrementAndGet();
                    LOG.warn("event indexer poll failed (will retry): {}", e.getMessage());
                }
                try {
                    client.time().sleep(interval);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /**
     * Stops the background thread (if any) and closes the index file. Never hangs: a poll stuck
     * in a request is interrupted, and if it still holds the store after {@value #STOP_WAIT_SECONDS}
     * seconds the file is left to the process exit (SQLite keeps it consistent) with a warning.
     */
    @Override
    public void close() {
        stopping = true;
        Thread t;
        synchronized (this) {
            t = follower;
        }
        if (t != null) {
            t.interrupt();
        }
        boolean locked = false;
        try {
            locked = pollLock.tryLock(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (locked) {
                store.close();
            } else {
                LOG.warn("event indexer did not stop within {} s; leaving its index file to the process exit",
                        STOP_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (locked) {
                pollLock.unlock();
            }
        }
    }
}

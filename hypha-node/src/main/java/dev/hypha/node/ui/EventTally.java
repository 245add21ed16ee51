package dev.hypha.node.ui;

import dev.hypha.chain.indexer.EventIndexer;
import dev.hypha.chain.indexer.IndexedEvent;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Follows some events of one contract in the node's event index and folds them into a sorted map, a bounded page at a
 * time: each {@link #catchUp} reads at most {@link #PAGE} new events per event name (the rest on the next call), and
 * the map holds at most {@link #MAX_KEYS} keys (events about further keys are counted, not kept), so neither a long
 * chain nor a flood of events makes one page load unbounded. The fold must not depend on the order between different
 * event names (each name is read with its own cursor); events of one name arrive in chain order.
 *
 * @param <V> what is kept per key
 */
final class EventTally<V> {
    static final int PAGE = 500;
    static final int MAX_KEYS = 10_000;

    /** Folds one event into the map (adding a key only through {@link Fold#put}, which respects the bound). */
    interface Fold<V> {
        void apply(IndexedEvent event, Store<V> store);
    }

    /** The map as a fold sees it. */
    interface Store<V> {
        V get(String key);

        void put(String key, V value);
    }

    private final EventIndexer indexer;
    private final String contract;
    private final int page;
    private final int maxKeys;
    private final Map<String, Fold<V>> folds;
    private final Map<String, long[]> cursors = new TreeMap<>();
    private final TreeMap<String, V> values = new TreeMap<>();
    private long dropped;

    EventTally(EventIndexer indexer, String contract, Map<String, Fold<V>> folds) {
        this(indexer, contract, folds, PAGE, MAX_KEYS);
    }

    /** With other bounds (tests use small ones). */
    EventTally(EventIndexer indexer, String contract, Map<String, Fold<V>> folds, int page, int maxKeys) {
        if (page < 1 || maxKeys < 1) {
            throw new IllegalArgumentException("page and maxKeys must be >= 1, were " + page + " and " + maxKeys);
        }
        this.page = page;
        this.maxKeys = maxKeys;
        this.indexer = Objects.requireNonNull(indexer, "indexer");
        this.contract = Objects.requireNonNull(contract, "contract");
        this.folds = new TreeMap<>(folds);
        this.folds.keySet().forEach(name -> cursors.put(name, new long[] {-1, -1}));
    }

    /** Reads what was indexed since the last call (at most a page per event name). */
    synchronized void catchUp() {
        Store<V> store = new Store<>() {
            @Override
            public V get(String key) {
                return values.get(key);
            }

            @Override
            public void put(String key, V value) {
                if (values.containsKey(key) || values.size() < maxKeys) {
                    values.put(key, value);
                } else {
                    dropped++;
                }
            }
        };
        folds.forEach((name, fold) -> {
            long[] at = cursors.get(name);
            List<IndexedEvent> events = indexer.eventsAfter(contract, name, at[0], at[1], page);
            for (IndexedEvent e : events) {
                fold.apply(e, store);
                at[0] = e.blockNumber();
                at[1] = e.logIndex();
            }
        });
    }

    /** Visits every kept key in key order. */
    synchronized void forEach(BiConsumer<String, V> visit) {
        values.forEach(visit);
    }

    synchronized int size() {
        return values.size();
    }

    /** Events about keys beyond the bound that were not kept. */
    synchronized long dropped() {
        return dropped;
    }
}

package dev.hypha.node.gateway.pull;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Fetches leaves from several providers at once. Leaves are dealt round-robin to the live providers' queues, so each
 * gets its share; a provider's workers (virtual threads) take from its own queue first, then leaves a dropped provider
 * left behind, then steal from the back of the others' queues, so a fast provider is not held back by a slow one. A
 * provider that fails is dropped and the leaf it was fetching goes back for the others; the rounds go on while leaves
 * are left and some provider is live.
 *
 * <p>Workers write each verified leaf into the journal themselves; progress is reported on the caller's thread (the
 * HTTP response belongs to it), and a listener that throws (the client went away) stops the workers after the leaf
 * each is fetching: the journal keeps what they finished. Workers are never interrupted, because an interrupt closes
 * the partial file's channel under the others.
 */
final class LeafSwarm {
    private sealed interface Event {}

    private record Done(FilePlan.Leaf leaf) implements Event {}

    private record Exit() implements Event {}

    private final Sources sources;
    private final PullJournal journal;
    private final int workersPerProvider;
    private final int maxWorkers;
    private volatile boolean cancelled;
    private volatile RuntimeException fatal;

    LeafSwarm(Sources sources, PullJournal journal, int workersPerProvider, int maxWorkers) {
        this.sources = sources;
        this.journal = journal;
        this.workersPerProvider = workersPerProvider;
        this.maxWorkers = maxWorkers;
    }

    /** Fetches every leaf of {@code missing}; {@code onDone} is told of each, on this thread. */
    void fetch(List<FilePlan.Leaf> missing, Consumer<FilePlan.Leaf> onDone) {
        Set<FilePlan.Leaf> remaining = new LinkedHashSet<>(missing);
        while (!remaining.isEmpty()) {
            List<Sources.Source> live = sources.live();
            if (live.isEmpty()) {
                throw sources.allFailed(remaining.size() + " of the file's chunks are still missing (what was fetched is"
                        + " kept: pulling again resumes)");
            }
            round(live, new ArrayList<>(remaining), leaf -> {
                remaining.remove(leaf);
                onDone.accept(leaf);
            });
        }
    }

    private void round(List<Sources.Source> live, List<FilePlan.Leaf> leaves, Consumer<FilePlan.Leaf> onDone) {
        Map<Sources.Source, Deque<FilePlan.Leaf>> queues = new HashMap<>();
        for (Sources.Source s : live) queues.put(s, new java.util.concurrent.LinkedBlockingDeque<>());
        for (int i = 0; i < leaves.size(); i++) queues.get(live.get(i % live.size())).add(leaves.get(i));
        Deque<FilePlan.Leaf> orphans = new java.util.concurrent.LinkedBlockingDeque<>();
        LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        List<Sources.Source> workers = new ArrayList<>();
        for (int w = 0; w < workersPerProvider; w++) {
            for (Sources.Source s : live) if (workers.size() < Math.max(maxWorkers, live.size())) workers.add(s);
        }
        RuntimeException listenerFailure = null;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Sources.Source s : workers) {
                pool.submit(() -> {
                    try {
                        work(s, queues, orphans, events);
                    } finally {
                        events.add(new Exit());
                    }
                });
            }
            int exited = 0;
            while (exited < workers.size()) {
                Event e = take(events);
                if (e instanceof Exit) {
                    exited++;
                } else if (e instanceof Done done && listenerFailure == null) {
                    try {
                        onDone.accept(done.leaf());
                    } catch (RuntimeException failure) {
                        listenerFailure = failure;
                        cancelled = true; // workers stop after their current leaf; the journal keeps it
                    }
                }
            }
        }
        if (listenerFailure != null) throw listenerFailure;
        if (fatal != null) throw fatal;
    }

    private void work(Sources.Source source, Map<Sources.Source, Deque<FilePlan.Leaf>> queues,
                      Deque<FilePlan.Leaf> orphans, LinkedBlockingQueue<Event> events) {
        while (!cancelled && source.live()) {
            FilePlan.Leaf leaf = next(source, queues, orphans);
            if (leaf == null) return;
            byte[] bytes;
            try {
                bytes = source.blocks().fetch(leaf.cid(), leaf.length());
            } catch (ProviderBlocks.Missing | ProviderBlocks.Failed e) {
                source.drop(e.getMessage());
                orphans.add(leaf);
                return;
            }
            if (bytes.length != leaf.length()) {
                // The bytes match their id, so every provider would send the same: the content's DAG lies about sizes.
                fail(PullException.badPeers("the content is not a well-formed file: leaf " + leaf.cid() + " holds "
                        + bytes.length + " bytes but its parent says " + leaf.length()));
                return;
            }
            try {
                journal.write(leaf, bytes);
            } catch (IOException e) {
                fail(new PullException(500, "cannot write the pulled file " + journal.partialFile() + ": "
                        + e.getMessage(), e));
                return;
            }
            source.counted();
            events.add(new Done(leaf));
        }
    }

    private void fail(RuntimeException e) {
        if (fatal == null) fatal = e;
        cancelled = true;
    }

    private static FilePlan.Leaf next(Sources.Source source, Map<Sources.Source, Deque<FilePlan.Leaf>> queues,
                                      Deque<FilePlan.Leaf> orphans) {
        FilePlan.Leaf leaf = queues.get(source).pollFirst();
        if (leaf == null) leaf = orphans.pollFirst();
        if (leaf == null) {
            for (Deque<FilePlan.Leaf> other : queues.values()) {
                leaf = other.pollLast();
                if (leaf != null) break;
            }
        }
        return leaf;
    }

    private Event take(LinkedBlockingQueue<Event> events) {
        try {
            return events.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelled = true;
            throw new PullException(500, "the pull was interrupted", e);
        }
    }
}

package dev.hypha.node.gateway.pull;

import dev.hypha.core.cid.ContentId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The providers one pull fetches from, and which of them are still trusted: a provider that fails once (unreachable,
 * an error status, a slow, oversized or wrong block) is dropped for the rest of the pull, with the reason kept for the
 * error message should every provider fail.
 */
final class Sources {
    /** One provider of the pull. */
    static final class Source {
        private final ProviderBlocks blocks;
        private final AtomicInteger fetched = new AtomicInteger();
        private volatile String failure;

        Source(ProviderBlocks blocks) {
            this.blocks = blocks;
        }

        ProviderBlocks blocks() {
            return blocks;
        }

        boolean live() {
            return failure == null;
        }

        void drop(String why) {
            if (failure == null) failure = why;
        }

        void counted() {
            fetched.incrementAndGet();
        }

        /** Blocks this provider delivered (verified) during the pull. */
        int fetched() {
            return fetched.get();
        }

        String failure() {
            return failure;
        }
    }

    private final List<Source> all;

    Sources(List<ProviderBlocks> providers) {
        List<Source> sources = new ArrayList<>();
        for (ProviderBlocks p : providers) sources.add(new Source(p));
        this.all = List.copyOf(sources);
    }

    List<Source> all() {
        return all;
    }

    List<Source> live() {
        return all.stream().filter(Source::live).toList();
    }

    /**
     * A verified block from the first live provider that has it; providers that fail are dropped on the way.
     *
     * @throws ProviderBlocks.Missing when every live provider answered 404
     * @throws PullException          502 when no live provider is left
     */
    byte[] fetchAny(ContentId cid, int maxBytes) throws ProviderBlocks.Missing {
        boolean missing = false;
        for (Source source : live()) {
            try {
                byte[] block = source.blocks().fetch(cid, maxBytes);
                source.counted();
                return block;
            } catch (ProviderBlocks.Missing e) {
                missing = true;
            } catch (ProviderBlocks.Failed e) {
                source.drop(e.getMessage());
            }
        }
        if (missing && !live().isEmpty()) {
            throw new ProviderBlocks.Missing("no provider offering it has block " + cid);
        }
        throw allFailed("cannot fetch block " + cid);
    }

    /** The error when no provider is left: each one's reason. */
    PullException allFailed(String what) {
        StringBuilder reasons = new StringBuilder();
        for (Source s : all) {
            if (!reasons.isEmpty()) reasons.append("; ");
            reasons.append(s.blocks().label()).append(' ').append(s.live() ? "is still usable" : s.failure());
        }
        return PullException.badPeers(what + ": every provider failed (" + reasons + ")");
    }
}

package dev.hypha.node.content;

import dev.hypha.core.cid.ContentId;
import dev.hypha.ml.store.ModelStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The blocks of the models in one store, and only those: what a provider may hand out. The store's model list is
 * re-read at most every {@link #REFRESH} (a model imported or removed while serving follows within that time); a model
 * seen for the first time has its {@link BlockIndex} loaded from {@code indexFolder} or built (one read of its file).
 *
 * <p>A leaf is read from the model's file and hashed before it is handed out: a blob damaged on disk is reported
 * ({@link DamagedBlockException}) rather than served, so a provider never sends what it has not checked.
 */
public final class ServedBlocks {
    /** How long the store's model list is reused. */
    public static final Duration REFRESH = Duration.ofSeconds(2);
    private static final System.Logger LOG = System.getLogger(ServedBlocks.class.getName());

    /** Thrown when a stored file no longer holds the block its index says it does. */
    public static final class DamagedBlockException extends RuntimeException {
        DamagedBlockException(String message) {
            super(message);
        }
    }

    private final ServedFiles files;
    private final Path indexFolder;
    private final Clock clock;
    /** How long a model whose file could not be indexed is left alone before it is tried again. */
    static final Duration RETRY_FAILED = Duration.ofSeconds(60);
    private Map<ContentId, BlockIndex> byRoot = Map.of();
    /** Models whose file could not be indexed (damaged, unreadable), with when that was: not re-read on every refresh. */
    private final Map<ContentId, Instant> failed = new HashMap<>();
    /** Which model's index holds each block (several models may share a block: any of them will do). */
    private Map<ContentId, BlockIndex> byBlock = Map.of();
    private Instant readAt = Instant.MIN;
    /** Where each listed file lives, as of the last refresh. */
    private volatile Map<ContentId, Path> paths = Map.of();

    /**
     * @param indexFolder where the indexes are saved, e.g. {@code <home>/provider/blocks}
     */
    public ServedBlocks(ModelStore store, Path indexFolder, Clock clock) {
        this(ServedFiles.models(store), indexFolder, clock);
    }

    /**
     * The blocks of whatever {@code files} lists (models, sealed data, or both).
     *
     * @param indexFolder where the indexes are saved, e.g. {@code <home>/provider/blocks}
     */
    public ServedBlocks(ServedFiles files, Path indexFolder, Clock clock) {
        this.files = Objects.requireNonNull(files, "files");
        this.indexFolder = Objects.requireNonNull(indexFolder, "indexFolder");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The block {@code cid} when it belongs to a served model: a parent from the index, a leaf read from the file and
     * checked against its id.
     *
     * @throws DamagedBlockException when the stored file no longer holds the leaf's bytes
     */
    public Optional<byte[]> block(ContentId cid) {
        BlockIndex index = indexes().get(cid);
        if (index == null) {
            return Optional.empty();
        }
        Optional<byte[]> parent = index.parent(cid);
        if (parent.isPresent()) {
            return parent;
        }
        BlockIndex.Slice slice = index.leaf(cid).orElseThrow();
        Path file = paths.get(index.root());
        if (file == null) {
            return Optional.empty(); // removed meanwhile
        }
        byte[] bytes = new byte[slice.length()];
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            long position = slice.offset();
            while (buffer.hasRemaining()) {
                int n = in.read(buffer, position);
                if (n < 0) throw new DamagedBlockException(file + " ends before block " + cid + " (at byte " + position + ")");
                position += n;
            }
        } catch (IOException e) {
            return Optional.empty(); // removed meanwhile: the next refresh drops it
        }
        if (!cid.matches(bytes)) {
            LOG.log(System.Logger.Level.ERROR, "refusing to serve block " + cid + ": " + file + " no longer holds it"
                    + " (damaged on disk; `hypha model verify` names the model)");
            throw new DamagedBlockException("block " + cid + " is damaged on this provider");
        }
        return Optional.of(bytes);
    }

    /** The served models' content ids. */
    public synchronized Set<ContentId> roots() {
        refresh();
        return Set.copyOf(byRoot.keySet());
    }

    private synchronized Map<ContentId, BlockIndex> indexes() {
        refresh();
        return byBlock;
    }

    /** Re-reads the store's list when it is older than {@link #REFRESH}; indexes new models, drops removed ones. */
    private void refresh() {
        Instant now = clock.instant();
        if (now.isBefore(readAt.plus(REFRESH))) {
            return;
        }
        readAt = now;
        Map<ContentId, Path> listed = files.files();
        Set<ContentId> roots = new LinkedHashSet<>(listed.keySet());
        Map<ContentId, BlockIndex> nextByRoot = new HashMap<>();
        for (ContentId root : roots) {
            BlockIndex known = byRoot.get(root);
            if (known == null) {
                Instant failedAt = failed.get(root);
                if (failedAt != null && now.isBefore(failedAt.plus(RETRY_FAILED))) {
                    continue;
                }
                try {
                    known = BlockIndex.loadOrBuild(listed.get(root), root, indexFolder.resolve(root + ".index"));
                    failed.remove(root);
                } catch (IOException | RuntimeException e) {
                    failed.put(root, now);
                    LOG.log(System.Logger.Level.WARNING, "not serving the blocks of " + root + " (tried again in "
                            + RETRY_FAILED.toSeconds() + " s): " + e.getMessage());
                    continue;
                }
            }
            nextByRoot.put(root, known);
        }
        Map<ContentId, BlockIndex> nextByBlock = new HashMap<>();
        for (BlockIndex index : nextByRoot.values()) {
            for (ContentId block : index.blocks()) {
                nextByBlock.putIfAbsent(block, index);
            }
        }
        byRoot = nextByRoot;
        byBlock = nextByBlock;
        paths = Map.copyOf(listed);
    }
}

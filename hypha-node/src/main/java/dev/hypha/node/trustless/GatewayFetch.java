package dev.hypha.node.trustless;

import dev.hypha.core.cid.BlockSource;
import dev.hypha.core.cid.ChunkVerifier;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Fetches one UnixFS file by its content id from a trustless gateway and puts it at a target path, verified:
 * <ul>
 *   <li>{@link Mode#RAW}: the file's DAG is walked from the root, each block asked for with {@code ?format=raw}
 *       and checked against the CID its parent names, as Helia and Hypha's own pull do;</li>
 *   <li>{@link Mode#CAR}: one {@code ?format=car} request; each block of the stream is checked against the CID in
 *       front of it and kept in a scratch folder beside the target (so memory stays one block whatever the file's
 *       size and whatever order the gateway chose), then the file is rebuilt from those blocks, walking from the
 *       root: a block missing from the CAR or one that does not belong fails the fetch.</li>
 * </ul>
 * The bytes go to a temporary file beside the target, forced to disk and renamed into place; a failed or killed fetch
 * leaves nothing under the target name, and the scratch blocks are removed either way.
 */
public final class GatewayFetch {
    /** How blocks are asked for. */
    public enum Mode { RAW, CAR }

    /** What a fetch did. */
    public record Result(ContentId cid, long bytes, long blocksReceived, Path file) {}

    /** Told how far a fetch is: file bytes verified (block by block) or block bytes received (CAR), of the file's size. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> {};

        /** @param total the file's size as its root block states it, or -1 before the root has arrived */
        void update(long done, long total);
    }

    private final TrustlessGateway gateway;
    private final long maxBytes;

    /**
     * @param maxBytes the largest file accepted: a root that claims more is refused before anything is written, and a
     *     CAR that sends more than about this much is cut off
     */
    public GatewayFetch(TrustlessGateway gateway, long maxBytes) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
        this.maxBytes = maxBytes;
    }

    /**
     * Fetches {@code cid} into {@code target} (replacing what is there only once the whole file has verified).
     *
     * @throws HyphaException NOT_FOUND when the gateway does not have the root or a block the DAG links; INPUT when a
     *     block fails verification or the file is larger than allowed; NETWORK for the gateway's failures, IO for the disk's
     */
    public Result fetch(ContentId cid, Mode mode, Path target) {
        return fetch(cid, mode, target, Progress.NONE);
    }

    /** Like {@link #fetch(ContentId, Mode, Path)}, telling {@code progress} as blocks arrive. */
    public Result fetch(ContentId cid, Mode mode, Path target, Progress progress) {
        Path dir = target.toAbsolutePath().getParent();
        Path scratch = null;
        Path part = null;
        try {
            Files.createDirectories(dir);
            part = Files.createTempFile(dir, "." + target.getFileName() + ".", ".part");
            long[] received = {0};
            long[] total = {-1};
            BlockSource source;
            if (mode == Mode.RAW) {
                source = c -> {
                    byte[] block = gateway.block(c).orElseThrow(() -> new HyphaException(ErrorCategory.NOT_FOUND,
                            gateway.base() + " does not have block " + c + " (404)"));
                    if (received[0]++ == 0) total[0] = fileSize(c, block);
                    return Optional.of(block);
                };
            } else {
                scratch = Files.createTempDirectory(dir, "." + target.getFileName() + ".blocks.");
                received[0] = receiveCar(cid, scratch, progress);
                source = fromFolder(scratch);
            }
            long bytes;
            try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream file = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16);
                    OutputStream out = mode == Mode.RAW ? counting(file, n -> progress.update(n, total[0])) : file) {
                bytes = new ChunkVerifier(source).verifyAndWrite(cid, out, maxBytes);
                out.flush();
                channel.force(true);
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            part = null;
            DurableFiles.forceDirectory(dir);
            return new Result(cid, bytes, received[0], target);
        } catch (IOException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot write " + target + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new HyphaException(ErrorCategory.IO, "cannot read the fetched blocks: " + e.getMessage(), e);
        } finally {
            deleteQuietly(part);
            deleteTree(scratch);
        }
    }

    /** Receives the CAR into {@code scratch}, one file per verified block; returns the number of blocks received. */
    private long receiveCar(ContentId cid, Path scratch, Progress progress) {
        // A file's parents take well under 1% of it; the slack lets a gateway send the root, parents and a few extras.
        long budget = maxBytes + maxBytes / 64 + (4L << 20);
        long[] taken = {0, 0, -1};
        boolean found = gateway.car(cid, (blockId, block) -> {
            taken[0] += block.length;
            taken[1]++;
            if (blockId.equals(cid)) taken[2] = fileSize(cid, block);
            progress.update(taken[2] < 0 ? taken[0] : Math.min(taken[0], taken[2]), taken[2]);
            if (taken[0] > budget) {
                throw HyphaException.input(gateway.base() + " sent more than " + budget + " bytes of blocks for " + cid
                        + " (the file may hold at most " + maxBytes + ")");
            }
            Path file = scratch.resolve(blockId.toString());
            if (!Files.exists(file)) Files.write(file, block);
        });
        if (!found) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, gateway.base() + " does not have " + cid + " (404)");
        }
        return taken[1];
    }

    /** The size a root block states for its file (its own length for a raw block); -1 when it does not parse. */
    private static long fileSize(ContentId root, byte[] block) {
        if (root.codec() == ContentId.RAW) return block.length;
        try {
            return dev.hypha.core.cid.UnixFsData.decode(dev.hypha.core.cid.DagPb.decode(block).data()).fileSize();
        } catch (HyphaException | NullPointerException notUnixFs) {
            return -1; // the walk reports what is wrong with it
        }
    }

    /** {@code out}, telling {@code written} the running count of bytes written through it. */
    private static OutputStream counting(OutputStream out, java.util.function.LongConsumer written) {
        return new java.io.FilterOutputStream(out) {
            private long count;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                count += len;
                written.accept(count);
            }

            @Override
            public void write(int b) throws IOException {
                out.write(b);
                written.accept(++count);
            }
        };
    }

    /** Blocks already verified on arrival; the walk hashes them again, which also catches a damaged scratch file. */
    private static BlockSource fromFolder(Path scratch) {
        return c -> {
            Path file = scratch.resolve(c.toString());
            try {
                return Files.exists(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private static void deleteQuietly(Path file) {
        if (file == null) return;
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover temporary file is harmless and carries a dot-name
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(GatewayFetch::deleteQuietly);
        } catch (IOException ignored) {
            // as above
        }
    }
}

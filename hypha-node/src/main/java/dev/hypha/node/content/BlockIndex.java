package dev.hypha.node.content;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ImportResult;
import dev.hypha.core.cid.UnixFsImporter;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.io.DurableFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where each block of one stored file lives: a leaf is a slice (offset, length) of the file, a parent (dag-pb, a few
 * kilobytes per 1 GiB) is kept whole. Built from the importer's block stream (one read of the file, the same walk that
 * computed its content id, so the blocks are exactly those the id names) and saved beside the provider's other state,
 * so a restart does not re-read every model.
 *
 * <p>The saved form is binary, ends with the SHA-256 of everything before it, and is written temp file + rename: a
 * file that is torn, damaged or for another root is not trusted but rebuilt ({@link #loadOrBuild}).
 */
public final class BlockIndex {
    /** Where a leaf's bytes are in the file. */
    public record Slice(long offset, int length) {}

    private static final int MAGIC = 0x48594958; // "HYIX"
    private static final int VERSION = 1;
    /** Largest block the index holds: IPFS's 2 MiB limit (leaves are 1 MiB, parents far smaller). */
    static final int MAX_BLOCK = 2 << 20;
    private static final int MAX_CID_BYTES = 128;

    private final ContentId root;
    private final long fileSize;
    private final Map<ContentId, Slice> leaves;
    private final Map<ContentId, byte[]> parents;

    private BlockIndex(ContentId root, long fileSize, Map<ContentId, Slice> leaves, Map<ContentId, byte[]> parents) {
        this.root = root;
        this.fileSize = fileSize;
        this.leaves = leaves;
        this.parents = parents;
    }

    /** Reads {@code file} once and indexes its blocks under the unixfs-v1-2025 profile. */
    public static BlockIndex build(Path file) throws IOException {
        Map<ContentId, Slice> leaves = new LinkedHashMap<>();
        Map<ContentId, byte[]> parents = new LinkedHashMap<>();
        long[] offset = {0};
        ImportResult result;
        try (InputStream in = Files.newInputStream(file)) {
            // Leaves reach the sink in file order, each before the parents above it, so a running offset places them.
            result = UnixFsImporter.PROFILE.importFrom(in, (cid, block) -> {
                if (cid.codec() == ContentId.RAW) {
                    leaves.putIfAbsent(cid, new Slice(offset[0], block.length)); // repeated chunks: any copy will do
                    offset[0] += block.length;
                } else {
                    parents.put(cid, block);
                }
            });
        }
        return new BlockIndex(result.root(), result.fileSize(), leaves, parents);
    }

    /**
     * The index of {@code file}, whose content id is {@code root}: read from {@code saved} when that holds a sound
     * index of this root and size, else built from the file and saved (crash-safe) for next time.
     *
     * @throws IOException when the file cannot be read, or its content is not {@code root} (the blob is damaged)
     */
    public static BlockIndex loadOrBuild(Path file, ContentId root, Path saved) throws IOException {
        long size = Files.size(file);
        Optional<BlockIndex> loaded = read(saved).filter(i -> i.root.equals(root) && i.fileSize == size);
        if (loaded.isPresent()) {
            return loaded.get();
        }
        BlockIndex built = build(file);
        if (!built.root.equals(root)) {
            throw new IOException(file + " holds content " + built.root + ", not " + root + " as its name says");
        }
        Files.createDirectories(saved.getParent());
        DurableFiles.replace(saved, built.encode());
        return built;
    }

    /** The file's content id. */
    public ContentId root() {
        return root;
    }

    /** The file's size in bytes. */
    public long fileSize() {
        return fileSize;
    }

    /** Where the leaf {@code cid} is in the file, if it is one of this file's leaves. */
    public Optional<Slice> leaf(ContentId cid) {
        return Optional.ofNullable(leaves.get(cid));
    }

    /** The parent block {@code cid}, if it is one of this file's parents. */
    public Optional<byte[]> parent(ContentId cid) {
        byte[] block = parents.get(cid);
        return block == null ? Optional.empty() : Optional.of(block.clone());
    }

    /** Every block id of the file (leaves and parents). */
    public Iterable<ContentId> blocks() {
        java.util.List<ContentId> all = new java.util.ArrayList<>(leaves.keySet());
        all.addAll(parents.keySet());
        return all;
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            writeCid(out, root);
            out.writeLong(fileSize);
            out.writeInt(leaves.size());
            for (Map.Entry<ContentId, Slice> e : leaves.entrySet()) {
                writeCid(out, e.getKey());
                out.writeLong(e.getValue().offset());
                out.writeInt(e.getValue().length());
            }
            out.writeInt(parents.size());
            for (Map.Entry<ContentId, byte[]> e : parents.entrySet()) {
                writeCid(out, e.getKey());
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory never fails", e);
        }
        byte[] body = bytes.toByteArray();
        byte[] out = Arrays.copyOf(body, body.length + 32);
        System.arraycopy(Hashes.sha256(body), 0, out, body.length, 32);
        return out;
    }

    /**
     * A saved index, or empty when the file is missing, torn or unsound. Every count and length is checked against
     * what is left of the file before anything is allocated, so a damaged file costs at most its own size.
     */
    static Optional<BlockIndex> read(Path saved) {
        byte[] all;
        try {
            if (!Files.isRegularFile(saved)) return Optional.empty();
            all = Files.readAllBytes(saved);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (all.length < 32) return Optional.empty();
        byte[] body = Arrays.copyOf(all, all.length - 32);
        if (!MessageDigest.isEqual(Hashes.sha256(body), Arrays.copyOfRange(all, all.length - 32, all.length))) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) return Optional.empty();
            ContentId root = readCid(in);
            long fileSize = in.readLong();
            int leafCount = count(in, body.length);
            Map<ContentId, Slice> leaves = new LinkedHashMap<>();
            for (int i = 0; i < leafCount; i++) {
                ContentId cid = readCid(in);
                long offset = in.readLong();
                int length = in.readInt();
                if (offset < 0 || length < 0 || length > MAX_BLOCK || offset > fileSize - length) return Optional.empty();
                leaves.put(cid, new Slice(offset, length));
            }
            int parentCount = count(in, body.length);
            Map<ContentId, byte[]> parents = new LinkedHashMap<>();
            for (int i = 0; i < parentCount; i++) {
                ContentId cid = readCid(in);
                int length = in.readInt();
                if (length < 0 || length > Math.min(MAX_BLOCK, in.available())) return Optional.empty();
                byte[] block = in.readNBytes(length);
                if (!cid.matches(block)) return Optional.empty();
                parents.put(cid, block);
            }
            if (in.available() != 0) return Optional.empty();
            return Optional.of(new BlockIndex(root, fileSize, leaves, parents));
        } catch (IOException | RuntimeException unsound) {
            return Optional.empty();
        }
    }

    private static int count(DataInputStream in, int limit) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > limit) throw new IOException("count " + n + " is more than the file could hold");
        return n;
    }

    private static void writeCid(DataOutputStream out, ContentId cid) throws IOException {
        byte[] b = cid.bytes();
        out.writeShort(b.length);
        out.write(b);
    }

    private static ContentId readCid(DataInputStream in) throws IOException {
        int length = in.readUnsignedShort();
        if (length > MAX_CID_BYTES) throw new IOException("content id of " + length + " bytes");
        return ContentId.fromBytes(in.readNBytes(length));
    }

    @Override
    public String toString() {
        return "BlockIndex[" + root + ", " + fileSize + " bytes, " + leaves.size() + " leaves, " + parents.size()
                + " parents]";
    }
}

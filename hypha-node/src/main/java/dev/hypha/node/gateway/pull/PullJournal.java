package dev.hypha.node.gateway.pull;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.io.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pull's durable state: {@code <root>.partial}, the file being filled (its full size from the start, written at each
 * leaf's offset), and {@code <root>.journal}, one line per leaf written, after a header naming the root and size.
 * A leaf's bytes are forced to disk before its line is appended and forced, so a line never names bytes a crash lost;
 * a torn last line (killed mid-append) is dropped. Lines are a claim, not proof: the puller re-hashes every journalled
 * leaf before it counts it (a local read, far cheaper than fetching it again).
 *
 * <p>One pull per content at a time: a lock in this process and a file lock on the journal (across processes); a second
 * pull of the same content waits, then finds it stored (or resumes what the first one left).
 */
final class PullJournal implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final ReentrantLock local;
    private final FileChannel journal;
    private final FileChannel data;
    private final Path partial;
    private final Path journalFile;
    private final Map<Integer, ContentId> recorded;

    private PullJournal(ReentrantLock local, FileChannel journal, FileChannel data, Path partial,
                        Path journalFile, Map<Integer, ContentId> recorded) {
        this.local = local;
        this.journal = journal;
        this.data = data;
        this.partial = partial;
        this.journalFile = journalFile;
        this.recorded = recorded;
    }

    /** Opens (waiting for any other pull of {@code root}) the state of a pull, resuming a matching one left behind. */
    static PullJournal open(Path folder, ContentId root, long size) throws IOException {
        Files.createDirectories(folder);
        Path journalFile = folder.resolve(root + ".journal");
        Path partial = folder.resolve(root + ".partial");
        ReentrantLock local = IN_PROCESS.computeIfAbsent(journalFile, f -> new ReentrantLock());
        local.lock();
        FileChannel journal = null;
        FileChannel data = null;
        try {
            journal = FileChannel.open(journalFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            journal.lock(); // held until the journal closes: another process's pull of this content waits
            String header = "hypha-pull 1 " + root + " " + size + "\n";
            Map<Integer, ContentId> recorded = new TreeMap<>();
            long end = read(journal, header, recorded);
            boolean resumable = end > 0 && Files.isRegularFile(partial) && Files.size(partial) == size;
            if (!resumable) {
                recorded.clear();
                journal.truncate(0);
                journal.write(ByteBuffer.wrap(header.getBytes(StandardCharsets.US_ASCII)), 0);
                end = header.length();
            }
            journal.truncate(end); // drops a torn last line, so appends start on a fresh line
            journal.position(end);
            data = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (!resumable) {
                data.truncate(0);
                if (size > 0) data.write(ByteBuffer.wrap(new byte[1]), size - 1); // full size, sparse where unwritten
                data.force(true);
            }
            journal.force(true);
            DurableFiles.forceDirectory(folder);
            return new PullJournal(local, journal, data, partial, journalFile, recorded);
        } catch (IOException | RuntimeException e) {
            if (data != null) data.close();
            if (journal != null) journal.close(); // releases the file lock
            local.unlock();
            throw e;
        }
    }

    /**
     * Reads the journal's leaf lines into {@code recorded}; returns the byte length of its sound part (0 when the header
     * is not this pull's: another size or root, or nothing written yet).
     */
    private static long read(FileChannel journal, String header, Map<Integer, ContentId> recorded) throws IOException {
        long length = journal.size();
        // One line per leaf of at most ~80 bytes: a journal beyond this is not ours to trust; start again.
        if (length == 0 || length > 64L << 20) return 0;
        ByteBuffer buffer = ByteBuffer.allocate((int) length);
        while (buffer.hasRemaining() && journal.read(buffer, buffer.position()) >= 0) { }
        String text = new String(buffer.array(), StandardCharsets.US_ASCII);
        if (!text.startsWith(header)) return 0;
        long end = header.length();
        int at = header.length();
        while (true) {
            int newline = text.indexOf('\n', at);
            if (newline < 0) break; // torn last line
            String[] parts = text.substring(at, newline).split(" ");
            try {
                if (parts.length != 3 || !parts[0].equals("leaf")) break;
                recorded.put(Integer.parseInt(parts[1]), ContentId.parse(parts[2]));
            } catch (RuntimeException unreadable) {
                break;
            }
            at = newline + 1;
            end = at;
        }
        return end;
    }

    /** The leaves earlier runs recorded as written (by index), to be re-checked before they count. */
    Map<Integer, ContentId> recorded() {
        return recorded;
    }

    /** The partial file. */
    Path partialFile() {
        return partial;
    }

    /** Reads back {@code length} bytes at {@code offset} of the partial file. */
    byte[] read(long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        long position = offset;
        while (buffer.hasRemaining()) {
            int n = data.read(buffer, position);
            if (n < 0) break;
            position += n;
        }
        return buffer.array();
    }

    /** Writes a verified leaf at its offset and records it durably (bytes on disk first, then its journal line). */
    void write(FilePlan.Leaf leaf, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long position = leaf.offset();
        while (buffer.hasRemaining()) {
            position += data.write(buffer, position);
        }
        data.force(false);
        byte[] line = ("leaf " + leaf.index() + " " + leaf.cid() + "\n").getBytes(StandardCharsets.US_ASCII);
        synchronized (this) {
            ByteBuffer out = ByteBuffer.wrap(line);
            while (out.hasRemaining()) journal.write(out);
            journal.force(false);
        }
    }

    /** Flushes the partial file and closes it, so it can be moved into the store. */
    void closeData() throws IOException {
        data.force(true);
        data.close();
    }

    /** Forgets the pull (after the file went into the store): the journal is deleted. */
    void delete() throws IOException {
        Files.deleteIfExists(journalFile);
        Files.deleteIfExists(partial);
    }

    @Override
    public void close() throws IOException {
        try {
            if (data.isOpen()) data.close();
            journal.close(); // releases the file lock
        } finally {
            local.unlock();
        }
    }
}

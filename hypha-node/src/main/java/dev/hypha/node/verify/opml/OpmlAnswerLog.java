package dev.hypha.node.verify.opml;

import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.web3j.utils.Numeric;

/**
 * What a provider of verifiable models committed to, kept so it can defend each receipt in a dispute: one small file
 * per answer, named by the opML receipt's digest, holding the generation's inputs (prompt, output, seed, request id).
 * The trace itself is not stored: the model is deterministic, so the node recomputes the very trace it committed from
 * these (a few milliseconds). Each file is written durably (temporary file, force, rename) before the answer leaves, so
 * a crash never loses a receipt a payer holds. At most {@code capacity} answers are kept, the oldest dropped first: a
 * flood of requests bounds the disk it costs (size the capacity to the answers served within the challenge window).
 */
public final class OpmlAnswerLog {
    /** One kept answer's inputs. */
    public record Kept(byte[] prompt, byte[] output, long seed, byte[] requestId) {}

    /** Longest answer file read back (a real one is under 200 bytes). */
    private static final int MAX_FILE_BYTES = 1024;
    private static final String SUFFIX = ".answer";

    private final Path dir;
    private final int capacity;
    private final Deque<Path> oldestFirst = new ArrayDeque<>();

    /** Opens (or creates) the log in {@code dir}, keeping at most {@code capacity} answers. */
    public OpmlAnswerLog(Path dir, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        this.dir = dir;
        this.capacity = capacity;
        try {
            Files.createDirectories(dir);
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
                s.forEach(files::add);
            }
            files.sort(Comparator.comparing(OpmlAnswerLog::modified).thenComparing(Path::toString));
            oldestFirst.addAll(files);
        } catch (IOException e) {
            throw HyphaException.io("cannot open the opML answer log " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Keeps one answer under its receipt digest, durably, dropping the oldest beyond the capacity. */
    public synchronized void keep(byte[] receiptDigest, Kept answer) {
        Path file = file(receiptDigest);
        String text = Long.toUnsignedString(answer.seed()) + "\n" + Numeric.toHexString(answer.requestId()) + "\n"
                + Numeric.toHexString(answer.prompt()) + "\n" + Numeric.toHexString(answer.output()) + "\n";
        try {
            DurableFiles.replace(file, text.getBytes(StandardCharsets.US_ASCII));
            oldestFirst.remove(file);
            oldestFirst.addLast(file);
            while (oldestFirst.size() > capacity) {
                Files.deleteIfExists(oldestFirst.removeFirst());
            }
        } catch (IOException e) {
            throw HyphaException.io("cannot keep an opML answer in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The answer kept under {@code receiptDigest}, if any (a damaged file reads as none, with the reason thrown). */
    public synchronized Optional<Kept> find(byte[] receiptDigest) {
        Path file = file(receiptDigest);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        byte[] raw;
        try (InputStream in = Files.newInputStream(file)) {
            raw = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw HyphaException.io("cannot read the opML answer " + file + ": " + e.getMessage(), e);
        }
        String[] lines = new String(raw, StandardCharsets.US_ASCII).split("\n");
        if (raw.length > MAX_FILE_BYTES || lines.length != 4 || !lines[0].matches("[0-9]{1,20}")) {
            throw HyphaException.io("the opML answer " + file + " is damaged (expected 4 lines: seed, request id, "
                    + "prompt, output)", null);
        }
        try {
            return Optional.of(new Kept(Numeric.hexStringToByteArray(lines[2]), Numeric.hexStringToByteArray(lines[3]),
                    Long.parseUnsignedLong(lines[0]), Numeric.hexStringToByteArray(lines[1])));
        } catch (RuntimeException e) {
            throw HyphaException.io("the opML answer " + file + " is damaged: " + e.getMessage(), e);
        }
    }

    /** How many answers are kept. */
    public synchronized int size() {
        return oldestFirst.size();
    }

    private Path file(byte[] receiptDigest) {
        if (receiptDigest.length != 32) {
            throw new IllegalArgumentException("a receipt digest is 32 bytes, was " + receiptDigest.length);
        }
        return dir.resolve(Numeric.toHexStringNoPrefix(receiptDigest) + SUFFIX);
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}

package dev.hypha.node.compute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The provider's jobs on disk, one JSON file per order under {@code <home>/compute/jobs}, each replaced whole (temp
 * file, force, rename), plus each job's log (appended lines) and the bid engine's cursor. Written before anything is
 * acknowledged: a bid is recorded before it is sent, a hand-off before it is answered, so a kill -9 at any point leaves
 * a record the restarted provider can act on. Held in memory in order-id order (no unordered iteration).
 */
public final class JobBook {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A record is a few hundred bytes; anything larger is not one of ours. */
    private static final long MAX_RECORD_BYTES = 64 << 10;

    private final Path dir;
    private final Map<BigInteger, JobRecord> jobs = new TreeMap<>();

    private JobBook(Path dir) {
        this.dir = dir;
    }

    /** Opens (creating) the book under {@code home}. */
    public static JobBook open(Path home) {
        Path dir = home.resolve("compute").resolve("jobs");
        JobBook book = new JobBook(dir);
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.getFileName().toString().matches("[0-9]{1,78}\\.json")).sorted().toList()) {
                    JobRecord r = read(f);
                    book.jobs.put(r.orderId(), r);
                }
            }
        } catch (IOException e) {
            throw HyphaException.io("cannot read the job records in " + dir + ": " + e.getMessage(), e);
        }
        return book;
    }

    /**
     * For readers beside the provider (the dashboard, possibly in another process on the same home): the records of
     * the {@code newest} highest order ids under {@code home}, read without creating anything (no book: an empty one).
     * A reader never writes through it; the provider's own {@link #open} keeps every record.
     */
    public static JobBook peek(Path home, int newest) {
        if (newest < 1) {
            throw new IllegalArgumentException("newest must be >= 1, was " + newest);
        }
        Path dir = home.resolve("compute").resolve("jobs");
        JobBook book = new JobBook(dir);
        if (!Files.isDirectory(dir)) {
            return book;
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<BigInteger> ids = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("[0-9]{1,78}\\.json"))
                    .map(n -> new BigInteger(n.substring(0, n.length() - ".json".length())))
                    .sorted(java.util.Comparator.reverseOrder()).limit(newest).toList();
            for (BigInteger id : ids) {
                JobRecord r = read(dir.resolve(id + ".json"));
                book.jobs.put(r.orderId(), r);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw HyphaException.io("cannot read the job records in " + dir + ": " + e.getMessage(), e);
        }
        return book;
    }

    public synchronized Optional<JobRecord> get(BigInteger orderId) {
        return Optional.ofNullable(jobs.get(orderId));
    }

    /** Every record, in order-id order. */
    public synchronized List<JobRecord> all() {
        return List.copyOf(jobs.values());
    }

    /** Records (durably) and keeps {@code r}. */
    public synchronized void put(JobRecord r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("order", r.orderId().toString());
        n.put("state", r.state().name());
        n.putArray("sources").addAll(r.sources().stream().map(JSON.getNodeFactory()::textNode).toList());
        n.put("step", r.step());
        n.put("steps", r.steps());
        n.put("loss", Double.isNaN(r.loss()) ? "NaN" : Double.toString(r.loss()));
        n.put("result", r.result());
        n.put("message", r.message());
        n.put("leaseClosed", r.leaseClosed());
        try {
            DurableFiles.replace(dir.resolve(r.orderId() + ".json"), JSON.writeValueAsBytes(n));
        } catch (IOException e) {
            throw HyphaException.io("cannot write the record of order " + r.orderId() + " in " + dir + ": " + e.getMessage(), e);
        }
        jobs.put(r.orderId(), r);
    }

    /**
     * Replaces the record of {@code orderId} with {@code change} applied to the one held now, in one step: a poll that
     * moves a job on cannot undo what the tenant's hand-off wrote between its read and its write.
     */
    public synchronized JobRecord update(BigInteger orderId, java.util.function.UnaryOperator<JobRecord> change) {
        JobRecord now = jobs.get(orderId);
        if (now == null) {
            throw new IllegalStateException("no record of order " + orderId);
        }
        JobRecord next = change.apply(now);
        put(next);
        return next;
    }

    /** Forgets an order this provider did not win. */
    public synchronized void remove(BigInteger orderId) {
        try {
            Files.deleteIfExists(dir.resolve(orderId + ".json"));
        } catch (IOException e) {
            throw HyphaException.io("cannot remove the record of order " + orderId + ": " + e.getMessage(), e);
        }
        jobs.remove(orderId);
    }

    /** Appends a line to the job's log (the tenant reads it; it survives a restart). */
    public void log(BigInteger orderId, String line) {
        Path file = dir.resolve(orderId + ".log");
        try {
            Files.writeString(file, line.replace('\n', ' ') + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw HyphaException.io("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    /** The job's log size in bytes (0 without a log): a cheap sign that the job reported something new. */
    public long logSize(BigInteger orderId) {
        try {
            Path file = dir.resolve(orderId + ".log");
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** At most {@code max} log lines from line {@code from} (0-based), reading no more than 1 MiB. */
    public List<String> logLines(BigInteger orderId, long from, int max) {
        Path file = dir.resolve(orderId + ".log");
        List<String> lines = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return lines;
        }
        long read = 0;
        try (Stream<String> all = Files.lines(file, StandardCharsets.UTF_8)) {
            var it = all.skip(from).iterator();
            while (it.hasNext() && lines.size() < max && read < (1 << 20)) {
                String l = it.next();
                read += l.length() + 1;
                lines.add(l);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw HyphaException.io("cannot read " + file + ": " + e.getMessage(), e);
        }
        return lines;
    }

    /** The bid engine's next order to look at (1 when none was saved). */
    public BigInteger cursor() {
        Path file = dir.resolve("cursor");
        try {
            if (!Files.isRegularFile(file)) {
                return BigInteger.ONE;
            }
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (!text.matches("[0-9]{1,78}")) {
                throw HyphaException.input(file + " does not hold an order id");
            }
            return new BigInteger(text);
        } catch (IOException e) {
            throw HyphaException.io("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public void saveCursor(BigInteger next) {
        try {
            DurableFiles.replace(dir.resolve("cursor"), next.toString().getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw HyphaException.io("cannot write the bid cursor in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static JobRecord read(Path f) throws IOException {
        if (Files.size(f) > MAX_RECORD_BYTES) {
            throw HyphaException.input("job record " + f + " is larger than " + MAX_RECORD_BYTES + " bytes");
        }
        try {
            JsonNode n = JSON.readTree(Files.readAllBytes(f));
            List<String> sources = new ArrayList<>();
            n.path("sources").forEach(s -> sources.add(s.asText()));
            String loss = n.path("loss").asText("NaN");
            return new JobRecord(new BigInteger(n.path("order").asText()), JobState.valueOf(n.path("state").asText()), sources,
                    n.path("step").asLong(), n.path("steps").asLong(), loss.equals("NaN") ? Double.NaN : Double.parseDouble(loss),
                    n.path("result").asText(""), n.path("message").asText(""), n.path("leaseClosed").asBoolean());
        } catch (RuntimeException e) {
            throw HyphaException.input("job record " + f + " is damaged: " + e.getMessage(), e);
        }
    }
}

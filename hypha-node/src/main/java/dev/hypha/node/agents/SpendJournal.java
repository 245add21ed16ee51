package dev.hypha.node.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An agent's crash-safety journal: one JSON line per event, forced to disk before the runtime acts on it. A payment's
 * {@code intent} (its nonce and window) is written before the account books it on chain, {@code booked} after, and a
 * step's {@code done} only after its answer arrived; so after a kill -9 the runtime skips finished steps and resumes
 * an unfinished payment with the same nonce, which the token accepts at most once (no double spending). A torn last
 * line (killed while writing) is ignored: its event never happened as far as anyone acted on.
 */
public final class SpendJournal {
    /** Longest journal read back (a run of many thousand steps fits easily). */
    static final long MAX_BYTES = 64L * 1024 * 1024;

    /**
     * A payment the runtime meant to make for a step.
     *
     * @param step        the step index
     * @param nonce       the EIP-3009 nonce (0x + 64 hex)
     * @param payTo       the payee
     * @param value       the amount in the token's smallest units
     * @param validBefore the authorization's end (unix seconds, chain time)
     * @param booked      the booking transaction once booked, else empty
     */
    public record Intent(int step, String nonce, String payTo, String value, long validBefore, Optional<String> booked) {}

    /** A model-driven turn as it happened: the call the model chose (its JSON) and what came back. */
    public record Turn(String call, String result) {}

    /** What the journal says so far; {@code turns}: the finished turns of a model-driven run, to resume its chat. */
    public record State(TreeMap<Integer, String> done, TreeMap<Integer, Intent> pending, TreeMap<Integer, Turn> turns) {
        /** Whether step {@code i} finished. */
        public boolean isDone(int i) {
            return done.containsKey(i);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public SpendJournal(Path file) {
        this.file = file;
    }

    /** Reads the journal (empty if there is none). */
    public State read() {
        TreeMap<Integer, String> done = new TreeMap<>();
        TreeMap<Integer, Intent> pending = new TreeMap<>();
        TreeMap<Integer, Turn> turns = new TreeMap<>();
        if (!Files.exists(file)) {
            return new State(done, pending, turns);
        }
        List<String> lines;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw HyphaException.input("agent journal " + file + " is larger than " + MAX_BYTES + " bytes");
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw HyphaException.io("cannot read agent journal " + file + ": " + e.getMessage(), e);
        }
        for (int n = 0; n < lines.size(); n++) {
            JsonNode e;
            try {
                e = JSON.readTree(lines.get(n));
            } catch (IOException torn) {
                if (n == lines.size() - 1) {
                    break; // killed while writing the last line: that event was never acted on
                }
                throw HyphaException.input("agent journal " + file + " line " + (n + 1) + " is not JSON");
            }
            int step = e.path("step").asInt(-1);
            switch (e.path("event").asText("")) {
                case "intent" -> pending.put(step, new Intent(step, e.get("nonce").asText(), e.get("payTo").asText(),
                        e.get("value").asText(), e.get("validBefore").asLong(), Optional.empty()));
                case "booked" -> {
                    Intent i = pending.get(step);
                    if (i != null) {
                        pending.put(step, new Intent(step, i.nonce(), i.payTo(), i.value(), i.validBefore(),
                                Optional.of(e.get("tx").asText())));
                    }
                }
                case "done" -> {
                    done.put(step, e.path("status").asText(""));
                    pending.remove(step);
                    if (e.has("call")) {
                        turns.put(step, new Turn(e.get("call").asText(), e.path("result").asText("")));
                    }
                }
                default -> throw HyphaException.input("agent journal " + file + " line " + (n + 1) + " has no known event");
            }
        }
        return new State(done, pending, turns);
    }

    /** Journals a payment about to be booked. */
    public void intent(Intent i) {
        ObjectNode o = event(i.step(), "intent");
        o.put("nonce", i.nonce()).put("payTo", i.payTo()).put("value", i.value()).put("validBefore", i.validBefore());
        append(o);
    }

    /** Journals that step {@code step}'s payment was booked by {@code tx}. */
    public void booked(int step, String tx) {
        append(event(step, "booked").put("tx", tx));
    }

    /** Journals that step {@code step} finished with {@code status}. */
    public void done(int step, String status) {
        append(event(step, "done").put("status", status));
    }

    /** Journals that model-driven turn {@code step} finished with {@code status}, having called {@code call}. */
    public void done(int step, String status, String call, String result) {
        append(event(step, "done").put("status", status).put("call", call).put("result", result));
    }

    private static ObjectNode event(int step, String name) {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", step).put("event", name);
        return o;
    }

    /** Appends one line and forces it to disk before returning (write before acknowledge). */
    private void append(ObjectNode o) {
        byte[] line = (o.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer b = ByteBuffer.wrap(line);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
        } catch (IOException e) {
            throw HyphaException.io("cannot write agent journal " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every event line, for tests and {@code hypha agent logs}. */
    List<String> lines() throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : new ArrayList<>();
    }
}

package dev.hypha.node.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.io.DurableFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where a verifier is, kept in {@code <home>/verifier/state.json} so a restart (or kill -9) resumes instead of
 * rescanning from order 1: the next order and dispute ids to look at, the next commitment to audit of each order it
 * follows, the disputes it follows (its challenges, those it may referee) and those it voted in. Written after each
 * poll, whole, to a temporary file then renamed into place ({@link DurableFiles#replace}), so the file is always one
 * poll's complete state; a crash in the middle of a poll redoes that poll's work, which is safe (a second challenge
 * of a commitment is not sent while one is open, a second vote is refused by the contract).
 */
public record VerifierCursor(BigInteger nextOrder, TreeMap<BigInteger, Long> watched, BigInteger nextDispute,
                             TreeSet<BigInteger> disputes, TreeSet<BigInteger> voted) {
    /** Largest state file read (orders followed and disputes are a few bytes each; a million of them fit). */
    static final long MAX_BYTES = 64L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    public VerifierCursor {
        if (nextOrder.signum() <= 0 || nextDispute.signum() <= 0) {
            throw new IllegalArgumentException("order and dispute ids start at 1");
        }
        watched = new TreeMap<>(watched);
        disputes = new TreeSet<>(disputes);
        voted = new TreeSet<>(voted);
    }

    /** A fresh verifier's: everything from id 1. */
    public static VerifierCursor start() {
        return new VerifierCursor(BigInteger.ONE, new TreeMap<>(), BigInteger.ONE, new TreeSet<>(), new TreeSet<>());
    }

    /** The state saved in {@code file}, or {@link #start()} when there is none; a damaged file is a clear error. */
    public static VerifierCursor load(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw HyphaException.input("the verifier state " + file + " is larger than " + MAX_BYTES + " bytes; "
                        + "move it away to rescan the chain from order 1");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return start();
        } catch (IOException e) {
            throw HyphaException.io("cannot read the verifier state " + file + ": " + e.getMessage(), e);
        }
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || n.path("version").asInt() != 1) {
                throw new IllegalArgumentException("not a version 1 verifier state");
            }
            TreeMap<BigInteger, Long> watched = new TreeMap<>();
            var fields = n.path("watched").properties();
            for (Map.Entry<String, JsonNode> e : fields) {
                long next = e.getValue().asLong(-1);
                if (next < 0) {
                    throw new IllegalArgumentException("order " + e.getKey() + " has no next commitment index");
                }
                watched.put(id(e.getKey()), next);
            }
            return new VerifierCursor(id(n.path("nextOrder").asText()), watched, id(n.path("nextDispute").asText()),
                    ids(n.path("disputes")), ids(n.path("voted")));
        } catch (IOException | IllegalArgumentException e) {
            throw HyphaException.input("the verifier state " + file + " is damaged (" + e.getMessage() + "); move it away "
                    + "to rescan the chain from order 1");
        }
    }

    /** Replaces {@code file} with this state, atomically and durably. */
    public void save(Path file) {
        ObjectNode n = JSON.createObjectNode();
        n.put("version", 1);
        n.put("nextOrder", nextOrder.toString());
        ObjectNode w = n.putObject("watched");
        watched.forEach((order, next) -> w.put(order.toString(), next));
        n.put("nextDispute", nextDispute.toString());
        ArrayNode d = n.putArray("disputes");
        disputes.forEach(id -> d.add(id.toString()));
        ArrayNode v = n.putArray("voted");
        voted.forEach(id -> v.add(id.toString()));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            DurableFiles.replace(file, JSON.writeValueAsString(n).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw HyphaException.io("cannot write the verifier state " + file + ": " + e.getMessage(), e);
        }
    }

    private static TreeSet<BigInteger> ids(JsonNode array) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("a list of ids is missing");
        }
        TreeSet<BigInteger> out = new TreeSet<>();
        array.forEach(e -> out.add(id(e.asText())));
        return out;
    }

    private static BigInteger id(String text) {
        if (!text.matches("[1-9][0-9]{0,76}")) {
            throw new IllegalArgumentException("'" + text + "' is not an id");
        }
        return new BigInteger(text);
    }
}

package dev.hypha.node.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.core.seal.DataKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The inside of a sealed folder: every subfolder, and for every file its path, size, plaintext content id, the content
 * id of its ciphertext and the fresh data key it was sealed under (each file has its own key, so no (key, chunk index)
 * nonce repeats across files). The manifest itself is sealed under the dataset's data key, the one grants carry, so
 * holding a grant opens the manifest and through it every file; names and keys are never public. Canonical JSON (keys
 * sorted, no spaces, entries in path order) so one folder's manifest has one content id; decoded as hostile input: every
 * path is checked ({@link #checkPath}: no {@code ..}, no absolute paths, no separators inside a name), every file and
 * folder must sit in a listed folder, nothing is listed twice, and the sizes add up without overflow.
 */
public record DirectoryManifest(List<String> dirs, List<Entry> files) {
    /** Largest manifest read. */
    public static final int MAX_BYTES = 8 << 20;
    /** Most files plus folders in one sealed folder. */
    public static final int MAX_ENTRIES = 10_000;
    /** Deepest nesting. */
    public static final int MAX_DEPTH = 64;
    static final String FORMAT = "hypha-sealed-directory/1";
    private static final int MAX_PATH = 4096;
    private static final int MAX_SEGMENT = 255;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEYS = new TreeSet<>(Set.of("dirs", "files", "format"));
    private static final Set<String> FILE_KEYS = new TreeSet<>(Set.of("key", "path", "plaintext", "sealed", "size"));

    /** One sealed file. */
    public record Entry(String path, long size, ContentId plaintext, ContentId sealed, DataKey key) {}

    public DirectoryManifest {
        dirs = List.copyOf(dirs);
        files = List.copyOf(files);
        check(dirs, files);
    }

    /** Total plaintext bytes of the files. */
    public long size() {
        long total = 0;
        for (Entry e : files) total = Math.addExact(total, e.size());
        return total;
    }

    /** The canonical bytes (what is sealed). */
    public byte[] encode() {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode d = o.putArray("dirs");
        dirs.forEach(d::add);
        ArrayNode f = o.putArray("files");
        for (Entry e : files) {
            ObjectNode n = f.addObject();
            n.put("key", Hex.encode(e.key().bytes()));
            n.put("path", e.path());
            n.put("plaintext", e.plaintext().toString());
            n.put("sealed", e.sealed().toString());
            n.put("size", e.size());
        }
        o.put("format", FORMAT);
        try {
            return JSON.writeValueAsBytes(o); // keys were added in sorted order
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads a manifest just opened (hostile: a grantee trusts only what the owner sealed, and the owner may be the
     * attacker).
     *
     * @throws HyphaException (INPUT) naming {@code source} and what is wrong
     */
    public static DirectoryManifest decode(String source, byte[] bytes) {
        if (bytes.length > MAX_BYTES) throw bad(source, "is " + bytes.length + " bytes, more than " + MAX_BYTES);
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            throw bad(source, "is not JSON");
        }
        if (root == null || !root.isObject()) throw bad(source, "is not a JSON object");
        if (!keys(root).equals(KEYS)) throw bad(source, "has keys " + keys(root) + ", expected exactly " + KEYS);
        if (!FORMAT.equals(root.get("format").asText(null))) throw bad(source, "is not format " + FORMAT);
        JsonNode d = root.get("dirs");
        JsonNode f = root.get("files");
        if (!d.isArray() || !f.isArray()) throw bad(source, "fields dirs and files must be arrays");
        if (d.size() + f.size() > MAX_ENTRIES) {
            throw bad(source, "lists " + (d.size() + f.size()) + " entries, more than " + MAX_ENTRIES);
        }
        List<String> dirs = new ArrayList<>();
        for (JsonNode n : d) {
            if (!n.isTextual()) throw bad(source, "lists a folder that is not a string");
            dirs.add(n.asText());
        }
        List<Entry> files = new ArrayList<>();
        for (JsonNode n : f) {
            if (!n.isObject() || !keys(n).equals(FILE_KEYS)) {
                throw bad(source, "file entry " + files.size() + " must have exactly " + FILE_KEYS);
            }
            String path = text(source, n, "path");
            JsonNode size = n.get("size");
            if (!size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
                throw bad(source, "file " + path + ": size must be a non-negative integer");
            }
            try {
                files.add(new Entry(path, size.asLong(), ContentId.parse(text(source, n, "plaintext")),
                        ContentId.parse(text(source, n, "sealed")),
                        DataKey.of(Hex.decode(text(source, n, "key"), DataKey.BYTES, "file key"))));
            } catch (RuntimeException e) {
                throw bad(source, "file " + path + ": " + e.getMessage());
            }
        }
        DirectoryManifest m;
        try {
            m = new DirectoryManifest(dirs, files);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw bad(source, e.getMessage());
        }
        if (!java.util.Arrays.equals(m.encode(), bytes)) {
            throw bad(source, "is not in canonical form (sorted keys, no spaces, entries in path order)");
        }
        return m;
    }

    /**
     * Checks a relative path as a manifest holds it: '/'-separated names, each 1 to 255 bytes, none {@code .} or
     * {@code ..}, no control characters or backslashes, at most 4096 characters and {@link #MAX_DEPTH} names.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static void checkPath(String path) {
        if (path == null || path.isEmpty() || path.length() > MAX_PATH) {
            throw new IllegalArgumentException("a path must be 1 to " + MAX_PATH + " characters");
        }
        String[] names = path.split("/", -1);
        if (names.length > MAX_DEPTH) throw new IllegalArgumentException("path " + path + " is too deep");
        for (String n : names) {
            if (n.isEmpty() || n.equals(".") || n.equals("..")) {
                throw new IllegalArgumentException("path " + path + " has an empty, . or .. name");
            }
            if (n.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT) {
                throw new IllegalArgumentException("path " + path + " has a name longer than " + MAX_SEGMENT + " bytes");
            }
            for (int i = 0; i < n.length(); i++) {
                char c = n.charAt(i);
                if (c < 0x20 || c == 0x7f || c == '\\' || Character.isSurrogate(c) && !validSurrogate(n, i)) {
                    throw new IllegalArgumentException("path " + path + " has a control character, a backslash or "
                            + "broken UTF-16");
                }
                if (Character.isHighSurrogate(c)) i++;
            }
        }
    }

    private static boolean validSurrogate(String n, int i) {
        return Character.isHighSurrogate(n.charAt(i)) && i + 1 < n.length() && Character.isLowSurrogate(n.charAt(i + 1));
    }

    private static void check(List<String> dirs, List<Entry> files) {
        if (dirs.size() + files.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("more than " + MAX_ENTRIES + " files and folders");
        }
        Set<String> seenDirs = new HashSet<>();
        for (String d : dirs) {
            checkPath(d);
            checkParent(d, seenDirs);
            if (!seenDirs.add(d)) throw new IllegalArgumentException("folder " + d + " is listed twice");
        }
        Set<String> seenFiles = new HashSet<>();
        String previous = null;
        long total = 0;
        for (Entry e : files) {
            checkPath(e.path());
            checkParent(e.path(), seenDirs);
            if (seenDirs.contains(e.path())) throw new IllegalArgumentException(e.path() + " is both a file and a folder");
            if (!seenFiles.add(e.path())) throw new IllegalArgumentException("file " + e.path() + " is listed twice");
            if (previous != null && previous.compareTo(e.path()) > 0) {
                throw new IllegalArgumentException("files are not in path order at " + e.path());
            }
            if (e.size() < 0) throw new IllegalArgumentException("file " + e.path() + " has a negative size");
            total = Math.addExact(total, e.size());
            previous = e.path();
        }
    }

    /** A path's folder must have been listed before it (so folders come parents first). */
    private static void checkParent(String path, Set<String> dirs) {
        int slash = path.lastIndexOf('/');
        if (slash > 0 && !dirs.contains(path.substring(0, slash))) {
            throw new IllegalArgumentException(path + " is in folder " + path.substring(0, slash) + ", which is not "
                    + "listed before it");
        }
    }

    private static Set<String> keys(JsonNode n) {
        Set<String> keys = new TreeSet<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) keys.add(it.next());
        return keys;
    }

    private static String text(String source, JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (!v.isTextual()) throw bad(source, "field " + field + " must be a string");
        return v.asText();
    }

    private static HyphaException bad(String source, String what) {
        return HyphaException.input("the folder manifest " + source + " " + what);
    }
}

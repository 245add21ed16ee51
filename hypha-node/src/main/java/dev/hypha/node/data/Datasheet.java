package dev.hypha.node.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.HyphaException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a reader needs to know about sealed data besides its ciphertext, published as the asset's metadata content id:
 * the plaintext's content id (so the reader checks what it decrypted is what the owner registered), its size, whether
 * it is one file or a folder (then the plaintext id is the folder's UnixFS directory id and the size its files' total;
 * see {@link DirectoryManifest}), and a name. Canonical JSON (keys sorted, no spaces), so one
 * datasheet has one content id.
 *
 * <p>What it reveals: the plaintext's hash lets anyone confirm a guess of the whole content (decision: accepted, since
 * a reader must be able to check the decryption against something the owner committed to on chain, and the data key
 * already authenticates every chunk; data that is guessable whole should not rely on encryption alone).
 */
public record Datasheet(Kind kind, String name, ContentId plaintext, long size) {
    /** Largest datasheet read (they are about 200 bytes). */
    public static final int MAX_BYTES = 4096;
    static final String FORMAT = "hypha-sealed-data/1";
    private static final int MAX_NAME = 255;
    private static final Set<String> KEYS = new TreeSet<>(Set.of("format", "kind", "name", "plaintext", "size"));
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One file, or a folder sealed file by file under a sealed {@link DirectoryManifest}. */
    public enum Kind { FILE, DIRECTORY }

    public Datasheet {
        if (kind == null || plaintext == null) throw new IllegalArgumentException("kind and plaintext are required");
        checkName(name);
        if (size < 0) throw new IllegalArgumentException("size must not be negative, was " + size);
    }

    /** The canonical bytes (what is stored and registered). */
    public byte[] encode() {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
        o.put("name", name);
        o.put("plaintext", plaintext.toString());
        o.put("size", size);
        try {
            return JSON.writeValueAsBytes(o); // keys were added in sorted order
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads a datasheet fetched from a gateway (hostile input).
     *
     * @throws HyphaException (INPUT) naming {@code source} and the field that is wrong
     */
    public static Datasheet decode(String source, byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw bad(source, "is " + bytes.length + " bytes, more than " + MAX_BYTES);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            throw bad(source, "is not JSON");
        }
        if (root == null || !root.isObject()) throw bad(source, "is not a JSON object");
        Set<String> keys = new TreeSet<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) keys.add(it.next());
        if (!keys.equals(KEYS)) throw bad(source, "has keys " + keys + ", expected exactly " + KEYS);
        if (!FORMAT.equals(root.get("format").asText(null))) {
            throw bad(source, "is not format " + FORMAT);
        }
        Kind kind = switch (text(source, root, "kind")) {
            case "file" -> Kind.FILE;
            case "directory" -> Kind.DIRECTORY;
            default -> throw bad(source, "field kind must be file or directory");
        };
        String name = text(source, root, "name");
        ContentId plaintext;
        try {
            plaintext = ContentId.parse(text(source, root, "plaintext"));
        } catch (RuntimeException e) {
            throw bad(source, "field plaintext is not a content id");
        }
        JsonNode size = root.get("size");
        if (!size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
            throw bad(source, "field size must be a non-negative integer");
        }
        Datasheet sheet;
        try {
            sheet = new Datasheet(kind, name, plaintext, size.asLong());
        } catch (IllegalArgumentException e) {
            throw bad(source, e.getMessage());
        }
        if (!java.util.Arrays.equals(sheet.encode(), bytes)) {
            throw bad(source, "is not in canonical form (sorted keys, no spaces)");
        }
        return sheet;
    }

    private static String text(String source, JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (!n.isTextual()) throw bad(source, "field " + field + " must be a string");
        return n.asText();
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
            throw new IllegalArgumentException("name must be 1 to " + MAX_NAME + " characters");
        }
        if (name.equals(".") || name.equals("..")) throw new IllegalArgumentException("name must not be . or ..");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '/' || c == '\\') {
                throw new IllegalArgumentException("name must be printable ASCII without / or \\");
            }
        }
    }

    private static HyphaException bad(String source, String what) {
        return HyphaException.input("the datasheet " + source + " " + what);
    }

    /** A file name usable as a datasheet name: printable ASCII, others replaced by '_'. */
    public static String safeName(String name) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length() && b.length() < MAX_NAME; i++) {
            char c = name.charAt(i);
            b.append(c < 0x20 || c > 0x7e || c == '/' || c == '\\' ? '_' : c);
        }
        String s = b.toString();
        return s.isEmpty() || s.equals(".") || s.equals("..") ? "data" : s;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

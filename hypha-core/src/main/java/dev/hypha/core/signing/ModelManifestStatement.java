package dev.hypha.core.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.crypto.Hashes;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The in-toto Statement v1 that OpenSSF model signing signs (predicate type {@value #PREDICATE_TYPE}):
 * <pre>{@code
 * {"_type": "https://in-toto.io/Statement/v1",
 *  "subject": [{"name": MODEL, "digest": {"sha256": ROOT}}],
 *  "predicateType": "https://model_signing/signature/v1.0",
 *  "predicate": {"serialization": {"method": "files", "hash_type": "sha256", "allow_symlinks": false,
 *                                  "ignore_paths": []},
 *                "resources": [{"name": FILE, "algorithm": "sha256", "digest": HEX}, ...]}}
 * }</pre>
 * Resources are sorted by name and ROOT is the SHA-256 of their digests' bytes concatenated in that order, as
 * model-transparency computes it. The bytes are written once, deterministically, and signed as they are (DSSE signs
 * the payload bytes, so no JSON canonicalization is needed to verify).
 */
public final class ModelManifestStatement {
    public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
    public static final String PREDICATE_TYPE = "https://model_signing/signature/v1.0";
    /** The most files a manifest may list (bounds what a hostile one costs to check). */
    public static final int MAX_FILES = 100_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a statement says: the model's name, its files' digests (sorted by name) and the root digest. */
    public record Parsed(String modelName, List<ManifestEntry> files, String rootDigest) {}

    private ModelManifestStatement() {}

    /** The statement for {@code files} (any order; names must differ). */
    public static byte[] encode(String modelName, List<ManifestEntry> files) {
        List<ManifestEntry> sorted = sorted(files);
        ObjectNode statement = JSON.createObjectNode();
        statement.put("_type", STATEMENT_TYPE);
        ObjectNode subject = statement.putArray("subject").addObject();
        subject.put("name", modelName);
        subject.putObject("digest").put("sha256", rootDigest(sorted));
        statement.put("predicateType", PREDICATE_TYPE);
        ObjectNode predicate = statement.putObject("predicate");
        ObjectNode serialization = predicate.putObject("serialization");
        serialization.put("method", "files");
        serialization.put("hash_type", "sha256");
        serialization.put("allow_symlinks", false);
        serialization.putArray("ignore_paths");
        ArrayNode resources = predicate.putArray("resources");
        for (ManifestEntry file : sorted) {
            resources.addObject().put("name", file.name()).put("algorithm", "sha256").put("digest", file.sha256());
        }
        try {
            return JSON.writeValueAsBytes(statement);
        } catch (IOException e) {
            throw new IllegalStateException("writing a JSON tree to memory never fails", e);
        }
    }

    /**
     * Reads a statement and checks it is a model-signing v1.0 statement whose root digest matches its resources.
     *
     * @throws HyphaException (INPUT) naming what is wrong
     */
    public static Parsed decode(byte[] statement) {
        JsonNode root;
        try {
            root = JSON.readTree(statement);
        } catch (IOException e) {
            throw HyphaException.input("signed statement is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !STATEMENT_TYPE.equals(root.path("_type").asText())) {
            throw HyphaException.input("signed statement is not an in-toto Statement v1 (expected _type "
                    + STATEMENT_TYPE + ")");
        }
        if (!PREDICATE_TYPE.equals(root.path("predicateType").asText())) {
            throw HyphaException.input("signed statement has predicate type " + root.path("predicateType")
                    + ", not " + PREDICATE_TYPE);
        }
        JsonNode subjects = root.path("subject");
        if (!subjects.isArray() || subjects.size() != 1) {
            throw HyphaException.input("signed statement must have exactly one subject (the model)");
        }
        String name = subjects.get(0).path("name").asText("");
        String declaredRoot = subjects.get(0).path("digest").path("sha256").asText("");
        JsonNode serialization = root.path("predicate").path("serialization");
        if (!"sha256".equals(serialization.path("hash_type").asText())) {
            throw HyphaException.input("signed statement hashes with " + serialization.path("hash_type")
                    + "; Hypha verifies sha256 manifests");
        }
        JsonNode resources = root.path("predicate").path("resources");
        if (!resources.isArray() || resources.isEmpty() || resources.size() > MAX_FILES) {
            throw HyphaException.input("signed statement must list 1 to " + MAX_FILES + " files");
        }
        List<ManifestEntry> files = new ArrayList<>();
        for (JsonNode r : resources) {
            if (!"sha256".equals(r.path("algorithm").asText())) {
                throw HyphaException.input("file " + r.path("name") + " is hashed with " + r.path("algorithm") + ", not sha256");
            }
            files.add(new ManifestEntry(r.path("name").asText(""), r.path("digest").asText("")));
        }
        List<ManifestEntry> sorted = sorted(files);
        String computed = rootDigest(sorted);
        if (!computed.equals(declaredRoot)) {
            throw HyphaException.input("signed statement's root digest " + declaredRoot
                    + " is not the digest of its files (" + computed + ")");
        }
        return new Parsed(name, sorted, computed);
    }

    /** SHA-256 over the files' digests (bytes) in name order: the subject's digest. */
    static String rootDigest(List<ManifestEntry> sortedFiles) {
        var sha = Hashes.newSha256();
        for (ManifestEntry file : sortedFiles) {
            sha.update(HexFormat.of().parseHex(file.sha256()));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static List<ManifestEntry> sorted(List<ManifestEntry> files) {
        List<ManifestEntry> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparing(ManifestEntry::name));
        Set<String> names = new HashSet<>();
        for (ManifestEntry f : sorted) {
            if (!names.add(f.name())) throw HyphaException.input("manifest lists file " + f.name() + " twice");
        }
        return sorted;
    }
}

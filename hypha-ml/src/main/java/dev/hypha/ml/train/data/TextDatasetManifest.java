package dev.hypha.ml.train.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a text dataset's content id names: its files (name, size, blob id, in import order), how they are cut into
 * documents, and the split rule with the counts it gives. The split is a function of those alone: documents are
 * numbered 0, 1, 2, ... through the files in order, and document i is in {@code test} when i % testEvery == 0, else in
 * {@code train} (so the first document is always a test document, as in the language-model trainer's hold-out). The
 * counts are recorded so that a reader can check its own cut. The JSON is canonical (fixed key order, no spaces):
 * decoding refuses any other spelling, so one dataset has one id.
 */
public record TextDatasetManifest(String name, TextDocuments documents, int testEvery, List<File> files, Counts train, Counts test) {
    public static final String FORMAT = "hypha-text-dataset-1";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** More files than this is not a corpus a command line names. */
    public static final int MAX_FILES = 10_000;

    /** One stored file: its name (no folder), byte size and blob. */
    public record File(String name, long bytes, ContentId blob) {}

    /** How many documents and UTF-8 bytes of document text a split holds. */
    public record Counts(long documents, long bytes) {}

    public TextDatasetManifest {
        files = List.copyOf(files);
    }

    public byte[] encode() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT).put("name", name).put("documents", documents.label()).put("test_every", testEvery);
        ArrayNode fs = root.putArray("files");
        for (File f : files) {
            fs.addObject().put("name", f.name()).put("bytes", f.bytes()).put("blob", f.blob().toString());
        }
        ObjectNode splits = root.putObject("splits");
        splits.putObject("test").put("documents", test.documents()).put("bytes", test.bytes());
        splits.putObject("train").put("documents", train.documents()).put("bytes", train.bytes());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when {@code bytes} claim to be a text dataset manifest (then {@link #decode} says whether they are one). */
    public static boolean isTextDataset(byte[] bytes) {
        try {
            JsonNode root = JSON.readTree(bytes);
            return root != null && FORMAT.equals(root.path("format").asText());
        } catch (IOException e) {
            return false;
        }
    }

    public static TextDatasetManifest decode(String source, byte[] bytes) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw error(source, "is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
            throw error(source, "is not a text dataset manifest (format must be \"" + FORMAT + "\")");
        }
        try {
            String name = root.path("name").asText("");
            if (!name.matches("[a-z0-9][a-z0-9._-]{0,127}")) {
                throw error(source, "name '" + name + "' is not a valid dataset name");
            }
            TextDocuments documents = TextDocuments.parse(root.path("documents").asText(""));
            int testEvery = root.path("test_every").asInt(-1);
            if (!root.path("test_every").isInt() || testEvery < 2 || testEvery > 1_000_000) {
                throw error(source, "test_every must be a whole number from 2 to 1000000");
            }
            JsonNode fs = root.path("files");
            if (!fs.isArray() || fs.isEmpty() || fs.size() > MAX_FILES) {
                throw error(source, "needs 1 to " + MAX_FILES + " files");
            }
            List<File> files = new ArrayList<>();
            for (JsonNode f : fs) {
                files.add(new File(f.path("name").asText(""), f.path("bytes").asLong(-1), ContentId.parse(f.path("blob").asText(""))));
            }
            TextDatasetManifest m = new TextDatasetManifest(name, documents, testEvery, files, counts(root, "train"), counts(root, "test"));
            if (!java.util.Arrays.equals(m.encode(), bytes)) {
                throw error(source, "is not in canonical form (key order and spacing as Hypha writes it)");
            }
            return m;
        } catch (IllegalArgumentException e) {
            throw error(source, e.getMessage());
        }
    }

    private static Counts counts(JsonNode root, String split) {
        JsonNode s = root.path("splits").path(split);
        return new Counts(s.path("documents").asLong(-1), s.path("bytes").asLong(-1));
    }

    private static HyphaException error(String source, String what) {
        return new HyphaException(ErrorCategory.INPUT, "text dataset manifest " + source + " " + what);
    }
}

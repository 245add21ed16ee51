package dev.hypha.ml.train.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a dataset's content id names: a small JSON document listing its splits, each an images blob and a labels blob
 * (raw IDX files) with the expected count. The encoding is canonical (fixed key order, no spaces), so the same data
 * always gets the same id.
 */
public record DatasetManifest(String name, int classes, int height, int width, Map<String, Split> splits) {
    public static final String FORMAT = "hypha-image-dataset-1";

    /** One split: how many samples and where its IDX blobs are. */
    public record Split(int count, ContentId images, ContentId labels) {}

    public DatasetManifest {
        splits = new TreeMap<>(splits);
    }

    public byte[] encode() {
        StringBuilder s = new StringBuilder();
        s.append("{\"format\":\"").append(FORMAT).append("\",\"name\":\"").append(name).append("\",\"classes\":").append(classes)
                .append(",\"height\":").append(height).append(",\"width\":").append(width).append(",\"splits\":{");
        boolean first = true;
        for (Map.Entry<String, Split> e : splits.entrySet()) {
            s.append(first ? "" : ",").append('"').append(e.getKey()).append("\":{\"count\":").append(e.getValue().count())
                    .append(",\"images\":\"").append(e.getValue().images()).append("\",\"labels\":\"").append(e.getValue().labels()).append("\"}");
            first = false;
        }
        return s.append("}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    public static DatasetManifest decode(String source, byte[] bytes) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(bytes);
        } catch (IOException e) {
            throw error(source, "is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
            throw error(source, "is not a dataset manifest (format must be \"" + FORMAT + "\")");
        }
        String name = root.path("name").asText("");
        if (!name.matches("[a-z0-9][a-z0-9._-]{0,127}")) {
            throw error(source, "name '" + name + "' is not a valid dataset name");
        }
        int classes = bounded(source, root, "classes", 2, 256);
        int height = bounded(source, root, "height", 1, 4096);
        int width = bounded(source, root, "width", 1, 4096);
        JsonNode splitsNode = root.path("splits");
        if (!splitsNode.isObject() || splitsNode.isEmpty()) {
            throw error(source, "needs at least one split");
        }
        Map<String, Split> splits = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = splitsNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode n = e.getValue();
            if (!e.getKey().matches("[a-z0-9_-]{1,32}")) {
                throw error(source, "split name '" + e.getKey() + "' is not valid");
            }
            splits.put(e.getKey(), new Split(bounded(source, n, "count", 1, 1 << 30), cid(source, n, "images"), cid(source, n, "labels")));
        }
        DatasetManifest m = new DatasetManifest(name, classes, height, width, splits);
        if (!java.util.Arrays.equals(m.encode(), bytes)) {
            throw error(source, "is not in canonical form (key order and spacing as Hypha writes it)");
        }
        return m;
    }

    private static int bounded(String source, JsonNode node, String field, int min, int max) {
        JsonNode v = node.path(field);
        if (!v.isInt() || v.asInt() < min || v.asInt() > max) {
            throw error(source, "'" + field + "' must be a whole number from " + min + " to " + max + ", found " + v);
        }
        return v.asInt();
    }

    private static ContentId cid(String source, JsonNode node, String field) {
        try {
            return ContentId.parse(node.path(field).asText(""));
        } catch (RuntimeException e) {
            throw error(source, "'" + field + "' is not a content id: " + e.getMessage());
        }
    }

    private static HyphaException error(String source, String what) {
        return new HyphaException(ErrorCategory.INPUT, "dataset manifest " + source + " " + what);
    }
}

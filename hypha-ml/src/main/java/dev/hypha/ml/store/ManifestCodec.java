package dev.hypha.ml.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes manifests as JSON. Fields are written in one fixed order, so a manifest has one byte form. Reading
 * checks every field and names the first one that is missing or wrong, so a damaged manifest gives an error that says
 * which file to fix or remove rather than a half-filled record.
 */
public final class ManifestCodec {
    /** Bumped when the layout changes incompatibly; readers refuse versions they do not know. */
    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ManifestCodec() {
    }

    /** The manifest as UTF-8 JSON. */
    public static byte[] write(ModelManifest manifest) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("name", manifest.name().toString());
        root.put("cid", manifest.cid().toString());
        root.put("size", manifest.size());
        root.put("format", manifest.format());
        ModelSummary s = manifest.summary();
        root.put("architecture", s.architecture());
        root.put("parameterCount", s.parameterCount());
        root.put("quantization", s.quantization());
        ObjectNode types = root.putObject("tensorTypes");
        s.tensorTypes().forEach(types::put);
        root.put("contextLength", s.contextLength());
        root.put("created", manifest.created().toString());
        root.put("sourceFile", manifest.sourceFile());
        manifest.adapter().ifPresent(a -> { // only when present: manifests without one keep their byte form
            ObjectNode adapter = root.putObject("adapter");
            adapter.put("cid", a.cid().toString());
            adapter.put("size", a.size());
            adapter.put("sourceFile", a.sourceFile());
        });
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("writing a JSON tree to bytes cannot fail", e);
        }
    }

    /**
     * Parses a manifest.
     *
     * @param source names the manifest in error messages (its file)
     * @throws ModelStoreException INPUT naming the source and the first bad field
     */
    public static ModelManifest read(byte[] json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw bad(source, "is not valid JSON (" + e.getOriginalMessage() + ")", e);
        } catch (java.io.IOException e) {
            throw bad(source, "cannot be read as JSON (" + e.getMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw bad(source, "must be a JSON object", null);
        }
        long schema = integer(root, "schemaVersion", source);
        if (schema != SCHEMA_VERSION) {
            throw bad(source, "has schemaVersion " + schema + "; this hypha reads version " + SCHEMA_VERSION, null);
        }
        try {
            ModelName name = ModelName.parse(text(root, "name", source));
            ContentId cid = ContentId.parse(text(root, "cid", source));
            long size = nonNegative(root, "size", source);
            String format = text(root, "format", source);
            if (!ModelManifest.FORMAT_GGUF.equals(format)) {
                throw bad(source, "has format '" + format + "'; expected '" + ModelManifest.FORMAT_GGUF + "'", null);
            }
            JsonNode typesNode = root.get("tensorTypes");
            if (typesNode == null || !typesNode.isObject()) {
                throw bad(source, "field 'tensorTypes' must be an object of type name to tensor count", null);
            }
            Map<String, Integer> types = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = typesNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().canConvertToInt() || !e.getValue().isIntegralNumber() || e.getValue().intValue() < 0) {
                    throw bad(source, "tensorTypes." + e.getKey() + " must be a non-negative integer", null);
                }
                types.put(e.getKey(), e.getValue().intValue());
            }
            ModelSummary summary = new ModelSummary(text(root, "architecture", source),
                    nonNegative(root, "parameterCount", source), text(root, "quantization", source), types,
                    nonNegative(root, "contextLength", source));
            Instant created;
            try {
                created = Instant.parse(text(root, "created", source));
            } catch (DateTimeParseException e) {
                throw bad(source, "field 'created' is not an ISO-8601 instant like 2025-01-31T12:00:00Z", e);
            }
            java.util.Optional<ModelManifest.AdapterRef> adapter = java.util.Optional.empty();
            JsonNode adapterNode = root.get("adapter");
            if (adapterNode != null) {
                if (!adapterNode.isObject()) {
                    throw bad(source, "field 'adapter' must be an object with cid, size and sourceFile", null);
                }
                adapter = java.util.Optional.of(new ModelManifest.AdapterRef(ContentId.parse(text(adapterNode, "cid", source + " adapter")),
                        nonNegative(adapterNode, "size", source + " adapter"), text(adapterNode, "sourceFile", source + " adapter")));
            }
            return new ModelManifest(name, cid, size, format, summary, created, text(root, "sourceFile", source), adapter);
        } catch (ModelStoreException e) {
            throw e;
        } catch (HyphaException | IllegalArgumentException e) {
            // A bad name or content id inside the file: the file is what is wrong, so name it.
            throw bad(source, e.getMessage(), e);
        }
    }

    private static String text(JsonNode root, String field, String source) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            throw bad(source, "field '" + field + "' is missing or not a string", null);
        }
        return node.textValue();
    }

    private static long integer(JsonNode root, String field, String source) {
        JsonNode node = root.get(field);
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
            throw bad(source, "field '" + field + "' is missing or not an integer", null);
        }
        return node.longValue();
    }

    private static long nonNegative(JsonNode root, String field, String source) {
        long value = integer(root, field, source);
        if (value < 0) {
            throw bad(source, "field '" + field + "' must not be negative, got " + value, null);
        }
        return value;
    }

    private static ModelStoreException bad(String source, String problem, Throwable cause) {
        return new ModelStoreException(ErrorCategory.INPUT, "model manifest " + source + " " + problem
                + " (remove it with 'hypha model rm' and import the model again)", cause);
    }

    /** UTF-8 text of {@link #write}, for tests and diagnostics. */
    static String toText(ModelManifest manifest) {
        return new String(write(manifest), StandardCharsets.UTF_8);
    }
}

package dev.hypha.ml.train.export;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format (Hugging Face): an unsigned little-endian 64-bit header length N, N bytes of UTF-8 JSON
 * ({@code {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ..., "__metadata__": {...}}},
 * padded with spaces), then the tensors' little-endian bytes, offsets relative to the end of the header. We write F32
 * only, tensors in name order back to back and the header padded to a multiple of 8 bytes, as the reference
 * serializer does (its order is dtype alignment, then name: the same for one dtype). {@link #decode} checks a file as
 * the reference reader does (header ≤ 100 MB and inside the file, starts with '{', known dtypes, each tensor's byte
 * size = product of its shape × dtype size, offsets contiguous from 0 to exactly the end of the file, metadata
 * string to string, no duplicate keys), so an export is verified by reading it back.
 */
public final class Safetensors {
    private Safetensors() {}

    /** The reference implementation's limit on the header (a hostile length never makes us allocate more). */
    public static final long MAX_HEADER = 100_000_000;
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(Map.entry("BOOL", 1), Map.entry("U8", 1),
            Map.entry("I8", 1), Map.entry("F8_E5M2", 1), Map.entry("F8_E4M3", 1), Map.entry("I16", 2), Map.entry("U16", 2),
            Map.entry("F16", 2), Map.entry("BF16", 2), Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("F32", 4),
            Map.entry("F64", 8), Map.entry("I64", 8), Map.entry("U64", 8));

    /** A float tensor to write: row-major values of {@code shape}. */
    public record F32(String name, long[] shape, float[] values) {}

    /** A tensor read back: its dtype, shape and where its bytes are in the file (absolute offsets). */
    public record Entry(String name, String dtype, long[] shape, long start, long end) {}

    /** A parsed file: tensors in offset order and the metadata. */
    public record Contents(List<Entry> tensors, Map<String, String> metadata, byte[] bytes) {
        /** The values of an F32 tensor. */
        public float[] floats(Entry e) {
            if (!e.dtype().equals("F32")) {
                throw new IllegalArgumentException(e.name() + " is " + e.dtype() + ", not F32");
            }
            float[] out = new float[(int) ((e.end() - e.start()) / 4)];
            ByteBuffer.wrap(bytes, (int) e.start(), (int) (e.end() - e.start())).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
    }

    public static byte[] encode(List<F32> tensors, Map<String, String> metadata) {
        List<F32> ordered = new ArrayList<>(tensors);
        ordered.sort(Comparator.comparing(F32::name));
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (F32 t : ordered) {
            long count = 1;
            for (long d : t.shape()) {
                count = Math.multiplyExact(count, d);
            }
            if (count != t.values().length) {
                throw new IllegalArgumentException(t.name() + ": shape holds " + count + " values, got " + t.values().length);
            }
            if (t.name().equals("__metadata__") || header.has(t.name())) {
                throw new IllegalArgumentException("tensor name '" + t.name() + "' is reserved or repeated");
            }
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", "F32");
            ArrayNode shape = e.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            e.putArray("data_offsets").add(offset).add(offset + 4 * count);
            offset += 4 * count;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (F32 t : ordered) {
            for (float v : t.values()) {
                out.putFloat(v);
            }
        }
        return out.array();
    }

    /** Parses and checks a safetensors file; any defect is an INPUT error naming {@code source}. */
    public static Contents decode(byte[] bytes, String source) {
        if (bytes.length < 8) {
            throw error(source, "is " + bytes.length + " bytes, shorter than the 8-byte header length");
        }
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > MAX_HEADER || n > bytes.length - 8) {
            throw error(source, "declares a header of " + Long.toUnsignedString(n) + " bytes; the file has " + (bytes.length - 8)
                    + " after the length and the limit is " + MAX_HEADER);
        }
        if (bytes[8] != '{') {
            throw error(source, "header does not start with '{'");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8).stripTrailing());
        } catch (JsonProcessingException e) {
            throw error(source, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (!(header instanceof ObjectNode)) {
            throw error(source, "header is not a JSON object");
        }
        long dataStart = 8 + n;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> f : header.properties()) {
            if (f.getKey().equals("__metadata__")) {
                if (!f.getValue().isObject()) {
                    throw error(source, "__metadata__ must be an object of strings");
                }
                f.getValue().properties().forEach(m -> {
                    if (!m.getValue().isTextual()) {
                        throw error(source, "__metadata__." + m.getKey() + " must be a string");
                    }
                    metadata.put(m.getKey(), m.getValue().asText());
                });
                continue;
            }
            entries.add(entry(source, f.getKey(), f.getValue(), dataStart));
        }
        entries.sort(Comparator.comparingLong(Entry::start).thenComparingLong(Entry::end));
        long expected = dataStart;
        for (Entry e : entries) {
            if (e.start() != expected) {
                throw error(source, "tensor " + e.name() + " starts at data offset " + (e.start() - dataStart) + ", expected "
                        + (expected - dataStart) + " (tensors must be contiguous, without holes or overlaps)");
            }
            expected = e.end();
        }
        if (expected != bytes.length) {
            throw error(source, "tensors end at data offset " + (expected - dataStart) + " but the data is "
                    + (bytes.length - dataStart) + " bytes");
        }
        return new Contents(List.copyOf(entries), Map.copyOf(metadata), bytes);
    }

    private static Entry entry(String source, String name, JsonNode node, long dataStart) {
        String what = "tensor " + name;
        if (!node.isObject() || node.size() != 3 || !node.path("dtype").isTextual() || !node.path("shape").isArray()
                || !node.path("data_offsets").isArray() || node.path("data_offsets").size() != 2) {
            throw error(source, what + " must have exactly dtype, shape and data_offsets [begin, end]");
        }
        String dtype = node.get("dtype").asText();
        Integer size = DTYPE_BYTES.get(dtype);
        if (size == null) {
            throw error(source, what + " has unknown dtype " + dtype);
        }
        JsonNode shapeNode = node.get("shape");
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw error(source, what + " has a shape entry that is not a non-negative integer: " + d);
            }
            shape[i] = d.asLong();
            count = multiply(source, what, count, shape[i]);
        }
        long[] offsets = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode o = node.get("data_offsets").get(i);
            if (!o.isIntegralNumber() || !o.canConvertToLong() || o.asLong() < 0) {
                throw error(source, what + " has a data offset that is not a non-negative integer: " + o);
            }
            offsets[i] = o.asLong();
        }
        if (offsets[1] < offsets[0] || offsets[1] - offsets[0] != multiply(source, what, count, size)) {
            throw error(source, what + " (" + dtype + " " + java.util.Arrays.toString(shape) + ") needs " + count * size
                    + " bytes, its data_offsets " + java.util.Arrays.toString(offsets) + " give " + (offsets[1] - offsets[0]));
        }
        return new Entry(name, dtype, shape, dataStart + offsets[0], dataStart + offsets[1]);
    }

    private static long multiply(String source, String what, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw error(source, what + " has a shape whose size overflows");
        }
    }

    private static HyphaException error(String source, String what) {
        return new HyphaException(ErrorCategory.INPUT, "safetensors " + source + " " + what);
    }
}

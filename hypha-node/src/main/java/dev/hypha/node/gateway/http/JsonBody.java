package dev.hypha.node.gateway.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.node.gateway.GatewayException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads a request body as one JSON object with bounds, because bodies come from anyone who can reach the port: at
 * most {@link #MAX_BYTES} bytes (read no further than that, whatever Content-Length claims), nesting at most
 * {@link #MAX_DEPTH} deep, and nothing after the object. Errors say what was wrong and where.
 */
public final class JsonBody {
    /** Largest body accepted: room for a long chat history, far below what would hurt the heap. */
    public static final int MAX_BYTES = 16 * 1024 * 1024;
    /** Deepest nesting accepted; real requests need about 6 (tool schemas a little more). */
    public static final int MAX_DEPTH = 64;

    /** The mapper every route writes and reads with. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH).maxStringLength(MAX_BYTES).maxNumberLength(100).build());
    }

    private JsonBody() {
    }

    /** Parses {@code in} (at most {@link #MAX_BYTES}) as a JSON object. */
    public static ObjectNode read(InputStream in) {
        byte[] bytes;
        try {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        }
        if (bytes.length > MAX_BYTES) {
            throw GatewayException.badRequest("request body is larger than " + MAX_BYTES + " bytes");
        }
        return parse(bytes);
    }

    /** Parses {@code bytes} as a JSON object. */
    public static ObjectNode parse(byte[] bytes) {
        if (bytes.length == 0) {
            throw GatewayException.badRequest("missing request body (a JSON object)");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (StreamConstraintsException e) {
            throw GatewayException.badRequest("request body is too deeply nested or too large: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw GatewayException.badRequest("request body is not valid JSON: " + plain(e.getOriginalMessage())
                    + (e.getLocation() != null ? " (at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")" : ""));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        }
        if (node == null || node.isMissingNode()) {
            throw GatewayException.badRequest("missing request body (a JSON object)");
        }
        if (!(node instanceof ObjectNode object)) {
            throw GatewayException.badRequest("request body must be a JSON object, got " + Fields.kind(node));
        }
        return object;
    }

    /**
     * Jackson's message without its source description ("start marker at [Source: REDACTED ...]"), which says nothing
     * to a client; the line and column are added separately.
     */
    private static String plain(String message) {
        return message.replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)", "")
                .replaceAll("\\s*at \\[Source:[^\\]]*\\]", "").strip();
    }

    /** {@code value} as JSON bytes. */
    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a response as JSON", e);
        }
    }
}

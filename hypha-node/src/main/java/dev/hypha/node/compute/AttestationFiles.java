package dev.hypha.node.compute;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.compute.ResourceAttestation;
import dev.hypha.chain.compute.Resources;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.crypto.Signature;
import dev.hypha.core.errors.HyphaException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;

/**
 * The file an auditor hands a provider ({@code hypha compute attest} writes it, {@code hypha compute offer
 * --attestation} reads it): one JSON object with the {@link ResourceAttestation}'s fields, numbers as JSON integers,
 * addresses as 0x hex, the signature as 65 bytes of 0x hex. Reading is strict (the file comes from someone else): at
 * most {@link #MAX_BYTES}, no unknown or missing field, each error naming the field and what it should be. Whether the
 * signature is the auditor's is {@link ComputeOffer#check}'s.
 */
public final class AttestationFiles {
    /** What the {@code type} field says. */
    public static final String TYPE = "hypha-audited-resources/1";
    /** The largest file read (a real one is under 600 bytes). */
    public static final int MAX_BYTES = 4096;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final List<String> FIELDS = List.of("type", "chainId", "market", "auditor", "provider", "cores",
            "memoryMiB", "accelerators", "expiresAt", "signature");

    private AttestationFiles() {}

    /** The file's text (pretty-printed, fields in a fixed order, a newline at the end). */
    public static String toJson(ResourceAttestation a) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", TYPE);
        n.put("chainId", a.chainId());
        n.put("market", a.market().toChecksumString());
        n.put("auditor", a.auditor().toChecksumString());
        n.put("provider", a.provider().toChecksumString());
        n.put("cores", a.resources().cores());
        n.put("memoryMiB", a.resources().memoryMiB());
        n.put("accelerators", a.resources().accelerators());
        n.put("expiresAt", a.expiresAt());
        n.put("signature", a.signature().toHex());
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // an ObjectNode of strings and numbers always writes
        }
    }

    /**
     * Reads an attestation file's bytes.
     *
     * @param source names the file in errors
     * @throws HyphaException (INPUT) naming the file and the field that is wrong
     */
    public static ResourceAttestation parse(String source, byte[] bytes) {
        String where = "attestation " + source;
        if (bytes.length > MAX_BYTES) {
            throw HyphaException.input(where + " is " + bytes.length + " bytes; an attestation file is at most " + MAX_BYTES);
        }
        JsonNode n;
        try {
            n = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw HyphaException.input(where + " is not JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw HyphaException.input(where + " must be a JSON object with the fields " + FIELDS);
        }
        for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw HyphaException.input(where + ": unknown field '" + name + "' (the fields are " + FIELDS + ")");
            }
        }
        if (!TYPE.equals(text(n, "type", where))) {
            throw HyphaException.input(where + ": field 'type' must be \"" + TYPE + "\"");
        }
        long chainId = integer(n, "chainId", 1, Long.MAX_VALUE, where);
        Address market = address(n, "market", where);
        Address auditor = address(n, "auditor", where);
        Address provider = address(n, "provider", where);
        Resources resources = new Resources(integer(n, "cores", 0, 0xFFFF_FFFFL, where),
                integer(n, "memoryMiB", 0, 0xFFFF_FFFFL, where), integer(n, "accelerators", 0, 0xFFFF_FFFFL, where));
        long expiresAt = integer(n, "expiresAt", 1, Long.MAX_VALUE, where); // the contract's uint64, capped at Java's long
        Signature signature;
        try {
            signature = Signature.fromBytes(Hex.decode(text(n, "signature", where), Signature.LENGTH, "the signature"));
        } catch (HyphaException e) {
            throw HyphaException.input(where + ": field 'signature': " + e.getMessage());
        }
        return new ResourceAttestation(chainId, market, auditor, provider, resources, expiresAt, signature);
    }

    private static JsonNode field(JsonNode n, String name, String where) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            throw HyphaException.input(where + ": field '" + name + "' is missing");
        }
        return v;
    }

    private static String text(JsonNode n, String name, String where) {
        JsonNode v = field(n, name, where);
        if (!v.isTextual()) {
            throw HyphaException.input(where + ": field '" + name + "' must be a string");
        }
        return v.asText();
    }

    private static long integer(JsonNode n, String name, long min, long max, String where) {
        JsonNode v = field(n, name, where);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw HyphaException.input(where + ": field '" + name + "' must be a whole number " + min + " .. " + max
                    + ", got " + abbreviate(v.toString()));
        }
        return v.asLong();
    }

    private static Address address(JsonNode n, String name, String where) {
        try {
            return Address.parse(text(n, name, where));
        } catch (HyphaException e) {
            if (e.getMessage().startsWith(where)) throw e;
            throw HyphaException.input(where + ": field '" + name + "': " + e.getMessage());
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}

package dev.hypha.core.car;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The CARv1 header, {@code {"roots": [CID...], "version": 1}} in dag-cbor: a definite-length map with its keys in
 * dag-cbor's canonical order (shorter key first, so "roots" before "version"), each root a CID as CBOR tag 42 over a
 * byte string of {@code 0x00} (the identity multibase prefix) and the binary CID. Jackson's CBOR dataformat writes and
 * reads the CBOR; this class only says what goes where.
 *
 * <p>Roots are kept as binary CIDs, not {@link dev.hypha.core.cid.ContentId}s: the Trustless Gateway's probe answers a
 * CAR rooted at the identity CID {@code bafkqaaa}, which is no content id Hypha stores, and a client is told to ignore
 * the roots anyway.
 */
public final class CarHeader {
    /** The most bytes a header may take; one with a few roots needs under 200. */
    public static final int MAX_BYTES = 1 << 16;
    /** The most roots read from a header (a gateway's CAR has one). */
    public static final int MAX_ROOTS = 64;
    private static final int CID_TAG = 42;
    private static final CBORFactory CBOR = CBORFactory.builder().build();

    private CarHeader() {}

    /** The dag-cbor bytes of a version 1 header with these roots (binary CIDs). */
    public static byte[] encode(List<byte[]> roots) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CBORGenerator g = CBOR.createGenerator(out)) {
            g.writeStartObject(null, 2); // with a size, Jackson writes a definite-length map, as dag-cbor requires
            g.writeFieldName("roots");
            g.writeStartArray(null, roots.size());
            for (byte[] cid : roots) {
                byte[] tagged = new byte[cid.length + 1]; // leading 0x00: the identity multibase
                System.arraycopy(cid, 0, tagged, 1, cid.length);
                g.writeTag(CID_TAG);
                g.writeBinary(tagged);
            }
            g.writeEndArray();
            g.writeFieldName("version");
            g.writeNumber(1);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory never fails", e);
        }
        return out.toByteArray();
    }

    /**
     * The roots of a header, checking that it is a map with {@code version} 1 and a {@code roots} array of tagged
     * CIDs. Other keys are skipped (a CARv1 header may carry more).
     *
     * @throws HyphaException (INPUT) naming what is wrong
     */
    public static List<byte[]> decode(byte[] header) {
        List<byte[]> roots = null;
        Long version = null;
        try (CBORParser p = CBOR.createParser(header)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw HyphaException.input("CAR header is not a CBOR map");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken value = p.nextToken();
                switch (key) {
                    case "version" -> {
                        if (value != JsonToken.VALUE_NUMBER_INT) throw HyphaException.input("CAR header's version is not an integer");
                        version = p.getLongValue();
                    }
                    case "roots" -> roots = readRoots(p, value);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw HyphaException.input("CAR header has bytes after its map");
            }
        } catch (IOException e) {
            throw HyphaException.input("CAR header is not valid CBOR: " + e.getMessage(), e);
        }
        if (version == null || version != 1) {
            throw HyphaException.input("CAR version " + version + " is not supported (expected 1: CARv1)");
        }
        if (roots == null) throw HyphaException.input("CAR header has no roots");
        return roots;
    }

    private static List<byte[]> readRoots(CBORParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_ARRAY) throw HyphaException.input("CAR header's roots is not an array");
        List<byte[]> roots = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (roots.size() == MAX_ROOTS) throw HyphaException.input("CAR header has more than " + MAX_ROOTS + " roots");
            if (p.currentToken() != JsonToken.VALUE_EMBEDDED_OBJECT || p.getCurrentTag() != CID_TAG) {
                throw HyphaException.input("CAR header root " + roots.size() + " is not a CID (CBOR tag 42 over bytes)");
            }
            byte[] tagged = p.getBinaryValue();
            if (tagged.length < 2 || tagged[0] != 0) {
                throw HyphaException.input("CAR header root " + roots.size() + " lacks the 0x00 prefix of a dag-cbor CID");
            }
            roots.add(Arrays.copyOfRange(tagged, 1, tagged.length));
        }
        return roots;
    }
}

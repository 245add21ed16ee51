package dev.hypha.core.cid;

import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The dag-pb codec (IPLD spec "DAG-PB"): a protobuf {@code PBNode { repeated PBLink Links = 2; optional bytes Data = 1 }}
 * with {@code PBLink { optional bytes Hash = 1; optional string Name = 2; optional uint64 Tsize = 3 }}.
 *
 * <p>Hand-written rather than generated: two tiny messages do not justify a protobuf dependency, and the spec demands
 * a canonical form a generic protobuf library does not give: Links are written before Data (field 2 before field 1),
 * fields in a fixed order, no unknown fields, minimal varints. The decoder enforces that same form, so a block has one
 * meaning and re-encoding a decoded block gives back the same bytes.
 */
public final class DagPb {
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_BYTES = 2;

    private DagPb() {}

    /** One link: child CID, name (empty in UnixFS files) and the child's cumulative serialized size. */
    public record Link(ContentId hash, String name, long tsize) {
        public Link {
            Objects.requireNonNull(hash, "hash");
            Objects.requireNonNull(name, "name");
            if (tsize < 0) throw new IllegalArgumentException("Tsize must not be negative: " + tsize);
        }
    }

    /** A node: its links and its data (UnixFS {@code Data} bytes; null when absent). */
    public record Node(List<Link> links, byte[] data) {
        public Node {
            links = List.copyOf(links);
            data = data == null ? null : data.clone();
        }

        @Override
        public byte[] data() {
            return data == null ? null : data.clone();
        }
    }

    /** Encodes canonically: every link (Hash, Name, Tsize), then Data. */
    public static byte[] encode(Node node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Link link : node.links()) {
            ByteArrayOutputStream linkOut = new ByteArrayOutputStream(48);
            writeBytesField(1, link.hash().bytes(), linkOut);
            writeBytesField(2, link.name().getBytes(StandardCharsets.UTF_8), linkOut);
            writeTag(3, WIRE_VARINT, linkOut);
            Varint.write(link.tsize(), linkOut);
            writeBytesField(2, linkOut.toByteArray(), out);
        }
        if (node.data != null) {
            writeBytesField(1, node.data, out);
        }
        return out.toByteArray();
    }

    /**
     * Decodes a dag-pb block, accepting only the canonical form.
     *
     * @throws HyphaException (INPUT) naming the first thing that is wrong
     */
    public static Node decode(byte[] block) {
        Varint.ByteReader in = new Varint.ByteReader(block);
        List<Link> links = new ArrayList<>();
        byte[] data = null;
        while (in.hasMore()) {
            long tag = Varint.read(in, "dag-pb field tag");
            if (tag == tag(2, WIRE_BYTES)) {
                if (data != null) {
                    throw HyphaException.input("dag-pb Links after Data (the canonical form writes Links first)");
                }
                long length = Varint.read(in, "dag-pb link length");
                links.add(decodeLink(in.take(length, "dag-pb link")));
            } else if (tag == tag(1, WIRE_BYTES)) {
                if (data != null) throw HyphaException.input("dag-pb node has Data twice");
                long length = Varint.read(in, "dag-pb Data length");
                data = in.take(length, "dag-pb Data");
            } else {
                throw HyphaException.input("unexpected field tag " + tag + " in dag-pb node (only Links=2 and Data=1 exist)");
            }
        }
        return new Node(links, data);
    }

    private static Link decodeLink(byte[] bytes) {
        Varint.ByteReader in = new Varint.ByteReader(bytes);
        ContentId hash = null;
        String name = null;
        Long tsize = null;
        int lastField = 0;
        while (in.hasMore()) {
            long tag = Varint.read(in, "dag-pb link field tag");
            int field = (int) Math.min(tag >>> 3, Integer.MAX_VALUE);
            if (field <= lastField) {
                throw HyphaException.input("dag-pb link fields out of order or repeated (field " + field + ")");
            }
            lastField = field;
            if (tag == tag(1, WIRE_BYTES)) {
                byte[] cidBytes = in.take(Varint.read(in, "dag-pb link Hash length"), "dag-pb link Hash");
                hash = ContentId.fromBytes(cidBytes);
            } else if (tag == tag(2, WIRE_BYTES)) {
                name = utf8(in.take(Varint.read(in, "dag-pb link Name length"), "dag-pb link Name"));
            } else if (tag == tag(3, WIRE_VARINT)) {
                tsize = Varint.read(in, "dag-pb link Tsize");
            } else {
                throw HyphaException.input("unexpected field tag " + tag + " in dag-pb link (only Hash=1, Name=2, Tsize=3 exist)");
            }
        }
        if (hash == null) throw HyphaException.input("dag-pb link without a Hash");
        if (name == null || tsize == null) {
            throw HyphaException.input("dag-pb link without Name or Tsize (UnixFS file links always carry both)");
        }
        return new Link(hash, name, tsize);
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw HyphaException.input("dag-pb link Name is not valid UTF-8", e);
        }
    }

    static long tag(int field, int wireType) {
        return ((long) field << 3) | wireType;
    }

    static void writeTag(int field, int wireType, ByteArrayOutputStream out) {
        Varint.write(tag(field, wireType), out);
    }

    static void writeBytesField(int field, byte[] value, ByteArrayOutputStream out) {
        writeTag(field, WIRE_BYTES, out);
        Varint.write(value.length, out);
        out.writeBytes(value);
    }
}

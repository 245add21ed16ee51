package dev.hypha.core.cid;

import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The UnixFS {@code Data} message of a file node: {@code Type=File (1), filesize (3), blocksizes (4, repeated, not
 * packed)}, written in field order exactly as the JavaScript and Go importers write it. Only what a unixfs-v1-2025
 * file node holds is supported: no inline data, mode, mtime or directories (Hypha addresses files, one id each).
 *
 * @param fileSize   total bytes of the file below this node
 * @param blockSizes content bytes below each link, in link order
 */
public record UnixFsData(long fileSize, List<Long> blockSizes) {
    /** UnixFS DataType.File. */
    public static final int TYPE_FILE = 2;

    public UnixFsData {
        blockSizes = List.copyOf(blockSizes);
    }

    /** Protobuf bytes: Type, filesize, then one blocksizes field per link. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + 6 * blockSizes.size());
        DagPb.writeTag(1, 0, out);
        Varint.write(TYPE_FILE, out);
        DagPb.writeTag(3, 0, out);
        Varint.write(fileSize, out);
        for (long size : blockSizes) {
            DagPb.writeTag(4, 0, out);
            Varint.write(size, out);
        }
        return out.toByteArray();
    }

    /**
     * Decodes a file node's Data, in the canonical field order.
     *
     * @throws HyphaException (INPUT) for other node types, inline data, unknown fields or malformed varints
     */
    public static UnixFsData decode(byte[] data) {
        if (data == null) throw HyphaException.input("dag-pb node has no UnixFS Data");
        Varint.ByteReader in = new Varint.ByteReader(data);
        if (!in.hasMore() || Varint.read(in, "UnixFS tag") != DagPb.tag(1, 0)) {
            throw HyphaException.input("UnixFS Data must start with its Type");
        }
        long type = Varint.read(in, "UnixFS Type");
        if (type != TYPE_FILE) {
            throw HyphaException.input("UnixFS node of type " + type + " is not a file (expected File = 2)");
        }
        if (!in.hasMore() || Varint.read(in, "UnixFS tag") != DagPb.tag(3, 0)) {
            throw HyphaException.input("UnixFS file node without filesize (or with inline data, which this profile never writes)");
        }
        long fileSize = Varint.read(in, "UnixFS filesize");
        List<Long> sizes = new ArrayList<>();
        while (in.hasMore()) {
            long tag = Varint.read(in, "UnixFS tag");
            if (tag != DagPb.tag(4, 0)) {
                throw HyphaException.input("unexpected UnixFS field tag " + tag + " in a file node (expected blocksizes)");
            }
            sizes.add(Varint.read(in, "UnixFS blocksize"));
        }
        return new UnixFsData(fileSize, sizes);
    }
}

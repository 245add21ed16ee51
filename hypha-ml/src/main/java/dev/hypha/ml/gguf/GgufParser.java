package dev.hypha.ml.gguf;

import dev.hypha.ml.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the header, metadata and tensor table of a GGUF image held in one {@link MemorySegment}.
 *
 * <p>Every count and length is checked against the bytes that remain before anything is allocated, so a truncated or
 * hostile file fails with a {@link GgufFormatException} saying what was read where, never with an out-of-memory or an
 * index error. The checks mirror ggml's gguf.cpp reader, so files we accept are files llama.cpp accepts.
 */
final class GgufParser {
    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
    static final int DEFAULT_ALIGNMENT = 32;
    static final int MAX_DIMS = 4;
    /** Deepest array nesting accepted; real files use none, and unbounded nesting would overflow the stack. */
    static final int MAX_ARRAY_DEPTH = 8;
    /** ggml's GGML_MAX_NAME: tensor names must be shorter than this many bytes. */
    static final int MAX_TENSOR_NAME = 64;

    record Result(int version, Map<String, GgufValue> metadata, List<GgufTensor> tensors, long alignment, long dataStart) {}

    private final MemorySegment seg;
    private final String source;
    private final long size;
    private long pos;

    private GgufParser(MemorySegment seg, String source) {
        this.seg = seg;
        this.source = source;
        this.size = seg.byteSize();
    }

    static Result parse(MemorySegment seg, String source) {
        return new GgufParser(seg, source).parse();
    }

    private Result parse() {
        need(4, "magic");
        int magic = seg.get(GgufArrayViews.U32, 0);
        if (magic != MAGIC) {
            throw error("not a GGUF file: magic bytes at offset 0 are " + hex4(magic) + ", expected 47 47 55 46 (\"GGUF\")");
        }
        pos = 4;
        int version = u32("version");
        if (version == 1) {
            throw error("GGUF version 1 is not supported (only versions 2 and 3)");
        }
        if (version != 2 && version != 3) {
            if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
                throw error("big-endian GGUF files are not supported (version field reads " + Integer.reverseBytes(version)
                        + " byte-swapped)");
            }
            throw error("unsupported GGUF version " + Integer.toUnsignedString(version) + ", expected 2 or 3");
        }
        long tensorCount = u64("tensor count");
        long kvCount = u64("metadata key/value count");
        // Cheap plausibility: each kv needs >= 8 (key len) + 4 (type) + 1 bytes; each tensor info >= 8 + 4 + 8 + 4 + 8.
        checkCount(kvCount, 13, "metadata key/value count", 16);
        checkCount(tensorCount, 8 + 4 + 8 + 4 + 8, "tensor count", 8);

        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long keyAt = pos;
            String key = string("key of metadata entry " + i);
            if (metadata.containsKey(key)) {
                throw error("duplicate metadata key '" + key + "' at offset " + keyAt);
            }
            long typeAt = pos;
            long typeId = Integer.toUnsignedLong(u32("value type of metadata key '" + key + "'"));
            GgufValueType type = GgufValueType.fromIdOrNull(typeId);
            if (type == null) {
                throw error("metadata key '" + key + "' has unknown value type " + typeId + " at offset " + typeAt
                        + " (valid types are 0..12)");
            }
            metadata.put(key, value(type, "metadata key '" + key + "'", 0));
        }

        long alignment = DEFAULT_ALIGNMENT;
        GgufValue align = metadata.get("general.alignment");
        if (align != null) {
            if (!(align instanceof GgufValue.UInt32(long a))) {
                throw error("general.alignment must be a uint32, found " + align.type().specName());
            }
            if (a == 0 || Long.bitCount(a) != 1) {
                throw error("general.alignment must be a power of two, found " + a);
            }
            alignment = a;
        }

        record Info(String name, GgmlType type, long[] shape, long offset, long bytes) {}
        List<Info> infos = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = string("name of tensor " + i);
            String what = "tensor '" + name + "'";
            if (!names.add(name)) {
                throw error("duplicate tensor name '" + name + "'");
            }
            if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= MAX_TENSOR_NAME) {
                throw error(what + ": name is longer than " + (MAX_TENSOR_NAME - 1) + " bytes");
            }
            long nDims = Integer.toUnsignedLong(u32("dimension count of " + what));
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw error(what + " has " + nDims + " dimensions, expected 1 to " + MAX_DIMS);
            }
            long[] shape = new long[(int) nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                shape[d] = u64("dimension " + d + " of " + what);
                if (shape[d] <= 0) {
                    throw error(what + " dimension " + d + " is " + Long.toUnsignedString(shape[d]) + ", expected > 0");
                }
                try {
                    elements = Math.multiplyExact(elements, shape[d]);
                } catch (ArithmeticException e) {
                    throw error(what + " element count overflows 64 bits");
                }
            }
            long typeAt = pos;
            int typeId = u32("type of " + what);
            GgmlType type;
            try {
                type = GgmlType.fromId(typeId);
            } catch (IllegalArgumentException e) {
                throw error(what + " has unknown ggml type id " + Integer.toUnsignedString(typeId) + " at offset " + typeAt);
            }
            if (shape[0] % type.blockSize() != 0) {
                throw error(what + " of type " + type + ": row length " + shape[0] + " is not a multiple of the block size "
                        + type.blockSize());
            }
            long bytes;
            try {
                bytes = type.bytesFor(elements);
            } catch (ArithmeticException e) {
                throw error(what + " byte size overflows 64 bits");
            }
            long offset = u64("data offset of " + what);
            infos.add(new Info(name, type, shape, offset, bytes));
        }

        long dataStart = alignUp(pos, alignment);
        if (tensorCount > 0 && dataStart > size) {
            throw error("data section would start at offset " + dataStart + " (after alignment padding) but the file ends at "
                    + size);
        }
        List<GgufTensor> tensors = new ArrayList<>(infos.size());
        long expected = 0;
        for (Info info : infos) {
            String what = "tensor '" + info.name + "'";
            if (info.offset != expected) {
                throw error(what + " data offset " + Long.toUnsignedString(info.offset) + " is not where the previous tensors end ("
                        + expected + "): tensors must be stored in table order, each padded to the alignment " + alignment);
            }
            long end;
            try {
                end = Math.addExact(Math.addExact(dataStart, info.offset), info.bytes);
            } catch (ArithmeticException e) {
                throw error(what + " data range overflows 64 bits");
            }
            if (end > size) {
                throw error(what + " data [offset " + (dataStart + info.offset) + ", " + info.bytes
                        + " bytes] extends past end of file (size " + size + ")");
            }
            tensors.add(new GgufTensor(info.name, info.type, info.shape, info.offset,
                    seg.asSlice(dataStart + info.offset, info.bytes)));
            expected = alignUp(info.offset + info.bytes, alignment);
        }
        return new Result(version, Collections.unmodifiableMap(metadata), List.copyOf(tensors), alignment, dataStart);
    }

    private GgufValue value(GgufValueType type, String what, int depth) {
        if (type.size() > 0) {
            need(type.size(), what);
            if (type == GgufValueType.BOOL) {
                checkBool(pos, what);
            }
            GgufValue v = GgufArrayViews.readFixed(seg, pos, type);
            pos += type.size();
            return v;
        }
        if (type == GgufValueType.STRING) {
            return new GgufValue.Str(string(what));
        }
        return array(what, depth);
    }

    private GgufValue.Array array(String what, int depth) {
        if (depth >= MAX_ARRAY_DEPTH) {
            throw error(what + ": arrays nested deeper than " + MAX_ARRAY_DEPTH + " levels at offset " + pos);
        }
        long typeAt = pos;
        long typeId = Integer.toUnsignedLong(u32("element type of array " + what));
        GgufValueType elemType = GgufValueType.fromIdOrNull(typeId);
        if (elemType == null) {
            throw error(what + ": array has unknown element type " + typeId + " at offset " + typeAt + " (valid types are 0..12)");
        }
        long countAt = pos;
        long count = u64("element count of array " + what);
        if (count < 0 || count > Integer.MAX_VALUE
                || count > (size - pos) / elemType.minSize()) {
            throw error(what + ": array of " + Long.toUnsignedString(count) + " " + elemType.specName() + " values at offset "
                    + countAt + " needs at least " + (count < 0 ? "2^64" : Long.toString(count)) + " x " + elemType.minSize()
                    + " bytes but only " + (size - pos) + " remain in the file");
        }
        int n = (int) count;
        return switch (elemType) {
            case STRING -> {
                long start = pos;
                long[] checkpoints = new long[(n + GgufArrayViews.STRING_CHECKPOINT - 1) / GgufArrayViews.STRING_CHECKPOINT];
                for (int i = 0; i < n; i++) {
                    if (i % GgufArrayViews.STRING_CHECKPOINT == 0) {
                        checkpoints[i / GgufArrayViews.STRING_CHECKPOINT] = pos - start;
                    }
                    skipString(what + " element " + i);
                }
                yield new GgufValue.Array(GgufValueType.STRING,
                        new GgufArrayViews.StringView(n, seg.asSlice(start, pos - start), checkpoints));
            }
            case ARRAY -> {
                List<GgufValue> inner = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    inner.add(array(what + " element " + i, depth + 1));
                }
                yield new GgufValue.Array(GgufValueType.ARRAY, inner);
            }
            default -> {
                long bytes = count * elemType.size(); // count <= remaining / size, cannot overflow
                if (elemType == GgufValueType.BOOL) {
                    for (long i = 0; i < bytes; i++) {
                        checkBool(pos + i, what + " element " + i);
                    }
                }
                MemorySegment data = seg.asSlice(pos, bytes);
                pos += bytes;
                yield new GgufValue.Array(elemType, new GgufArrayViews.FixedView(elemType, n, data));
            }
        };
    }

    private void checkBool(long at, String what) {
        byte b = seg.get(ValueLayout.JAVA_BYTE, at);
        if (b != 0 && b != 1) {
            throw error(what + ": bool at offset " + at + " is " + Byte.toUnsignedInt(b) + ", expected 0 or 1");
        }
    }

    private void checkCount(long count, int minBytesEach, String what, long at) {
        if (count < 0 || count > (size - pos) / minBytesEach) {
            throw error(what + " " + Long.toUnsignedString(count) + " at offset " + at + " cannot fit in the "
                    + (size - pos) + " bytes that remain in the file");
        }
    }

    private String string(String what) {
        long lenAt = pos;
        long len = u64("length of " + what);
        if (len < 0 || len > size - pos) {
            throw error("truncated at offset " + lenAt + " while reading " + what + ": string length "
                    + Long.toUnsignedString(len) + " exceeds the " + (size - pos) + " bytes that remain");
        }
        String s = GgufArrayViews.decode(seg, pos, len);
        pos += len;
        return s;
    }

    private void skipString(String what) {
        long lenAt = pos;
        long len = u64("length of " + what);
        if (len < 0 || len > size - pos) {
            throw error("truncated at offset " + lenAt + " while reading " + what + ": string length "
                    + Long.toUnsignedString(len) + " exceeds the " + (size - pos) + " bytes that remain");
        }
        pos += len;
    }

    private int u32(String what) {
        need(4, what);
        int v = seg.get(GgufArrayViews.U32, pos);
        pos += 4;
        return v;
    }

    private long u64(String what) {
        need(8, what);
        long v = seg.get(GgufArrayViews.U64, pos);
        pos += 8;
        return v;
    }

    private void need(long n, String what) {
        if (n > size - pos) {
            throw error("truncated at offset " + pos + " while reading " + what + " (need " + n + " bytes, "
                    + (size - pos) + " left)");
        }
    }

    static long alignUp(long offset, long alignment) {
        return Math.multiplyExact(Math.ceilDiv(offset, alignment), alignment);
    }

    private GgufFormatException error(String message) {
        return new GgufFormatException(source + ": " + message);
    }

    private static String hex4(int v) {
        return String.format("%02X %02X %02X %02X", v & 0xFF, (v >>> 8) & 0xFF, (v >>> 16) & 0xFF, (v >>> 24) & 0xFF);
    }
}

package dev.hypha.ml.gguf;

import dev.hypha.ml.tensor.GgmlType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a GGUF v3 file: metadata in insertion order, then tensors in the order added, laid out contiguously with
 * each tensor padded to the alignment (as ggml's reader requires), then written atomically.
 *
 * <p>llama.cpp checks the exact type of every key it reads (for example {@code llama.context_length} must be a uint32,
 * {@code llama.rope.freq_base} a float32), so the typed {@code putX} methods say which type they write.
 * Alignment is {@code general.alignment} when put (a uint32 power of two), else 32.
 */
public final class GgufWriter {
    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Pending> tensors = new ArrayList<>();
    private final Set<String> tensorNames = new HashSet<>();

    private record Pending(String name, GgmlType type, long[] shape, MemorySegment data) {}

    /** Adds a key with an explicit value. @throws IllegalArgumentException on a duplicate or empty key */
    public GgufWriter put(String key, GgufValue value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value of " + key);
        if (key.isEmpty()) {
            throw new IllegalArgumentException("metadata key must not be empty");
        }
        if (metadata.containsKey(key)) {
            throw new IllegalArgumentException("duplicate metadata key '" + key + "'");
        }
        if (key.equals("general.alignment")) {
            if (!(value instanceof GgufValue.UInt32(long a)) || a == 0 || Long.bitCount(a) != 1) {
                throw new IllegalArgumentException("general.alignment must be a uint32 power of two, got " + value);
            }
        }
        metadata.put(key, value);
        return this;
    }

    /** Adds every entry of {@code values} in its iteration order (e.g. metadata copied from another file). */
    public GgufWriter putAll(Map<String, GgufValue> values) {
        values.forEach(this::put);
        return this;
    }

    public GgufWriter put(String key, String value) { return put(key, new GgufValue.Str(value)); }
    public GgufWriter put(String key, boolean value) { return put(key, new GgufValue.Bool(value)); }
    public GgufWriter putString(String key, String value) { return put(key, new GgufValue.Str(value)); }
    public GgufWriter putBool(String key, boolean value) { return put(key, new GgufValue.Bool(value)); }
    public GgufWriter putUInt8(String key, int value) { return put(key, new GgufValue.UInt8(value)); }
    public GgufWriter putInt8(String key, byte value) { return put(key, new GgufValue.Int8(value)); }
    public GgufWriter putUInt16(String key, int value) { return put(key, new GgufValue.UInt16(value)); }
    public GgufWriter putInt16(String key, short value) { return put(key, new GgufValue.Int16(value)); }
    public GgufWriter putUInt32(String key, long value) { return put(key, new GgufValue.UInt32(value)); }
    public GgufWriter putInt32(String key, int value) { return put(key, new GgufValue.Int32(value)); }
    public GgufWriter putUInt64(String key, long value) { return put(key, new GgufValue.UInt64(value)); }
    public GgufWriter putInt64(String key, long value) { return put(key, new GgufValue.Int64(value)); }
    public GgufWriter putFloat32(String key, float value) { return put(key, new GgufValue.Float32(value)); }
    public GgufWriter putFloat64(String key, double value) { return put(key, new GgufValue.Float64(value)); }
    /** A string array (e.g. tokenizer.ggml.tokens, tokenizer.ggml.merges). */
    public GgufWriter putStrings(String key, List<String> values) { return put(key, GgufValue.Array.ofStrings(values)); }
    /** A float32 array (e.g. tokenizer.ggml.scores). */
    public GgufWriter putFloats(String key, float[] values) { return put(key, GgufValue.Array.ofFloats(values)); }
    /** An int32 array (e.g. tokenizer.ggml.token_type). */
    public GgufWriter putInts(String key, int[] values) { return put(key, GgufValue.Array.ofInts(values)); }

    /**
     * Adds a tensor whose data is already encoded in {@code type}'s block format.
     *
     * @param shape dimensions, innermost first (ggml {@code ne} order); 1 to 4 dims, each > 0, shape[0] a multiple of
     *              the type's block size
     * @param data  exactly {@code type.bytesFor(product(shape))} bytes; it is read when {@link #write} runs
     * @throws IllegalArgumentException naming the tensor and the rule it breaks
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, MemorySegment data) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type of tensor " + name);
        Objects.requireNonNull(data, "data of tensor " + name);
        String what = "tensor '" + name + "'";
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length >= GgufParser.MAX_TENSOR_NAME) {
            throw new IllegalArgumentException(what + ": name must be 1 to " + (GgufParser.MAX_TENSOR_NAME - 1) + " bytes");
        }
        if (!tensorNames.add(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        try {
            if (shape.length < 1 || shape.length > GgufParser.MAX_DIMS) {
                throw new IllegalArgumentException(what + " has " + shape.length + " dimensions, expected 1 to " + GgufParser.MAX_DIMS);
            }
            long elements = 1;
            for (int d = 0; d < shape.length; d++) {
                if (shape[d] <= 0) {
                    throw new IllegalArgumentException(what + " dimension " + d + " is " + shape[d] + ", expected > 0");
                }
                elements = Math.multiplyExact(elements, shape[d]);
            }
            if (shape[0] % type.blockSize() != 0) {
                throw new IllegalArgumentException(what + " of type " + type + ": row length " + shape[0]
                        + " is not a multiple of the block size " + type.blockSize());
            }
            long bytes = type.bytesFor(elements);
            if (data.byteSize() != bytes) {
                throw new IllegalArgumentException(what + " of type " + type + " and shape " + java.util.Arrays.toString(shape)
                        + " needs " + bytes + " bytes of data, got " + data.byteSize());
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            tensorNames.remove(name);
            throw e instanceof ArithmeticException ? new IllegalArgumentException(what + " size overflows 64 bits") : e;
        }
        tensors.add(new Pending(name, type, shape.clone(), data));
        return this;
    }

    /** Adds a tensor from a byte array (not copied: do not modify it before {@link #write}). */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, byte[] data) {
        return addTensor(name, type, shape, MemorySegment.ofArray(data));
    }

    /** The metadata added so far, in insertion order (unmodifiable view). */
    public Map<String, GgufValue> metadataView() {
        return java.util.Collections.unmodifiableMap(metadata);
    }

    /** The alignment the file will use. */
    public long alignment() {
        return metadata.get("general.alignment") instanceof GgufValue.UInt32(long a) ? a : GgufParser.DEFAULT_ALIGNMENT;
    }

    /**
     * Writes the file atomically: to a temporary file in the same directory, flushed, then moved over {@code path}.
     * On failure {@code path} is untouched and the temporary file is removed.
     */
    public void write(Path path) {
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try {
                // temp files are created owner-only; a model file is ordinary data, readable like any other file
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // non-POSIX file systems keep their defaults
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeTo(ch);
                ch.force(false);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write GGUF file " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the original error matters more
                }
            }
        }
    }

    /** The whole file as bytes (tests and small models). */
    public byte[] toByteArray() {
        LeBuffer out = new LeBuffer();
        writeHeader(out);
        for (Pending t : tensors) {
            out.bytes(t.data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            out.pad(alignment());
        }
        return out.toByteArray();
    }

    private void writeTo(FileChannel ch) throws IOException {
        LeBuffer head = new LeBuffer();
        writeHeader(head);
        writeFully(ch, ByteBuffer.wrap(head.toByteArray()));
        long alignment = alignment();
        long written = 0;
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(alignment, 1 << 16));
        for (Pending t : tensors) {
            long size = t.data.byteSize();
            final long chunk = 1L << 26;
            for (long off = 0; off < size; off += chunk) {
                writeFully(ch, t.data.asSlice(off, Math.min(chunk, size - off)).asByteBuffer());
            }
            written += size;
            long padding = GgufParser.alignUp(written, alignment) - written;
            while (padding > 0) {
                int n = (int) Math.min(padding, zeros.capacity());
                writeFully(ch, zeros.clear().limit(n));
                padding -= n;
            }
            written += GgufParser.alignUp(written, alignment) - written;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    private void writeHeader(LeBuffer out) {
        long alignment = alignment();
        out.i32(GgufParser.MAGIC);
        out.i32(3);
        out.i64(tensors.size());
        out.i64(metadata.size());
        metadata.forEach((k, v) -> {
            out.string(k);
            out.i32(v.type().id());
            value(out, v);
        });
        long offset = 0;
        for (Pending t : tensors) {
            out.string(t.name);
            out.i32(t.shape.length);
            for (long d : t.shape) {
                out.i64(d);
            }
            out.i32(t.type.id());
            out.i64(offset);
            offset = GgufParser.alignUp(offset + t.data.byteSize(), alignment);
        }
        out.pad(alignment);
    }

    private static void value(LeBuffer out, GgufValue v) {
        switch (v) {
            case GgufValue.UInt8(int x) -> out.i8(x);
            case GgufValue.Int8(byte x) -> out.i8(x);
            case GgufValue.UInt16(int x) -> out.i16(x);
            case GgufValue.Int16(short x) -> out.i16(x);
            case GgufValue.UInt32(long x) -> out.i32((int) x);
            case GgufValue.Int32(int x) -> out.i32(x);
            case GgufValue.UInt64(long x) -> out.i64(x);
            case GgufValue.Int64(long x) -> out.i64(x);
            case GgufValue.Float32(float x) -> out.i32(Float.floatToRawIntBits(x));
            case GgufValue.Float64(double x) -> out.i64(Double.doubleToRawLongBits(x));
            case GgufValue.Bool(boolean x) -> out.i8(x ? 1 : 0);
            case GgufValue.Str(String s) -> out.string(s);
            case GgufValue.Array a -> {
                out.i32(a.elementType().id());
                out.i64(a.size());
                for (GgufValue e : a.elements()) {
                    value(out, e);
                }
            }
        }
    }

    /** A growable little-endian byte buffer for the header and metadata. */
    private static final class LeBuffer extends ByteArrayOutputStream {
        LeBuffer() {
            super(1 << 12);
        }

        void i8(int v) { write(v); }
        void i16(int v) { write(v); write(v >>> 8); }
        void i32(int v) { i16(v); i16(v >>> 16); }
        void i64(long v) { i32((int) v); i32((int) (v >>> 32)); }
        void bytes(byte[] b) { write(b, 0, b.length); }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            bytes(b);
        }

        void pad(long alignment) {
            while (count % alignment != 0) {
                write(0);
            }
        }
    }

}

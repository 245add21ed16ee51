package dev.hypha.ml.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A GGUF model file (versions 2 and 3, little-endian), memory-mapped read-only.
 *
 * <p>{@link #open} maps the whole file through a shared {@link Arena}, parses the header, metadata and tensor table,
 * and exposes tensor data as slices of that one mapping (no copies; the OS pages weights in on demand). Everything
 * read from the file, tensor data and array metadata alike, is valid only until {@link #close()}, which unmaps it;
 * later access throws {@link IllegalStateException}. The object is safe to read from many threads.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final Arena arena; // null for in-memory images
    private final GgufParser.Result parsed;
    private final Map<String, GgufTensor> byName;

    private GgufFile(Path path, Arena arena, GgufParser.Result parsed) {
        this.path = path;
        this.arena = arena;
        this.parsed = parsed;
        Map<String, GgufTensor> index = new HashMap<>();
        for (GgufTensor t : parsed.tensors()) {
            index.put(t.name(), t);
        }
        this.byName = index;
    }

    /**
     * Maps and parses {@code path}.
     *
     * @throws GgufFormatException when the file is not a valid GGUF file (the message names the file and the problem)
     * @throws UncheckedIOException when the file cannot be read
     */
    public static GgufFile open(Path path) {
        Objects.requireNonNull(path, "path");
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            GgufParser.Result r = GgufParser.parse(seg, String.valueOf(path.getFileName()));
            return new GgufFile(path, arena, r);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new UncheckedIOException("GGUF file not found: " + path, e);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException("cannot read GGUF file " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Parses a GGUF image held in memory (tests, fuzzing, data received over the network). {@link #path()} is
     * {@code null}; {@code sourceName} names the image in error messages.
     */
    public static GgufFile parse(byte[] image, String sourceName) {
        return new GgufFile(null, null, GgufParser.parse(MemorySegment.ofArray(image), sourceName));
    }

    /** The format version (2 or 3). */
    public int version() {
        return parsed.version();
    }

    /** All metadata in file order; unmodifiable. Array values are views valid until {@link #close()}. */
    public Map<String, GgufValue> metadata() {
        return parsed.metadata();
    }

    /** The raw value of {@code key}, if present. */
    public Optional<GgufValue> value(String key) {
        return Optional.ofNullable(parsed.metadata().get(key));
    }

    /** A string value. @throws GgufFormatException if the key holds another type */
    public Optional<String> string(String key) {
        return value(key).map(v -> v instanceof GgufValue.Str(String s) ? s : throw_(key, v, "a string"));
    }

    /**
     * An integer of any GGUF integer type, widened to long.
     *
     * @throws GgufFormatException if the key holds a non-integer, or a uint64 above {@code Long.MAX_VALUE}
     */
    public Optional<Long> integer(String key) {
        return value(key).map(v -> {
            Long l = GgufValues.asLong(v);
            if (l == null) {
                throw_(key, v, "an integer");
            }
            if (v instanceof GgufValue.UInt64 && l < 0) {
                throw new GgufFormatException(source() + ": metadata key '" + key + "' value " + Long.toUnsignedString(l)
                        + " does not fit a signed 64-bit integer");
            }
            return l;
        });
    }

    /** Any numeric value (integer or float) as a double. @throws GgufFormatException if the key is not numeric */
    public Optional<Double> number(String key) {
        return value(key).map(v -> switch (v) {
            case GgufValue.Float32(float f) -> (double) f;
            case GgufValue.Float64(double d) -> d;
            case GgufValue.UInt64(long u) -> u >= 0 ? (double) u : Double.parseDouble(Long.toUnsignedString(u));
            default -> {
                Long l = GgufValues.asLong(v);
                if (l == null) {
                    throw_(key, v, "a number");
                }
                yield (double) l;
            }
        });
    }

    /** A bool value. @throws GgufFormatException if the key holds another type */
    public Optional<Boolean> bool(String key) {
        return value(key).map(v -> v instanceof GgufValue.Bool(boolean b) ? b : throw_(key, v, "a bool"));
    }

    /** A string array, copied. @throws GgufFormatException if the key holds another type */
    public Optional<List<String>> strings(String key) {
        return array(key, "an array of strings").map(a -> {
            if (a.elementType() != GgufValueType.STRING) {
                throw_(key, a, "an array of strings");
            }
            List<String> out = new ArrayList<>(a.size());
            for (GgufValue e : a.elements()) {
                out.add(((GgufValue.Str) e).value());
            }
            return List.copyOf(out);
        });
    }

    /** A numeric array as floats (float32 exact; other numeric types converted). @throws GgufFormatException otherwise */
    public Optional<float[]> floats(String key) {
        return array(key, "an array of numbers").map(a -> {
            float[] out = new float[a.size()];
            for (int i = 0; i < out.length; i++) {
                GgufValue e = a.elements().get(i);
                out[i] = switch (e) {
                    case GgufValue.Float32(float f) -> f;
                    case GgufValue.Float64(double d) -> (float) d;
                    default -> {
                        Long l = GgufValues.asLong(e);
                        if (l == null) {
                            throw_(key, a, "an array of numbers");
                        }
                        yield (float) l;
                    }
                };
            }
            return out;
        });
    }

    /** An integer array as ints. @throws GgufFormatException if not integers or a value does not fit an int */
    public Optional<int[]> ints(String key) {
        return array(key, "an array of integers").map(a -> {
            int[] out = new int[a.size()];
            for (int i = 0; i < out.length; i++) {
                Long l = GgufValues.asLong(a.elements().get(i));
                if (l == null) {
                    throw_(key, a, "an array of integers");
                }
                if (l != (int) (long) l || (a.elementType() == GgufValueType.UINT64 && l < 0)) {
                    throw new GgufFormatException(source() + ": metadata key '" + key + "' element " + i + " value " + l
                            + " does not fit a 32-bit int");
                }
                out[i] = (int) (long) l;
            }
            return out;
        });
    }

    private Optional<GgufValue.Array> array(String key, String expected) {
        return value(key).map(v -> v instanceof GgufValue.Array a ? a : throw_(key, v, expected));
    }

    /** {@code general.architecture}, e.g. "llama". @throws GgufFormatException when missing */
    public String architecture() {
        return string("general.architecture").orElseThrow(() -> new GgufFormatException(
                source() + ": required metadata key 'general.architecture' is missing"));
    }

    /** All tensors in file order. */
    public List<GgufTensor> tensors() {
        return parsed.tensors();
    }

    /** The tensor called {@code name}, if present. */
    public Optional<GgufTensor> tensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The tensor called {@code name}. @throws GgufFormatException naming the missing tensor */
    public GgufTensor requireTensor(String name) {
        GgufTensor t = byName.get(name);
        if (t == null) {
            throw new GgufFormatException(source() + ": required tensor '" + name + "' is missing (the file has "
                    + parsed.tensors().size() + " tensors)");
        }
        return t;
    }

    /** Data alignment in bytes ({@code general.alignment}, default 32). */
    public long alignment() {
        return parsed.alignment();
    }

    /** Absolute file offset where the tensor data section starts. */
    public long dataOffset() {
        return parsed.dataStart();
    }

    /** The file this was opened from ({@code null} for an in-memory image). */
    public Path path() {
        return path;
    }

    /** Unmaps the file; tensor data and array metadata become inaccessible. Idempotent. */
    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) {
            arena.close();
        }
    }

    private String source() {
        return path == null ? "GGUF image" : String.valueOf(path.getFileName());
    }

    private <T> T throw_(String key, GgufValue v, String expected) {
        String found = v instanceof GgufValue.Array a ? "an array of " + a.elementType().specName() : "a " + v.type().specName();
        throw new GgufFormatException(source() + ": metadata key '" + key + "' is " + found + ", expected " + expected);
    }
}

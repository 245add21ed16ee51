package dev.hypha.ml.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.ml.tensor.GgmlType;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Truncated, corrupt and hostile GGUF input: always a {@link GgufFormatException} naming the problem. */
class GgufHostileInputTest {
    @TempDir Path dir;

    /** Little-endian image builder for hand-made (broken) files. */
    static final class Image {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        Image u32(long v) { for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i))); return this; }
        Image u64(long v) { for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i))); return this; }
        Image u8(int v) { out.write(v); return this; }
        Image str(String s) { byte[] b = s.getBytes(StandardCharsets.UTF_8); u64(b.length); out.writeBytes(b); return this; }
        Image header(long tensors, long kvs) { out.writeBytes("GGUF".getBytes()); return u32(3).u64(tensors).u64(kvs); }
        Image pad(int alignment) { while (out.size() % alignment != 0) out.write(0); return this; }
        Image zeros(int n) { out.writeBytes(new byte[n]); return this; }
        byte[] bytes() { return out.toByteArray(); }
    }

    static GgufFormatException parseFails(byte[] image, int length) {
        return parseFails(java.util.Arrays.copyOf(image, length));
    }

    static GgufFormatException parseFails(byte[] image) {
        try (GgufFile g = GgufFile.parse(image, "bad.gguf")) {
            throw new AssertionError("parsed: " + g.metadata());
        } catch (GgufFormatException e) {
            assertThat(e.getMessage()).startsWith("bad.gguf: ");
            return e;
        }
    }

    @Test
    void notGgufAtAll() {
        assertThat(parseFails(new byte[0]).getMessage()).contains("truncated at offset 0 while reading magic");
        assertThat(parseFails("GGML....".getBytes()).getMessage()).contains("not a GGUF file").contains("47 47 55 46");
        assertThat(parseFails(new Image().header(0, 0).bytes().clone(), 23).getMessage())
                .contains("truncated at offset 16 while reading metadata key/value count (need 8 bytes, 7 left)");
    }

    @Test
    void versions() {
        byte[] v1 = new Image().header(0, 0).bytes();
        v1[4] = 1;
        assertThat(parseFails(v1).getMessage()).contains("version 1 is not supported");
        byte[] v9 = new Image().header(0, 0).bytes();
        v9[4] = 9;
        assertThat(parseFails(v9).getMessage()).contains("unsupported GGUF version 9");
        byte[] big = new Image().header(0, 0).bytes();
        big[4] = 0;
        big[7] = 3;
        assertThat(parseFails(big).getMessage()).contains("big-endian");
        byte[] v2 = new Image().header(0, 0).bytes();
        v2[4] = 2;
        try (GgufFile g = GgufFile.parse(v2, "v2")) {
            assertThat(g.version()).isEqualTo(2);
        }
    }

    @Test
    void countsLargerThanTheFileAreRejectedBeforeAllocating() {
        assertThat(parseFails(new Image().header(0, Long.MAX_VALUE).bytes()).getMessage())
                .contains("metadata key/value count").contains("cannot fit");
        assertThat(parseFails(new Image().header(-1, 0).bytes()).getMessage()).contains("tensor count 18446744073709551615");
        assertThat(parseFails(new Image().header(0, 1).u64(Long.MAX_VALUE).zeros(16).bytes()).getMessage())
                .contains("string length").contains("exceeds");
        byte[] hugeArray = new Image().header(0, 1).str("a").u32(9).u32(4).u64(1L << 40).zeros(8).bytes();
        assertThat(parseFails(hugeArray).getMessage()).contains("metadata key 'a'").contains("array of 1099511627776 uint32");
        byte[] hugeStrings = new Image().header(0, 1).str("a").u32(9).u32(8).u64(100).zeros(8).bytes();
        assertThat(parseFails(hugeStrings).getMessage()).contains("array of 100 string");
    }

    @Test
    void badValues() {
        assertThat(parseFails(new Image().header(0, 1).str("k").u32(13).zeros(8).bytes()).getMessage())
                .contains("metadata key 'k' has unknown value type 13");
        assertThat(parseFails(new Image().header(0, 1).str("k").u32(7).u8(2).bytes()).getMessage())
                .contains("bool at offset").contains("is 2, expected 0 or 1");
        assertThat(parseFails(new Image().header(0, 2).str("k").u32(4).u32(1).str("k").u32(4).u32(1).bytes()).getMessage())
                .contains("duplicate metadata key 'k'");
        assertThat(parseFails(new Image().header(0, 1).str("general.alignment").u32(5).u32(64).bytes()).getMessage())
                .contains("general.alignment must be a uint32, found int32");
        assertThat(parseFails(new Image().header(0, 1).str("general.alignment").u32(4).u32(48).bytes()).getMessage())
                .contains("power of two, found 48");
        Image nested = new Image().header(0, 1).str("n").u32(9);
        for (int i = 0; i < 20; i++) nested.u32(9).u64(1);
        nested.u32(4).u64(0);
        assertThat(parseFails(nested.bytes()).getMessage()).contains("nested deeper than 8");
        assertThat(parseFails(new Image().header(0, 1).str("k").u32(4).u8(1).bytes()).getMessage())
                .contains("truncated at offset").contains("while reading metadata key 'k'");
    }

    static Image oneTensor(String name, long[] dims, int type, long offset) {
        Image im = new Image().header(1, 0).str(name).u32(dims.length);
        for (long d : dims) im.u64(d);
        return im.u32(type).u64(offset);
    }

    @Test
    void badTensorInfos() {
        assertThat(parseFails(oneTensor("t", new long[] {1, 1, 1, 1, 1}, 0, 0).bytes()).getMessage())
                .contains("tensor 't' has 5 dimensions, expected 1 to 4");
        assertThat(parseFails(oneTensor("t", new long[] {0}, 0, 0).bytes()).getMessage()).contains("dimension 0 is 0");
        assertThat(parseFails(oneTensor("t", new long[] {1L << 32, 1L << 32}, 0, 0).bytes()).getMessage())
                .contains("element count overflows");
        assertThat(parseFails(oneTensor("t", new long[] {4}, 99, 0).bytes()).getMessage())
                .contains("tensor 't' has unknown ggml type id 99");
        assertThat(parseFails(oneTensor("t", new long[] {16}, GgmlType.Q8_0.id(), 0).bytes()).getMessage())
                .contains("row length 16 is not a multiple of the block size 32");
        assertThat(parseFails(oneTensor("x".repeat(64), new long[] {1}, 0, 0).pad(32).zeros(4).bytes()).getMessage())
                .contains("longer than 63 bytes");
    }

    @Test
    void tensorDataOutsideTheFileOrOutOfOrder() {
        byte[] past = oneTensor("blk.0.attn_q.weight", new long[] {1024}, 0, 0).pad(32).zeros(100).bytes();
        assertThat(parseFails(past).getMessage()).matches(
                "bad\\.gguf: tensor 'blk\\.0\\.attn_q\\.weight' data \\[offset \\d+, 4096 bytes] extends past end of file \\(size \\d+\\)");
        byte[] misplaced = oneTensor("t", new long[] {8}, 0, 32).pad(32).zeros(64).bytes();
        assertThat(parseFails(misplaced).getMessage()).contains("data offset 32 is not where the previous tensors end (0)");
        Image dup = new Image().header(2, 0).str("t").u32(1).u64(8).u32(0).u64(0).str("t").u32(1).u64(8).u32(0).u64(32);
        assertThat(parseFails(dup.pad(32).zeros(64).bytes()).getMessage()).contains("duplicate tensor name 't'");
    }

    static byte[] validImage() {
        byte[] data = new byte[GgmlType.Q4_0.typeSize() * 2];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7);
        return new GgufWriter().put("general.architecture", "llama").putStrings("tokenizer.ggml.tokens", List.of("a", "bc", "▁d"))
                .putFloats("tokenizer.ggml.scores", new float[] {1, 2, 3}).putUInt32("llama.block_count", 2)
                .put("nested", new GgufValue.Array(GgufValueType.ARRAY, List.of(GgufValue.Array.ofInts(new int[] {1, 2}))))
                .addTensor("a", GgmlType.F32, new long[] {2, 2}, new byte[16])
                .addTensor("b", GgmlType.Q4_0, new long[] {64}, data)
                .toByteArray();
    }

    @Property(tries = 200)
    void everyTruncationIsAFormatError(@ForAll @IntRange(min = 0, max = 10_000) int cut) {
        byte[] full = validImage();
        long dataEnd;
        try (GgufFile g = GgufFile.parse(full, "full")) {
            GgufTensor last = g.tensors().getLast();
            dataEnd = g.dataOffset() + last.offset() + last.byteSize();
        }
        int len = cut % full.length;
        byte[] prefix = java.util.Arrays.copyOf(full, len);
        if (len < dataEnd) {
            assertThatThrownBy(() -> GgufFile.parse(prefix, "cut").close()).isInstanceOf(GgufFormatException.class);
        } else {
            // only trailing padding was cut: every tensor is still whole (llama.cpp's loader accepts this too)
            GgufFile.parse(prefix, "cut").close();
        }
    }

    @Property(tries = 1000)
    void mutatedFilesParseOrFailCleanly(@ForAll("mutations") List<int[]> flips) {
        byte[] image = validImage();
        for (int[] f : flips) {
            image[f[0] % image.length] = (byte) f[1];
        }
        GgufFile g;
        try {
            g = GgufFile.parse(image, "mutant");
        } catch (GgufFormatException expected) {
            return;
        }
        try (g) {
            GgufFuzzTest.touch(g);
        }
    }

    @Provide
    Arbitrary<List<int[]>> mutations() {
        Arbitrary<int[]> flip = Arbitraries.integers().between(0, Integer.MAX_VALUE)
                .flatMap(pos -> Arbitraries.of(0x00, 0x01, 0x7F, 0x80, 0xFF, 0x20, 0x09, 0x0D).map(v -> new int[] {pos, v}));
        return flip.list().ofMinSize(1).ofMaxSize(4);
    }

    @Test
    void writerRejectsInvalidTensorsAndKeys() {
        GgufWriter w = new GgufWriter();
        assertThatThrownBy(() -> w.addTensor("t", GgmlType.Q8_0, new long[] {16}, new byte[17]))
                .hasMessageContaining("row length 16 is not a multiple of the block size 32");
        assertThatThrownBy(() -> w.addTensor("t", GgmlType.F32, new long[] {4}, new byte[15]))
                .hasMessageContaining("needs 16 bytes of data, got 15");
        assertThatThrownBy(() -> w.addTensor("t", GgmlType.F32, new long[] {1, 1, 1, 1, 1}, new byte[4]))
                .hasMessageContaining("5 dimensions");
        assertThatThrownBy(() -> w.addTensor("t", GgmlType.F32, new long[] {0}, new byte[0])).hasMessageContaining("is 0");
        assertThatThrownBy(() -> w.addTensor("y".repeat(64), GgmlType.F32, new long[] {1}, new byte[4]))
                .hasMessageContaining("1 to 63 bytes");
        w.addTensor("t", GgmlType.F32, new long[] {1}, new byte[4]); // a failed add left no trace of the name
        assertThatThrownBy(() -> w.addTensor("t", GgmlType.F32, new long[] {1}, new byte[4])).hasMessageContaining("duplicate tensor");
        w.put("k", "v");
        assertThatThrownBy(() -> w.put("k", "v")).hasMessageContaining("duplicate metadata key 'k'");
        assertThatThrownBy(() -> w.putUInt32("general.alignment", 48)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> w.putInt32("general.alignment", 64)).hasMessageContaining("uint32");
        assertThatThrownBy(() -> new GgufValue.UInt32(-1)).hasMessageContaining("uint32 value out of range");
        assertThatThrownBy(() -> new GgufValue.Array(GgufValueType.INT32, List.of(new GgufValue.Str("x"))))
                .hasMessageContaining("array of int32 has element 0 of type string");
    }

    @Test
    void failedWriteLeavesTheTargetUntouchedAndNoTempFile() throws Exception {
        Path target = dir.resolve("model.gguf");
        Files.write(target, validImage());
        byte[] before = Files.readAllBytes(target);
        Arena arena = Arena.ofShared();
        MemorySegment data = arena.allocate(4 * 1024);
        GgufWriter w = new GgufWriter().put("general.architecture", "x").addTensor("t", GgmlType.F32, new long[] {1024}, data);
        arena.close(); // the tensor's memory is gone when write() reads it
        assertThatThrownBy(() -> w.write(target)).isInstanceOf(IllegalStateException.class);
        assertThat(Files.readAllBytes(target)).isEqualTo(before);
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).containsExactly(target);
        }
    }

    @Test
    void fileLifecycle() throws Exception {
        Path p = dir.resolve("m.gguf");
        Files.write(p, validImage());
        GgufFile g = GgufFile.open(p);
        assertThat(g.path()).isEqualTo(p);
        GgufTensor b = g.requireTensor("b");
        assertThat(b.data().get(ValueLayout.JAVA_BYTE, 1)).isEqualTo((byte) 7);
        assertThat(g.strings("tokenizer.ggml.tokens")).contains(List.of("a", "bc", "▁d"));
        assertThatThrownBy(() -> g.requireTensor("output.weight")).hasMessageContaining("required tensor 'output.weight' is missing");
        assertThatThrownBy(() -> g.integer("general.architecture"))
                .hasMessageContaining("metadata key 'general.architecture' is a string, expected an integer");
        assertThatThrownBy(() -> g.ints("tokenizer.ggml.tokens")).hasMessageContaining("expected an array of integers");
        g.close();
        g.close(); // idempotent
        assertThatThrownBy(() -> b.data().get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> GgufFile.open(dir.resolve("missing.gguf")))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("missing.gguf");
        Path empty = dir.resolve("empty.gguf");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> GgufFile.open(empty)).isInstanceOf(GgufFormatException.class)
                .hasMessage("empty.gguf: truncated at offset 0 while reading magic (need 4 bytes, 0 left)");
        assertThatThrownBy(() -> GgufFile.open(dir)).isInstanceOf(UncheckedIOException.class);
        Path truncated = dir.resolve("t.gguf");
        Files.write(truncated, java.util.Arrays.copyOf(validImage(), 40));
        assertThatThrownBy(() -> GgufFile.open(truncated)).isInstanceOf(GgufFormatException.class).hasMessageStartingWith("t.gguf: ");
    }

    @Test
    void typedAccessorsWidenOrNameTheMismatch() {
        byte[] image = new GgufWriter().putUInt64("big", -1L).putUInt8("u8", 200).putInt16("i16", (short) -5)
                .putFloat64("f64", 0.5).put("ints", GgufValue.Array.ofInts(new int[] {1, -2}))
                .put("u64s", new GgufValue.Array(GgufValueType.UINT64, List.of(new GgufValue.UInt64(1L << 40)))).toByteArray();
        try (GgufFile g = GgufFile.parse(image, "acc")) {
            assertThatThrownBy(() -> g.integer("big")).hasMessageContaining("18446744073709551615 does not fit a signed 64-bit");
            assertThat(g.number("big")).contains(1.8446744073709552E19);
            assertThat(g.integer("u8")).contains(200L);
            assertThat(g.number("i16")).contains(-5.0);
            assertThat(g.number("f64")).contains(0.5);
            assertThat(g.floats("ints").orElseThrow()).containsExactly(1f, -2f);
            assertThatThrownBy(() -> g.ints("u64s")).hasMessageContaining("does not fit a 32-bit int");
            assertThatThrownBy(() -> g.bool("u8")).hasMessageContaining("is a uint8, expected a bool");
            assertThatThrownBy(() -> g.strings("ints")).hasMessageContaining("is an array of int32, expected an array of strings");
            assertThat(g.integer("absent")).isEmpty();
        }
    }

    @Test
    void noArchitectureIsNamed() {
        try (GgufFile g = GgufFile.parse(new GgufWriter().putUInt32("x", 1).toByteArray(), "na")) {
            assertThatThrownBy(g::architecture).hasMessageContaining("'general.architecture' is missing");
        }
    }
}

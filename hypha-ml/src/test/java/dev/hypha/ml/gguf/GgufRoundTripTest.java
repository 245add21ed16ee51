package dev.hypha.ml.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.ml.tensor.GgmlType;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufRoundTripTest {
    @TempDir Path dir;

    @Test
    void writesAndReadsEveryValueTypeAndTensors() throws Exception {
        byte[] q8 = new byte[GgmlType.Q8_0.typeSize() * 2];
        for (int i = 0; i < q8.length; i++) q8[i] = (byte) i;
        float[] f32 = {1f, -2.5f, 3f, Float.NaN, 0f, 7f};
        byte[] f32bytes = new byte[f32.length * 4];
        java.nio.ByteBuffer.wrap(f32bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(f32);
        GgufWriter w = new GgufWriter()
                .put("general.architecture", "llama")
                .putUInt8("u8", 255).putInt8("i8", (byte) -3).putUInt16("u16", 65535).putInt16("i16", (short) -300)
                .putUInt32("u32", 4_000_000_000L).putInt32("i32", -7).putUInt64("u64", -1L).putInt64("i64", Long.MIN_VALUE)
                .putFloat32("f32", 1.5f).putFloat64("f64", Math.PI).put("flag", true)
                .putStrings("tokens", List.of("a", "▁b", "", "<0x0A>"))
                .putFloats("scores", new float[] {0f, -1f, 2f})
                .putInts("types", new int[] {1, 3, 6})
                .put("nested", new GgufValue.Array(GgufValueType.ARRAY, List.of(
                        GgufValue.Array.ofInts(new int[] {1, 2}), GgufValue.Array.ofStrings(List.of("x")))))
                .addTensor("q8", GgmlType.Q8_0, new long[] {64}, q8)
                .addTensor("f", GgmlType.F32, new long[] {3, 2}, f32bytes);
        Path file = dir.resolve("m.gguf");
        w.write(file);
        assertThat(Files.readAllBytes(file)).isEqualTo(w.toByteArray());
        try (GgufFile g = GgufFile.open(file)) {
            assertThat(g.version()).isEqualTo(3);
            assertThat(g.architecture()).isEqualTo("llama");
            assertThat(g.integer("u8")).contains(255L);
            assertThat(g.integer("i8")).contains(-3L);
            assertThat(g.integer("u16")).contains(65535L);
            assertThat(g.integer("i16")).contains(-300L);
            assertThat(g.integer("u32")).contains(4_000_000_000L);
            assertThat(g.integer("i32")).contains(-7L);
            assertThat(g.value("u64")).contains(new GgufValue.UInt64(-1L));
            assertThat(g.integer("i64")).contains(Long.MIN_VALUE);
            assertThat(g.number("f32")).contains(1.5);
            assertThat(g.number("f64")).contains(Math.PI);
            assertThat(g.bool("flag")).contains(true);
            assertThat(g.strings("tokens")).contains(List.of("a", "▁b", "", "<0x0A>"));
            assertThat(g.floats("scores").orElseThrow()).containsExactly(0f, -1f, 2f);
            assertThat(g.ints("types").orElseThrow()).containsExactly(1, 3, 6);
            assertThat(g.metadata().keySet()).startsWith("general.architecture", "u8", "i8");
            assertThat(g.metadata()).isEqualTo(w.metadataView());
            assertThat(g.tensors()).extracting(GgufTensor::name).containsExactly("q8", "f");
            GgufTensor q = g.requireTensor("q8");
            assertThat(q.type()).isEqualTo(GgmlType.Q8_0);
            assertThat(q.elementCount()).isEqualTo(64);
            assertThat(q.data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(q8);
            assertThat(q.offset() % g.alignment()).isZero();
            GgufTensor f = g.requireTensor("f");
            assertThat(f.shape()).containsExactly(3, 2);
            assertThat(f.data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(f32bytes);
            assertThat((f.offset() + g.dataOffset()) % 32).isZero();
        }
    }

    @Test
    void honoursCustomAlignment() {
        byte[] data = new byte[4];
        GgufWriter w = new GgufWriter().put("general.architecture", "x").putUInt32("general.alignment", 64)
                .addTensor("a", GgmlType.F32, new long[] {1}, data).addTensor("b", GgmlType.F32, new long[] {1}, data);
        try (GgufFile g = GgufFile.parse(w.toByteArray(), "t")) {
            assertThat(g.alignment()).isEqualTo(64);
            assertThat(g.dataOffset() % 64).isZero();
            assertThat(g.requireTensor("b").offset()).isEqualTo(64);
        }
    }

    @Property(tries = 200)
    void randomMetadataAndTensorsRoundTrip(@ForAll("metadata") Map<String, GgufValue> metadata,
                                           @ForAll("tensors") List<Object[]> tensors) {
        GgufWriter w = new GgufWriter().putAll(metadata);
        for (Object[] t : tensors) {
            w.addTensor((String) t[0], (GgmlType) t[1], (long[]) t[2], (byte[]) t[3]);
        }
        byte[] image = w.toByteArray();
        try (GgufFile g = GgufFile.parse(image, "prop")) {
            assertThat(g.metadata()).isEqualTo(metadata);
            assertThat(g.tensors()).hasSize(tensors.size());
            for (int i = 0; i < tensors.size(); i++) {
                GgufTensor t = g.tensors().get(i);
                assertThat(t.name()).isEqualTo(tensors.get(i)[0]);
                assertThat(t.type()).isEqualTo(tensors.get(i)[1]);
                assertThat(t.shape()).isEqualTo((long[]) tensors.get(i)[2]);
                assertThat(t.data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo((byte[]) tensors.get(i)[3]);
            }
            // writing what was read reproduces the same bytes
            GgufWriter again = new GgufWriter().putAll(g.metadata());
            for (GgufTensor t : g.tensors()) {
                again.addTensor(t.name(), t.type(), t.shape(), t.data());
            }
            assertThat(again.toByteArray()).isEqualTo(image);
        }
    }

    @Provide
    Arbitrary<Map<String, GgufValue>> metadata() {
        Arbitrary<String> keys = Arbitraries.strings().withCharRange('a', 'z').withChars('.', '_').ofMinLength(1).ofMaxLength(12);
        return Arbitraries.maps(keys, GgufArbitraries.values(2)).ofMaxSize(12).map(LinkedHashMap::new);
    }

    @Provide
    Arbitrary<List<Object[]>> tensors() {
        Arbitrary<GgmlType> types = Arbitraries.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
                GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.I8, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q5_K, GgmlType.IQ4_XS,
                GgmlType.IQ4_NL, GgmlType.MXFP4, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1);
        Arbitrary<Object[]> one = Combinators.combine(types, Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(1, 3), Arbitraries.longs()).as((type, blocks, rows, seed) -> {
                    long[] shape = rows == 1 ? new long[] {(long) blocks * type.blockSize()}
                            : new long[] {(long) blocks * type.blockSize(), rows};
                    byte[] data = new byte[(int) type.bytesFor(shape[0] * (shape.length > 1 ? shape[1] : 1))];
                    new java.util.Random(seed).nextBytes(data);
                    return new Object[] {null, type, shape, data};
                });
        return one.list().ofMaxSize(5).map(list -> {
            List<Object[]> named = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                Object[] t = list.get(i).clone();
                t[0] = "blk." + i + ".w";
                named.add(t);
            }
            return named;
        });
    }
}

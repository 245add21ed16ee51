package dev.hypha.ml.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.HyphaException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class IdxFileTest {

    static byte[] file(int[] dims, int extra) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        byte[] b = new byte[(int) (4 + 4 * dims.length + n + extra)];
        b[2] = 0x08;
        b[3] = (byte) dims.length;
        for (int i = 0; i < dims.length; i++) {
            b[4 + 4 * i] = (byte) (dims[i] >>> 24);
            b[5 + 4 * i] = (byte) (dims[i] >>> 16);
            b[6 + 4 * i] = (byte) (dims[i] >>> 8);
            b[7 + 4 * i] = (byte) dims[i];
        }
        for (int i = 4 + 4 * dims.length; i < b.length; i++) {
            b[i] = (byte) (i * 31);
        }
        return b;
    }

    @Property
    void wellFormedFilesParseWithTheirDimensionsAndValues(@ForAll @IntRange(min = 1, max = 9) int a, @ForAll @IntRange(min = 1, max = 9) int b,
                                                          @ForAll @IntRange(min = 1, max = 9) int c) {
        byte[] bytes = file(new int[] {a, b, c}, 0);
        IdxFile idx = IdxFile.parse("x", bytes);
        assertThat(idx.dimensions()).containsExactly(a, b, c);
        assertThat(idx.values()).hasSize(a * b * c);
        assertThat(idx.value(a * b * c - 1)).isEqualTo(bytes[bytes.length - 1] & 0xff);
    }

    /** Any bytes at all: either a file whose dimensions account for every byte, or an error naming the file; never another exception. */
    @Property(tries = 2000)
    void hostileBytesGiveANamedErrorOrAConsistentFile(@ForAll("mutatedFiles") byte[] bytes) {
        try {
            IdxFile idx = IdxFile.parse("hostile.idx", bytes);
            long n = 1;
            for (int d : idx.dimensions()) {
                n *= d;
            }
            assertThat(n).isEqualTo(bytes.length - idx.dataOffset());
        } catch (HyphaException e) {
            assertThat(e.getMessage()).startsWith("IDX file hostile.idx: ");
        }
    }

    @Provide
    Arbitrary<byte[]> mutatedFiles() {
        Arbitrary<byte[]> valid = Arbitraries.integers().between(1, 6).list().ofMinSize(1).ofMaxSize(4)
                .map(l -> file(l.stream().mapToInt(Integer::intValue).toArray(), 0));
        Arbitrary<byte[]> mutated = valid.flatMap(b -> Arbitraries.integers().between(0, b.length - 1).tuple2()
                .map(t -> {
                    byte[] c = b.clone();
                    c[t.get1()] = (byte) (c[t.get1()] ^ (1 + t.get2() % 255));
                    return c;
                }));
        Arbitrary<byte[]> truncated = valid.flatMap(b -> Arbitraries.integers().between(0, b.length).map(n -> java.util.Arrays.copyOf(b, n)));
        return Arbitraries.oneOf(valid, mutated, truncated, Arbitraries.bytes().array(byte[].class).ofMaxSize(64));
    }

    @Test
    void errorsNameTheFieldAndWhatWouldBeRight() {
        assertThatThrownBy(() -> IdxFile.parse("a.gz", new byte[] {0x1f, (byte) 0x8b, 8, 0}))
                .hasMessageContaining("a.gz: magic").hasMessageContaining("gzip");
        byte[] f = file(new int[] {2, 3}, 0);
        f[2] = 0x0d;
        assertThatThrownBy(() -> IdxFile.parse("f", f)).hasMessageContaining("type").hasMessageContaining("0x08");
        assertThatThrownBy(() -> IdxFile.parse("g", file(new int[] {2, 3}, 1))).hasMessageContaining("need 6 bytes, the file holds 7");
        byte[] huge = file(new int[] {2, 3}, 0);
        huge[4] = 0x7f; // first dimension 2^30-ish: far beyond the file
        assertThatThrownBy(() -> IdxFile.parse("h", huge)).hasMessageContaining("dimension 0");
        assertThatThrownBy(() -> IdxFile.parse("z", file(new int[] {0}, 0))).hasMessageContaining("dimension 0");
    }
}

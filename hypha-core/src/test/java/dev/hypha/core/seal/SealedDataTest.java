package dev.hypha.core.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealedDataTest {
    private static final int CHUNK = SealedData.MIN_CHUNK;

    static byte[] seal(byte[] plain, DataKey key) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SealedData.seal(new ByteArrayInputStream(plain), plain.length, out, key, CHUNK);
        return out.toByteArray();
    }

    static byte[] open(byte[] sealed, DataKey key) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SealedData.open(new ByteArrayInputStream(sealed), out, key);
        return out.toByteArray();
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.oneOf(Arbitraries.of(0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK),
                Arbitraries.integers().between(0, 5 * CHUNK));
    }

    @Property(tries = 60)
    void whatIsSealedOpensToItselfAndHasThePredictedSize(@ForAll("lengths") int length, @ForAll long seed)
            throws IOException {
        byte[] plain = new byte[length];
        new Random(seed).nextBytes(plain);
        DataKey key = DataKey.random();
        byte[] sealed = seal(plain, key);
        assertThat((long) sealed.length).isEqualTo(SealedData.sealedLength(length, CHUNK));
        assertThat(open(sealed, key)).isEqualTo(plain);
        // the same plaintext under the same key seals to the same bytes (one content id)
        assertThat(seal(plain, key)).isEqualTo(sealed);
    }

    @Property(tries = 200)
    void anyChangedByteIsRefused(@ForAll @IntRange(min = 0, max = 3 * 1024 + 200) int length, @ForAll long seed)
            throws IOException {
        Random r = new Random(seed);
        byte[] plain = new byte[length];
        r.nextBytes(plain);
        DataKey key = DataKey.random();
        byte[] sealed = seal(plain, key);
        int at = r.nextInt(sealed.length);
        sealed[at] ^= (byte) (1 + r.nextInt(255));
        assertThatThrownBy(() -> open(sealed, key)).isInstanceOf(SealException.class);
    }

    @Test
    void truncatedReorderedExtendedOrForeignDataIsRefusedByName() throws IOException {
        byte[] plain = new byte[3 * CHUNK];
        new Random(1).nextBytes(plain);
        DataKey key = DataKey.random();
        byte[] sealed = seal(plain, key);
        int c = CHUNK + SealedData.TAG_BYTES;
        int h = SealedData.HEADER_BYTES;

        assertThatThrownBy(() -> open(Arrays.copyOf(sealed, sealed.length - c), key))
                .isInstanceOf(SealException.class).hasMessageContaining("truncated");
        byte[] swapped = sealed.clone();
        System.arraycopy(sealed, h, swapped, h + c, c);
        System.arraycopy(sealed, h + c, swapped, h, c);
        assertThatThrownBy(() -> open(swapped, key)).isInstanceOf(SealException.class)
                .hasMessageContaining("chunk 0").hasMessageContaining("does not authenticate");
        byte[] longer = Arrays.copyOf(sealed, sealed.length + 1);
        assertThatThrownBy(() -> open(longer, key)).isInstanceOf(SealException.class)
                .hasMessageContaining("after its last chunk");
        assertThatThrownBy(() -> open(sealed, DataKey.random())).isInstanceOf(SealException.class)
                .hasMessageContaining("another key");
        assertThatThrownBy(() -> open("plain text, not sealed".getBytes(), key)).isInstanceOf(SealException.class)
                .hasMessageContaining("HYPHASD1");
        // A header claiming a shorter file whose last chunk is cut there: the header is in every chunk's tag.
        byte[] shorter = Arrays.copyOf(sealed, h + c);
        java.nio.ByteBuffer.wrap(shorter, 12, 8).putLong(CHUNK);
        assertThatThrownBy(() -> open(shorter, key)).isInstanceOf(SealException.class);
        byte[] hugeChunk = sealed.clone();
        java.nio.ByteBuffer.wrap(hugeChunk, 8, 4).putInt(Integer.MAX_VALUE);
        assertThatThrownBy(() -> open(hugeChunk, key)).isInstanceOf(SealException.class)
                .hasMessageContaining("chunk of");
    }

    @Test
    void dataSealedByAnIndependentImplementationOpens() throws IOException {
        // Written by Python's `cryptography` (ChaCha20Poly1305) following the format in SealedData's documentation:
        // the fuzz seed under src/test/resources, bytes 0..255 five times under the all-zero key.
        byte[] sealed;
        try (var in = getClass().getResourceAsStream("/dev/hypha/core/fuzz/ParserFuzzTestInputs/sealedData/two-chunks")) {
            sealed = in.readAllBytes();
        }
        byte[] expected = new byte[1280];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) i;
        }
        DataKey zero = DataKey.of(new byte[32]);
        assertThat(open(sealed, zero)).isEqualTo(expected);
        assertThat(seal(expected, zero)).isEqualTo(sealed);
    }

    @Test
    void filesAppearOnlyWhenWholeAndAuthentic(@TempDir Path dir) throws IOException {
        byte[] plain = new byte[SealedData.DEFAULT_CHUNK + 5];
        new Random(2).nextBytes(plain);
        Path file = Files.write(dir.resolve("data.bin"), plain);
        DataKey key = DataKey.random();
        Path sealed = dir.resolve("data.sealed");
        SealedData.sealFile(file, sealed, key);
        Path opened = dir.resolve("out/data.bin");
        SealedData.openFile(sealed, opened, key);
        assertThat(Files.readAllBytes(opened)).isEqualTo(plain);

        byte[] bytes = Files.readAllBytes(sealed);
        bytes[bytes.length - 3] ^= 1; // the last chunk: the first was released to the stream before this one failed
        Files.write(sealed, bytes);
        Path refused = dir.resolve("refused.bin");
        assertThatThrownBy(() -> SealedData.openFile(sealed, refused, key)).isInstanceOf(SealException.class);
        assertThat(refused).doesNotExist();
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }
}

package dev.hypha.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashesTest {
    @Test
    void knownVectors() {
        assertThat(Hex.encode(Hashes.keccak256(new byte[0])))
                .isEqualTo("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
        assertThat(Hex.encode(Hashes.sha256("abc".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void fileIsHashedAndMissingFileIsNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("abc.txt");
        Files.writeString(file, "abc");
        assertThat(Hashes.sha256(file)).isEqualTo(Hashes.sha256("abc".getBytes(StandardCharsets.US_ASCII)));
        assertThatThrownBy(() -> Hashes.sha256(dir.resolve("missing")))
                .isInstanceOf(HyphaException.class).hasMessageContaining("missing")
                .satisfies(e -> assertThat(((HyphaException) e).category()).isEqualTo(ErrorCategory.NOT_FOUND));
    }

    @Property(tries = 50)
    void streamingEqualsWhole(@ForAll @Size(max = 200_000) byte[] data) throws Exception {
        assertThat(Hashes.sha256(new ByteArrayInputStream(data))).isEqualTo(Hashes.sha256(data));
    }

    @Test
    void hexDecodingIsStrict() {
        assertThat(Hex.decode("0x00ff")).containsExactly(0, 255);
        assertThat(Hex.decode("00FF")).containsExactly(0, 255);
        assertThatThrownBy(() -> Hex.decode("0xabc")).hasMessageContaining("even number of hex digits");
        assertThatThrownBy(() -> Hex.decode("0xzz")).hasMessageContaining("not a hex byte string: '0xzz'");
        assertThatThrownBy(() -> Hex.decode("0x00", 32, "private key")).hasMessage("private key must be 32 bytes (64 hex digits) but has 1 bytes");
    }

    @Property
    void hexRoundTrips(@ForAll @Size(max = 64) byte[] data) {
        assertThat(Hex.decode(Hex.encode(data))).isEqualTo(data);
    }
}

package dev.hypha.core.cid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.HyphaException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentIdTest {
    static final String HELLO_WORLD = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";

    @Test
    void helloWorldHasTheIpfsId() {
        assertThat(ContentIds.of("hello world".getBytes(StandardCharsets.US_ASCII)).toString()).isEqualTo(HELLO_WORLD);
    }

    @Test
    void emptyFileIsTheRawLeafOfNoBytes() {
        assertThat(ContentIds.of(new byte[0]).toString())
                .isEqualTo("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
    }

    @Test
    void pathStreamAndBytesAgree(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("hello.txt");
        Files.writeString(file, "hello world");
        assertThat(ContentIds.of(file).toString()).isEqualTo(HELLO_WORLD);
        assertThat(ContentIds.of(Files.newInputStream(file)).toString()).isEqualTo(HELLO_WORLD);
    }

    @Test
    void identifyGivesCidAndFlatSha256InOnePass(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("two-chunks.bin");
        byte[] content = new byte[(1 << 20) + 5];
        new java.util.Random(7).nextBytes(content);
        Files.write(file, content);
        ContentIdentity identity = ContentIds.identify(file);
        assertThat(identity.cid()).isEqualTo(ContentIds.of(content));
        assertThat(identity.cid().codec()).isEqualTo(ContentId.DAG_PB);
        assertThat(identity.sha256()).isEqualTo(dev.hypha.core.crypto.Hashes.sha256(content));
        assertThat(identity.size()).isEqualTo(content.length);
        assertThat(ContentIds.identify(Files.newInputStream(file), BlockSink.NONE)).isEqualTo(identity);
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> ContentIds.of(dir.resolve("nope.bin")))
                .isInstanceOf(HyphaException.class).hasMessageContaining("no such file").hasMessageContaining("nope.bin");
    }

    @Test
    void parseReadsBackTheParts() {
        ContentId cid = ContentId.parse(HELLO_WORLD);
        assertThat(cid.codec()).isEqualTo(ContentId.RAW);
        assertThat(cid.version()).isEqualTo(1);
        assertThat(cid.multihash().code()).isEqualTo(Multihash.SHA2_256);
        assertThat(cid.toString()).isEqualTo(HELLO_WORLD);
        assertThat(ContentId.fromBytes(cid.bytes())).isEqualTo(cid);
    }

    @Test
    void malformedTextGivesClearErrors() {
        assertThatThrownBy(() -> ContentId.parse("")).hasMessageContaining("missing content id");
        assertThatThrownBy(() -> ContentId.parse("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA"))
                .hasMessageContaining("multibase 'z'");
        assertThatThrownBy(() -> ContentId.parse("QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs8u"))
                .hasMessageContaining("CIDv0");
        assertThatThrownBy(() -> ContentId.parse("BAFKREIFZJUT3TE2NHYEKKLSS27NH3K72YSCO7Y32KOAO5EEI66WOF36N5E"))
                .hasMessageContaining("multibase 'B'");
        assertThatThrownBy(() -> ContentId.parse(HELLO_WORLD.substring(0, 20)))
                .isInstanceOf(HyphaException.class).hasMessageContaining(HELLO_WORLD.substring(0, 20));
        assertThatThrownBy(() -> ContentId.parse(HELLO_WORLD + "aa")).isInstanceOf(HyphaException.class);
        assertThatThrownBy(() -> ContentId.parse("b" + "1".repeat(10))).hasMessageContaining("not lower-case base32");
    }

    @Test
    void truncatedVarintAndUnsupportedHashOrCodecAreNamed() {
        assertThatThrownBy(() -> ContentId.fromBytes(new byte[] {1, (byte) 0x80})).hasMessageContaining("truncated varint");
        byte[] blake = {1, 0x55, (byte) 0xa0, (byte) 0xe4, 0x02, 32};
        assertThatThrownBy(() -> ContentId.fromBytes(blake)).hasMessageContaining("unsupported multihash function 0x");
        byte[] dagCbor = {1, 0x71, 0x12, 32};
        assertThatThrownBy(() -> ContentId.fromBytes(dagCbor)).hasMessageContaining("unsupported CID codec 0x71");
        byte[] shortDigest = {1, 0x55, 0x12, 20, 1, 2, 3};
        assertThatThrownBy(() -> ContentId.fromBytes(shortDigest)).hasMessageContaining("20-byte digest");
        byte[] version2 = {2, 0x55};
        assertThatThrownBy(() -> ContentId.fromBytes(version2)).hasMessageContaining("CID version 2");
    }
}

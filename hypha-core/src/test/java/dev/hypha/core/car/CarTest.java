package dev.hypha.core.car;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * CARv1 as the IPLD spec lays it out: the dag-cbor header byte for byte, sections that read back, and a reader that
 * refuses hostile streams (truncated, oversized, tampered, CIDv0, another version) with a message naming the fault.
 * (Interoperability with @ipld/car, the JavaScript reference, is tested both ways in hypha-node's HeliaInteropTest.)
 */
class CarTest {
    private static final byte[] HELLO = "hello world".getBytes(StandardCharsets.UTF_8);
    private static final ContentId HELLO_ID = ContentId.raw(HELLO);

    private static byte[] car(List<byte[]> roots, ContentId cid, byte[] block) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CarWriter writer = new CarWriter(out, roots);
        if (cid != null) writer.write(cid, block);
        assertThat(writer.bytesWritten()).isEqualTo(out.size());
        return out.toByteArray();
    }

    @Test
    void theHeaderIsCanonicalDagCbor() {
        byte[] header = CarHeader.encode(List.of(HELLO_ID.bytes()));
        String expected = "a2" // map of 2, definite length
                + "65" + HexFormat.of().formatHex("roots".getBytes(StandardCharsets.US_ASCII))
                + "81" + "d82a" + "5825" + "00" + HexFormat.of().formatHex(HELLO_ID.bytes()) // [tag 42(bytes(0x00 cid))]
                + "67" + HexFormat.of().formatHex("version".getBytes(StandardCharsets.US_ASCII)) + "01";
        assertThat(HexFormat.of().formatHex(header)).isEqualTo(expected);
        assertThat(CarHeader.decode(header)).containsExactly(HELLO_ID.bytes());
    }

    @Test
    void blocksReadBackVerified() throws IOException {
        byte[] bytes = car(List.of(HELLO_ID.bytes()), HELLO_ID, HELLO);
        CarReader reader = CarReader.open(new ByteArrayInputStream(bytes));
        assertThat(reader.roots()).containsExactly(HELLO_ID.bytes());
        Optional<CarReader.Block> block = reader.next();
        assertThat(block).hasValueSatisfying(b -> {
            assertThat(b.cid()).isEqualTo(HELLO_ID);
            assertThat(b.bytes()).isEqualTo(HELLO);
        });
        assertThat(reader.next()).isEmpty();
        assertThat(reader.bytesRead()).isEqualTo(bytes.length);
    }

    @Test
    void aTamperedBlockIsRefusedNamingItsId() throws IOException {
        byte[] bytes = car(List.of(HELLO_ID.bytes()), HELLO_ID, HELLO);
        bytes[bytes.length - 1] ^= 1;
        CarReader reader = CarReader.open(new ByteArrayInputStream(bytes));
        assertThatThrownBy(reader::next).isInstanceOf(HyphaException.class)
                .hasMessageContaining("CAR block " + HELLO_ID + " failed verification");
    }

    @Test
    void aTruncatedStreamIsRefusedWhereverItIsCut() throws IOException {
        byte[] bytes = car(List.of(HELLO_ID.bytes()), HELLO_ID, HELLO);
        int headerEnd = bytes.length - (1 + HELLO_ID.bytes().length + HELLO.length);
        for (int cut = 1; cut < bytes.length; cut++) {
            byte[] torn = Arrays.copyOf(bytes, cut);
            if (cut == headerEnd) {
                assertThat(CarReader.open(new ByteArrayInputStream(torn)).next()).as("a clean end after the header").isEmpty();
                continue;
            }
            assertThatThrownBy(() -> CarReader.open(new ByteArrayInputStream(torn)).next())
                    .as("cut at %d", cut).isInstanceOf(HyphaException.class).hasMessageContaining("CAR");
        }
    }

    @Test
    void lengthsOutOfBoundsAreRefusedBeforeAnythingIsAllocated() throws IOException {
        byte[] header = car(List.of(HELLO_ID.bytes()), null, null);
        byte[] hugeSection = Arrays.copyOf(header, header.length + 5);
        System.arraycopy(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}, 0, hugeSection, header.length, 5);
        assertThatThrownBy(() -> CarReader.open(new ByteArrayInputStream(hugeSection)).next())
                .isInstanceOf(HyphaException.class).hasMessageContaining("a block may hold at most");
        byte[] hugeHeader = {(byte) 0xff, (byte) 0xff, 0x7f};
        assertThatThrownBy(() -> CarReader.open(new ByteArrayInputStream(hugeHeader)))
                .isInstanceOf(HyphaException.class).hasMessageContaining("CAR header of 2097151 bytes");
        byte[] endless = new byte[20];
        Arrays.fill(endless, (byte) 0x80);
        assertThatThrownBy(() -> CarReader.open(new ByteArrayInputStream(endless)))
                .isInstanceOf(HyphaException.class).hasMessageContaining("longer than 9 bytes");
    }

    @Test
    void aCidV0BlockOrAnotherVersionIsRefused() throws IOException {
        byte[] header = car(List.of(HELLO_ID.bytes()), null, null);
        ByteArrayOutputStream v0 = new ByteArrayOutputStream();
        v0.writeBytes(header);
        byte[] multihash = Arrays.copyOfRange(HELLO_ID.bytes(), 2, HELLO_ID.bytes().length); // 0x12 0x20 digest
        v0.write(multihash.length + HELLO.length);
        v0.writeBytes(multihash);
        v0.writeBytes(HELLO);
        assertThatThrownBy(() -> CarReader.open(new ByteArrayInputStream(v0.toByteArray())).next())
                .isInstanceOf(HyphaException.class).hasMessageContaining("CIDv0");

        byte[] version2 = CarHeader.encode(List.of()).clone();
        version2[version2.length - 1] = 0x02;
        assertThatThrownBy(() -> CarHeader.decode(version2)).isInstanceOf(HyphaException.class)
                .hasMessageContaining("CAR version 2 is not supported");
        assertThatThrownBy(() -> CarHeader.decode(new byte[] {(byte) 0xa0})).isInstanceOf(HyphaException.class)
                .hasMessageContaining("CAR version null");
        assertThatThrownBy(() -> CarHeader.decode("{}".getBytes(StandardCharsets.US_ASCII))).isInstanceOf(HyphaException.class);
    }
}

package dev.hypha.core.cid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Properties of content ids, the importer and the verifier over arbitrary inputs. */
class CidPropertiesTest {

    @Property
    void textFormRoundTrips(@ForAll @Size(32) byte[] digest, @ForAll boolean dagPb) {
        ContentId cid = new ContentId(dagPb ? ContentId.DAG_PB : ContentId.RAW, new Multihash(Multihash.SHA2_256, digest));
        assertThat(ContentId.parse(cid.toString())).isEqualTo(cid);
        assertThat(ContentId.fromBytes(cid.bytes())).isEqualTo(cid);
        assertThat(cid.toString()).startsWith(dagPb ? "bafy" : "bafk");
    }

    @Property
    void base32RoundTrips(@ForAll @Size(max = 100) byte[] data) {
        assertThat(Base32.decode(Base32.encode(data))).isEqualTo(data);
    }

    @Property
    void varintRoundTripsAndIsMinimal(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long value) {
        byte[] encoded = Varint.encode(value);
        assertThat(encoded).hasSize(Varint.size(value));
        Varint.ByteReader in = new Varint.ByteReader(encoded);
        assertThat(Varint.read(in, "test")).isEqualTo(value);
        assertThat(in.hasMore()).isFalse();
    }

    @Property
    void anyTextEitherParsesToItselfOrFailsWithAHyphaError(@ForAll("cidLikeText") String text) {
        try {
            assertThat(ContentId.parse(text).toString()).isEqualTo(text);
        } catch (HyphaException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property
    void anyBytesEitherDecodeCanonicallyOrFailWithAHyphaError(@ForAll @Size(max = 200) byte[] block) {
        try {
            DagPb.Node node = DagPb.decode(block);
            assertThat(DagPb.encode(node)).isEqualTo(block); // canonical: one byte string per node
        } catch (HyphaException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 200)
    void anyContentRoundTripsThroughImporterAndVerifier(@ForAll @Size(max = 3000) byte[] content,
                                                         @ForAll @IntRange(min = 1, max = 64) int chunkSize,
                                                         @ForAll @IntRange(min = 2, max = 6) int width) throws Exception {
        UnixFsImporter importer = new UnixFsImporter(chunkSize, width);
        MemoryBlockStore store = new MemoryBlockStore();
        ImportResult result = importer.importFrom(new ByteArrayInputStream(content), store);
        ByteArrayOutputStream rebuilt = new ByteArrayOutputStream();
        long size = new ChunkVerifier(store).verifyAndWrite(result.root(), rebuilt);
        assertThat(size).isEqualTo(content.length);
        assertThat(rebuilt.toByteArray()).isEqualTo(content);
        assertThat(result.root().codec()).isEqualTo(content.length <= chunkSize ? ContentId.RAW : ContentId.DAG_PB);
    }

    @Property(tries = 200)
    void aFlippedByteInAnyBlockIsDetected(@ForAll @Size(min = 1, max = 2000) byte[] content,
                                          @ForAll @IntRange(min = 1, max = 32) int chunkSize,
                                          @ForAll @IntRange(min = 2, max = 5) int width,
                                          @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE - 1) int blockPick,
                                          @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE - 1) int bytePick,
                                          @ForAll @IntRange(min = 1, max = 255) int flip) throws Exception {
        MemoryBlockStore store = new MemoryBlockStore();
        ImportResult result = new UnixFsImporter(chunkSize, width).importFrom(new ByteArrayInputStream(content), store);
        List<ContentId> ids = store.ids();
        ContentId victim = ids.get(blockPick % ids.size());
        byte[] block = store.get(victim).orElseThrow();
        if (block.length == 0) return; // the empty block has no byte to flip
        block[bytePick % block.length] ^= (byte) flip;
        store.overwrite(victim, block);
        assertThatThrownBy(() -> new ChunkVerifier(store).verify(result.root()))
                .isInstanceOf(HyphaException.class)
                .hasMessageContaining(victim.toString())
                .hasMessageContaining("failed verification");
    }

    @Provide
    Arbitrary<String> cidLikeText() {
        Arbitrary<String> base32ish = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz234567").ofMaxLength(70)
                .map(s -> "b" + s);
        Arbitrary<String> mutated = Arbitraries.integers().between(0, 58).flatMap(pos -> Arbitraries.of(
                "abcdefghijklmnopqrstuvwxyz234567A1=!".chars().mapToObj(c -> (char) c).toList()).map(c -> {
                    String good = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";
                    return good.substring(0, pos) + c + good.substring(pos + 1);
                }));
        return Arbitraries.oneOf(base32ish, mutated, Arbitraries.strings().ofMaxLength(60));
    }
}

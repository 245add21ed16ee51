package dev.hypha.core.cid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkVerifierTest {
    private static final byte[] CONTENT = "the quick brown fox jumps over the lazy dog".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static ImportResult importInto(MemoryBlockStore store) throws Exception {
        return new UnixFsImporter(8, 2).importFrom(new ByteArrayInputStream(CONTENT), store);
    }

    @Test
    void missingBlockIsNamedAsNotFound() throws Exception {
        MemoryBlockStore store = new MemoryBlockStore();
        ImportResult result = importInto(store);
        MemoryBlockStore partial = new MemoryBlockStore();
        ContentId dropped = ContentId.raw("the quic".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (ContentId id : store.ids()) if (!id.equals(dropped)) partial.put(id, store.get(id).orElseThrow());
        assertThatThrownBy(() -> new ChunkVerifier(partial).verify(result.root()))
                .isInstanceOf(HyphaException.class)
                .hasMessage("block " + dropped + " is missing")
                .satisfies(e -> assertThat(((HyphaException) e).category()).isEqualTo(ErrorCategory.NOT_FOUND));
    }

    @Test
    void nodeWhoseSizesDisagreeWithItsChildrenIsRejected() {
        MemoryBlockStore store = new MemoryBlockStore();
        byte[] leaf = "abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ContentId leafId = ContentId.raw(leaf);
        store.put(leafId, leaf);
        byte[] lying = DagPb.encode(new DagPb.Node(List.of(new DagPb.Link(leafId, "", 3), new DagPb.Link(leafId, "", 3)),
                new UnixFsData(7, List.of(3L, 4L)).encode()));
        ContentId root = ContentId.of(ContentId.DAG_PB, lying);
        store.put(root, lying);
        assertThatThrownBy(() -> new ChunkVerifier(store).verify(root))
                .hasMessageContaining("holds 3 bytes but its parent says 4");

        byte[] wrongTotal = DagPb.encode(new DagPb.Node(List.of(new DagPb.Link(leafId, "", 3)),
                new UnixFsData(5, List.of(3L)).encode()));
        ContentId root2 = ContentId.of(ContentId.DAG_PB, wrongTotal);
        store.put(root2, wrongTotal);
        assertThatThrownBy(() -> new ChunkVerifier(store).verify(root2)).hasMessageContaining("says filesize 5 but its block sizes add up to 3");

        byte[] countMismatch = DagPb.encode(new DagPb.Node(List.of(new DagPb.Link(leafId, "", 3)),
                new UnixFsData(3, List.of()).encode()));
        ContentId root3 = ContentId.of(ContentId.DAG_PB, countMismatch);
        store.put(root3, countMismatch);
        assertThatThrownBy(() -> new ChunkVerifier(store).verify(root3)).hasMessageContaining("1 links but 0 block sizes");
    }

    @Test
    void hostileFanOutClaimingAHugeFileIsRefusedBeforeTheWalk() throws Exception {
        MemoryBlockStore store = new MemoryBlockStore();
        byte[] leaf = new byte[1000];
        ContentId child = ContentId.raw(leaf);
        store.put(child, leaf);
        long size = 1000;
        for (int level = 0; level < 5; level++) { // 1000 * 1000^5 bytes claimed from a few MB of blocks
            List<DagPb.Link> links = new ArrayList<>();
            List<Long> sizes = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                links.add(new DagPb.Link(child, "", 1));
                sizes.add(size);
            }
            size = Math.multiplyExact(size, 1000);
            byte[] node = DagPb.encode(new DagPb.Node(links, new UnixFsData(size, sizes).encode()));
            child = ContentId.of(ContentId.DAG_PB, node);
            store.put(child, node);
        }
        ContentId root = child;
        assertThatThrownBy(() -> new ChunkVerifier(store).verifyAndWrite(root, java.io.OutputStream.nullOutputStream(), 1L << 40))
                .hasMessageContaining("claims 1000000000000000000 bytes")
                .hasMessageContaining("more than the allowed " + (1L << 40));
    }

    @Test
    void childThatClaimsMoreThanItsParentSaysIsRefusedBeforeDescending() {
        MemoryBlockStore store = new MemoryBlockStore();
        byte[] leaf = {1, 2, 3};
        ContentId leafId = ContentId.raw(leaf);
        store.put(leafId, leaf);
        byte[] big = DagPb.encode(new DagPb.Node(List.of(new DagPb.Link(leafId, "", 3), new DagPb.Link(leafId, "", 3)),
                new UnixFsData(6, List.of(3L, 3L)).encode()));
        ContentId bigId = ContentId.of(ContentId.DAG_PB, big);
        store.put(bigId, big);
        byte[] parent = DagPb.encode(new DagPb.Node(List.of(new DagPb.Link(bigId, "", 10)), new UnixFsData(2, List.of(2L)).encode()));
        ContentId parentId = ContentId.of(ContentId.DAG_PB, parent);
        store.put(parentId, parent);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertThatThrownBy(() -> new ChunkVerifier(store).verifyAndWrite(parentId, out))
                .hasMessageContaining("block " + bigId + " says filesize 6 but its parent says 2");
        assertThat(out.size()).isZero();
    }

    @Test
    void treeDeeperThanTheBoundIsRejected() {
        MemoryBlockStore store = new MemoryBlockStore();
        byte[] leaf = {42};
        ContentId child = ContentId.raw(leaf);
        store.put(child, leaf);
        for (int depth = 0; depth <= ChunkVerifier.MAX_DEPTH + 1; depth++) {
            byte[] node = DagPb.encode(new DagPb.Node(List.of(new DagPb.Link(child, "", 1)), new UnixFsData(1, List.of(1L)).encode()));
            child = ContentId.of(ContentId.DAG_PB, node);
            store.put(child, node);
        }
        ContentId root = child;
        assertThatThrownBy(() -> new ChunkVerifier(store).verify(root)).hasMessageContaining("deeper than " + ChunkVerifier.MAX_DEPTH);
    }

    @Test
    void dagPbBlockThatIsNotAUnixFsFileIsNamed() {
        MemoryBlockStore store = new MemoryBlockStore();
        byte[] directory = DagPb.encode(new DagPb.Node(List.of(), new byte[] {0x08, 0x01}));
        ContentId id = ContentId.of(ContentId.DAG_PB, directory);
        store.put(id, directory);
        assertThatThrownBy(() -> new ChunkVerifier(store).verify(id))
                .hasMessageContaining("block " + id + " is not a UnixFS file node")
                .hasMessageContaining("type 1");
    }

    @Test
    void nonCanonicalDagPbIsRejected() {
        ContentId leaf = ContentId.raw(new byte[] {1});
        byte[] canonical = DagPb.encode(new DagPb.Node(List.of(new DagPb.Link(leaf, "", 1)), new UnixFsData(1, List.of(1L)).encode()));
        // move Data (field 1) in front of the link (field 2): valid protobuf, not canonical dag-pb
        int linkLength = canonical.length - (2 + new UnixFsData(1, List.of(1L)).encode().length);
        List<Byte> swapped = new ArrayList<>();
        for (int i = linkLength; i < canonical.length; i++) swapped.add(canonical[i]);
        for (int i = 0; i < linkLength; i++) swapped.add(canonical[i]);
        byte[] reordered = new byte[swapped.size()];
        for (int i = 0; i < reordered.length; i++) reordered[i] = swapped.get(i);
        assertThat(DagPb.decode(canonical).links()).hasSize(1);
        assertThatThrownBy(() -> DagPb.decode(reordered)).hasMessageContaining("Links after Data");
    }

    @Test
    void verifiedBytesAreTheOriginal() throws Exception {
        MemoryBlockStore store = new MemoryBlockStore();
        ImportResult result = importInto(store);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertThat(new ChunkVerifier(store).verifyAndWrite(result.root(), out)).isEqualTo(CONTENT.length);
        assertThat(out.toByteArray()).isEqualTo(CONTENT);
    }

    /** Counts fetches; fails the test (instead of walking for hours) once they pass {@code limit}. */
    private static final class CountingSource implements BlockSource {
        final MemoryBlockStore store;
        final long limit;
        long fetches;

        CountingSource(MemoryBlockStore store, long limit) {
            this.store = store;
            this.limit = limit;
        }

        @Override
        public java.util.Optional<byte[]> get(ContentId cid) {
            if (++fetches > limit) throw new AssertionError("the walk fetched more than " + limit + " blocks");
            return store.get(cid);
        }
    }

    /** A node of {@code width} links, all to {@code child}, each declaring {@code childSize} bytes. */
    private static ContentId repeat(MemoryBlockStore store, ContentId child, int width, long childSize) {
        List<DagPb.Link> links = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            links.add(new DagPb.Link(child, "", childSize));
            sizes.add(childSize);
        }
        byte[] node = DagPb.encode(new DagPb.Node(links, new UnixFsData(childSize * width, sizes).encode()));
        ContentId id = ContentId.of(ContentId.DAG_PB, node);
        store.put(id, node);
        return id;
    }

    @Test
    void zeroSizedLinksCannotMultiplyTheWork() {
        // 6 distinct blocks, file size 0: an empty leaf, then 5 levels of 16 links each to the level below. Before
        // the fix the walk fetched 16^5 + ... = 1.1 million blocks to produce 0 bytes.
        MemoryBlockStore store = new MemoryBlockStore();
        ContentId node = ContentId.raw(new byte[0]);
        store.put(node, new byte[0]);
        for (int level = 0; level < 5; level++) node = repeat(store, node, 16, 0);
        ContentId root = node;
        CountingSource source = new CountingSource(store, 10_000_000);

        assertThatThrownBy(() -> new ChunkVerifier(source).verify(root))
                .isInstanceOf(HyphaException.class)
                .hasMessageContaining("block " + root + " links a subtree of 0 bytes")
                .hasMessageContaining("at least one byte");
        assertThat(source.fetches).isEqualTo(1);
    }

    @Test
    void verifyFetchesEachDistinctBlockOnceHoweverOftenItIsLinked() {
        // 5 distinct blocks describing a 10^12-byte file of one repeated byte: a walk that follows every link makes
        // 10^12 fetches; verify (which keeps no bytes) needs each distinct block once.
        MemoryBlockStore store = new MemoryBlockStore();
        ContentId node = ContentId.raw(new byte[] {'x'});
        store.put(node, new byte[] {'x'});
        long size = 1;
        for (int level = 0; level < 4; level++) {
            node = repeat(store, node, 1000, size);
            size *= 1000;
        }
        CountingSource source = new CountingSource(store, 100_000);

        assertThat(new ChunkVerifier(source).verify(node)).isEqualTo(1_000_000_000_000L);
        assertThat(source.fetches).isEqualTo(5);
    }

    @Test
    void repeatedSubtreesAreWrittenFromVerifiedBlocksWithoutFetchingThemAgain() throws Exception {
        // a million 'x' bytes from 3 distinct blocks (as a file of repeated chunks is): the bytes must all be
        // written, but each block is fetched and hashed once
        MemoryBlockStore store = new MemoryBlockStore();
        ContentId leaf = ContentId.raw(new byte[] {'x'});
        store.put(leaf, new byte[] {'x'});
        ContentId root = repeat(store, repeat(store, leaf, 1000, 1), 1000, 1000);
        CountingSource source = new CountingSource(store, 100_000);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

        assertThat(new ChunkVerifier(source).verifyAndWrite(root, out, 1_000_000)).isEqualTo(1_000_000);
        assertThat(out.toByteArray()).hasSize(1_000_000).containsOnly('x');
        assertThat(source.fetches).isEqualTo(3);
    }
}

package dev.hypha.node.gateway.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.DagPb;
import dev.hypha.core.cid.UnixFsData;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.offers.Offer;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A puller facing providers that lie (real HTTP on loopback; the "provider" is a handful of blocks served as they are,
 * whatever they say): an oversized block, a DAG whose sizes do not add up or do not match its leaves, a file bigger
 * than allowed, leaves that break the profile. Each pull fails with a message naming what was wrong, having fetched
 * only what it had to, and nothing reaches the store.
 */
class HostilePeersTest {
    private static final Address PROVIDER = Address.parse("0x00000000000000000000000000000000000000a1");

    @TempDir
    Path home;
    private final List<ApiServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(ApiServer::close);
    }

    /** Serves exactly these blocks under /ipfs/{cid}, counting requests; anything else is a 404. */
    private record Peer(ApiServer server, Map<String, byte[]> blocks, int[] requests) {
        URI endpoint() {
            return URI.create("http://127.0.0.1:" + server.port());
        }
    }

    private Peer peer(Map<String, byte[]> blocks) {
        int[] requests = {0};
        ApiServer server = new ApiServer("127.0.0.1", 0, List.of(api -> api.get("/ipfs/{cid}", ctx -> {
            requests[0]++;
            byte[] block = blocks.get(ctx.pathParam("cid"));
            if (block == null) ctx.status(404);
            else ctx.contentType(BlockRoutes.RAW_BLOCK).result(block);
        })));
        server.start();
        servers.add(server);
        return new Peer(server, blocks, requests);
    }

    private Puller puller(Peer peer, ContentId root, long maxBytes) {
        Offer offer = new Offer(PROVIDER, peer.endpoint(), PROVIDER, "liar:latest",
                Hex.encode(root.multihash().digest()), PROVIDER, BigInteger.ONE, BigInteger.ONE, 2048, 1,
                Instant.now().plusSeconds(3600));
        return new Puller(new ModelStore(home, Clock.systemUTC()), () -> List.of(offer), o -> HttpClient.newHttpClient(),
                o -> true, Clock.systemUTC(), new Puller.Settings(2, 8, maxBytes));
    }

    private static byte[] parent(List<ContentId> children, List<Long> sizes, long fileSize) {
        List<DagPb.Link> links = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) links.add(new DagPb.Link(children.get(i), "", sizes.get(i)));
        return DagPb.encode(new DagPb.Node(links, new UnixFsData(fileSize, sizes).encode()));
    }

    private static PullException pullFails(Puller puller) {
        try {
            puller.pull("liar", PullStatus.Listener.NONE);
        } catch (PullException e) {
            return e;
        }
        throw new AssertionError("the pull succeeded");
    }

    @Test
    void aBlockBiggerThanAllowedDropsTheProviderAfterReadingAtMostTheLimit() {
        byte[] leaf = new byte[10];
        ContentId leafId = ContentId.raw(leaf);
        byte[] root = parent(List.of(leafId), List.of(10L), 10);
        ContentId rootId = ContentId.of(ContentId.DAG_PB, root);
        Map<String, byte[]> blocks = new HashMap<>();
        blocks.put(rootId.toString(), root);
        blocks.put(leafId.toString(), new byte[3 << 20]); // 3 MiB where 10 bytes belong
        PullException e = pullFails(puller(peer(blocks), rootId, 1L << 30));
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.getMessage()).contains("sent more than 10 bytes for block " + leafId).contains("every provider failed");
    }

    @Test
    void aDagWhoseLeafIsShorterThanItsParentSaysFailsNamingTheLeaf() {
        byte[] leaf = "abc".getBytes();
        ContentId leafId = ContentId.raw(leaf);
        byte[] root = parent(List.of(leafId), List.of(5L), 5); // the leaf holds 3 bytes
        ContentId rootId = ContentId.of(ContentId.DAG_PB, root);
        Peer peer = peer(Map.of(rootId.toString(), root, leafId.toString(), leaf));
        PullException e = pullFails(puller(peer, rootId, 1L << 30));
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.getMessage()).contains("leaf " + leafId + " holds 3 bytes but its parent says 5");
    }

    @Test
    void aRootWhoseSizesDoNotAddUpIsRefusedBeforeAnyLeafIsFetched() {
        ContentId leafId = ContentId.raw("abc".getBytes());
        byte[] root = parent(List.of(leafId), List.of(3L), 1000); // claims 1000 bytes from a 3-byte link
        ContentId rootId = ContentId.of(ContentId.DAG_PB, root);
        Peer peer = peer(Map.of(rootId.toString(), root, leafId.toString(), "abc".getBytes()));
        PullException e = pullFails(puller(peer, rootId, 1L << 30));
        assertThat(e.getMessage()).contains("block " + rootId + " says it holds 1000 bytes but its block sizes add up to 3");
        assertThat(peer.requests()[0]).as("only the root was asked for").isEqualTo(1);
    }

    @Test
    void aFileBiggerThanTheLimitIsRefusedFromTheRootsClaimAlone() {
        List<ContentId> leaves = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            leaves.add(ContentId.raw(new byte[] {(byte) i}));
            sizes.add((long) FilePlan.CHUNK);
        }
        byte[] root = parent(leaves, sizes, 3L * FilePlan.CHUNK);
        ContentId rootId = ContentId.of(ContentId.DAG_PB, root);
        Peer peer = peer(Map.of(rootId.toString(), root));
        PullException e = pullFails(puller(peer, rootId, 2L * FilePlan.CHUNK));
        assertThat(e.status()).isEqualTo(507);
        assertThat(e.getMessage()).contains("is " + 3L * FilePlan.CHUNK + " bytes, more than the " + 2L * FilePlan.CHUNK);
        assertThat(peer.requests()[0]).isEqualTo(1);
    }

    @Test
    void aShortLeafBeforeTheLastBreaksTheProfileAndIsRefused() {
        ContentId a = ContentId.raw("short".getBytes());
        ContentId b = ContentId.raw("tail".getBytes());
        byte[] root = parent(List.of(a, b), List.of(5L, 4L), 9);
        ContentId rootId = ContentId.of(ContentId.DAG_PB, root);
        Peer peer = peer(Map.of(rootId.toString(), root));
        PullException e = pullFails(puller(peer, rootId, 1L << 30));
        assertThat(e.getMessage()).contains("only the last leaf of a file may hold less than " + FilePlan.CHUNK);
    }

    @Test
    void aProviderThatHasNoBlocksOfWhatItOffersIsA502NamingIt() {
        ContentId rootId = ContentId.of(ContentId.DAG_PB, parent(List.of(ContentId.raw(new byte[1])), List.of(1L), 1));
        PullException e = pullFails(puller(peer(Map.of()), rootId, 1L << 30));
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.getMessage()).contains("do not serve its blocks");
    }

    @Test
    void aNameOrTextThatIsNeitherIsA400() {
        ContentId rootId = ContentId.raw(new byte[1]);
        Puller puller = puller(peer(Map.of()), rootId, 1L << 30);
        assertThatThrownBy(() -> puller.pull("not a name!", PullStatus.Listener.NONE))
                .isInstanceOfSatisfying(PullException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining("invalid model name 'not a name!'");
        assertThatThrownBy(() -> puller.pull("other", PullStatus.Listener.NONE))
                .isInstanceOfSatisfying(PullException.class, e -> assertThat(e.status()).isEqualTo(404));
    }
}

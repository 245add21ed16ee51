package dev.hypha.node.content;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.car.CarReader;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.cid.DagPb;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.http.ApiServer;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider's blocks over real HTTP on loopback: hypha-tiny (3 MiB: a dag-pb root over 3 raw leaves) in a store,
 * served as a Trustless Gateway serves single blocks; only the blocks of stored models, never a damaged one; the saved
 * index is reused, and rebuilt when damaged.
 */
class BlockRoutesTest {
    @TempDir
    Path home;
    private ModelStore store;
    private ContentId root;
    private ApiServer server;
    private BlockRoutes routes;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void serve() throws Exception {
        Path file = home.resolve("hypha-tiny.gguf");
        try (InputStream in = getClass().getResourceAsStream("/dev/hypha/node/devnet/hypha-tiny.gguf")) {
            Files.copy(in, file);
        }
        store = new ModelStore(home, Clock.systemUTC());
        root = store.importModel(file, ModelName.parse("hypha-tiny"), (d, t) -> { }).manifest().cid();
        server = start();
    }

    private ApiServer start() {
        routes = BlockRoutes.forStore(store, home);
        ApiServer s = new ApiServer("127.0.0.1", 0, List.of(routes));
        s.start();
        return s;
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.close();
        client.close();
        routes.awaitIndexed(); // its index files go into the temporary home JUnit deletes next
    }

    private HttpResponse<byte[]> get(String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (accept != null) b.header("Accept", accept);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void servesEveryBlockOfAStoredModelVerifiedAsTheTrustlessGatewayDoes() throws Exception {
        HttpResponse<byte[]> rootBlock = get("/ipfs/" + root + "?format=raw", null);
        assertThat(rootBlock.statusCode()).isEqualTo(200);
        assertThat(rootBlock.headers().firstValue("Content-Type")).hasValue("application/vnd.ipld.raw");
        assertThat(root.matches(rootBlock.body())).isTrue();
        List<DagPb.Link> links = DagPb.decode(rootBlock.body()).links();
        assertThat(links).hasSize(3);
        long total = 0;
        for (DagPb.Link link : links) {
            HttpResponse<byte[]> leaf = get("/ipfs/" + link.hash(), "application/vnd.ipld.raw");
            assertThat(leaf.statusCode()).isEqualTo(200);
            assertThat(link.hash().matches(leaf.body())).isTrue();
            total += leaf.body().length;
        }
        assertThat(total).isEqualTo(Files.size(store.resolve(ModelName.parse("hypha-tiny"))));
    }

    @Test
    void refusesMalformedRequestsUnknownBlocksAndUnservedFormats() throws Exception {
        HttpResponse<byte[]> noFormat = get("/ipfs/" + root, null);
        assertThat(noFormat.statusCode()).as("no verifiable format asked for").isEqualTo(400);
        assertThat(new String(noFormat.body())).contains("add ?format=raw or ?format=car");
        assertThat(get("/ipfs/" + root, "text/html").statusCode()).as("a deserialized answer").isEqualTo(406);
        assertThat(get("/ipfs/" + root, "application/vnd.ipld.car; version=2").statusCode()).isEqualTo(406);
        assertThat(get("/ipfs/" + root + "?format=tar", null).statusCode()).isEqualTo(400);
        assertThat(get("/ipfs/" + root + "?format=car&dag-scope=everything", null).statusCode()).isEqualTo(400);
        assertThat(get("/ipfs/" + root + "?format=car&car-version=2", null).statusCode()).isEqualTo(400);
        assertThat(get("/ipfs/" + root + "?format=raw&dag-scope=all", null).statusCode()).isEqualTo(400);
        HttpResponse<byte[]> unknown = get("/ipfs/" + ContentIds.of("hello world".getBytes()) + "?format=raw", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(new String(unknown.body())).contains("is not part of any model this provider serves");
        assertThat(get("/ipfs/" + ContentIds.of("hello world".getBytes()) + "?format=car", null).statusCode()).isEqualTo(404);
        HttpResponse<byte[]> onlyIfCached = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/ipfs/" + ContentIds.of("hello world".getBytes()) + "?format=raw")).header("Cache-Control", "only-if-cached")
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(onlyIfCached.statusCode()).as("the spec's answer to only-if-cached").isEqualTo(412);
        HttpResponse<byte[]> garbage = get("/ipfs/not-a-cid?format=raw", null);
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(new String(garbage.body())).contains("not a content id: 'not-a-cid'");
        assertThat(get("/ipfs/b" + "a".repeat(200) + "?format=raw", null).statusCode()).isEqualTo(400);
    }

    @Test
    void servesTheWholeDagAsACarDepthFirstRootFirst() throws Exception {
        HttpResponse<byte[]> car = get("/ipfs/" + root + "?format=car", null);
        assertThat(car.statusCode()).isEqualTo(200);
        assertThat(car.headers().firstValue("Content-Type")).hasValue("application/vnd.ipld.car; version=1; order=dfs; dups=n");
        assertThat(car.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"" + root + ".car\"");
        assertThat(car.headers().firstValue("Etag")).hasValue("\"" + root + ".car.all.dfs.n\"");
        CarReader reader = CarReader.open(new java.io.ByteArrayInputStream(car.body()));
        assertThat(reader.roots()).containsExactly(root.bytes());
        List<ContentId> order = new java.util.ArrayList<>();
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        for (var b = reader.next(); b.isPresent(); b = reader.next()) {
            order.add(b.get().cid());
            if (b.get().cid().codec() == ContentId.RAW) file.writeBytes(b.get().bytes());
        }
        byte[] rootBlock = get("/ipfs/" + root + "?format=raw", null).body();
        List<ContentId> expected = new java.util.ArrayList<>(List.of(root));
        DagPb.decode(rootBlock).links().forEach(l -> expected.add(l.hash()));
        assertThat(order).as("root, then its leaves in link order").isEqualTo(expected);
        assertThat(file.toByteArray()).isEqualTo(Files.readAllBytes(store.resolve(ModelName.parse("hypha-tiny"))));

        HttpResponse<byte[]> byAccept = get("/ipfs/" + root, "application/vnd.ipld.car; version=1; order=dfs; dups=y");
        assertThat(byAccept.headers().firstValue("Content-Type")).hasValue("application/vnd.ipld.car; version=1; order=dfs; dups=y");
        assertThat(byAccept.body()).as("no block repeats in this DAG").isEqualTo(car.body());

        HttpResponse<byte[]> blockOnly = get("/ipfs/" + root + "?format=car&dag-scope=block", null);
        CarReader one = CarReader.open(new java.io.ByteArrayInputStream(blockOnly.body()));
        assertThat(one.next()).hasValueSatisfying(b -> assertThat(b.cid()).isEqualTo(root));
        assertThat(one.next()).as("dag-scope=block: the root block only").isEmpty();
    }

    @Test
    void entityBytesSendsOnlyTheBlocksThatHoldTheRange() throws Exception {
        byte[] rootBlock = get("/ipfs/" + root + "?format=raw", null).body();
        List<ContentId> leaves = DagPb.decode(rootBlock).links().stream().map(DagPb.Link::hash).toList();
        long mib = 1 << 20;
        assertThat(carBlocks("entity-bytes=0:99")).containsExactly(root, leaves.get(0));
        assertThat(carBlocks("entity-bytes=" + mib + ":" + mib)).containsExactly(root, leaves.get(1));
        assertThat(carBlocks("entity-bytes=" + (mib - 1) + ":" + mib)).containsExactly(root, leaves.get(0), leaves.get(1));
        assertThat(carBlocks("entity-bytes=-100:*")).as("the last 100 bytes").containsExactly(root, leaves.get(2));
        assertThat(carBlocks("entity-bytes=0:*")).containsExactly(root, leaves.get(0), leaves.get(1), leaves.get(2));
        assertThat(carBlocks("entity-bytes=499:-" + (2 * mib))).as("to counts from the end").containsExactly(root, leaves.get(0));
        assertThat(carBlocks("entity-bytes=0:99&dag-scope=block")).containsExactly(root);
        HttpResponse<byte[]> outside = get("/ipfs/" + root + "?format=car&entity-bytes=999999999:*", null);
        assertThat(outside.statusCode()).isEqualTo(400);
        assertThat(new String(outside.body())).contains("is outside the " + root + " file's bytes");
        assertThat(get("/ipfs/" + root + "?format=car&entity-bytes=9:1", null).statusCode()).isEqualTo(400);
        assertThat(get("/ipfs/" + root + "?format=car&entity-bytes=a:b", null).statusCode()).isEqualTo(400);
        assertThat(get("/ipfs/" + root + "?format=raw&entity-bytes=0:1", null).statusCode()).isEqualTo(400);
    }

    private List<ContentId> carBlocks(String query) throws Exception {
        HttpResponse<byte[]> car = get("/ipfs/" + root + "?format=car&" + query, null);
        assertThat(car.statusCode()).as(query).isEqualTo(200);
        CarReader reader = CarReader.open(new java.io.ByteArrayInputStream(car.body()));
        List<ContentId> ids = new java.util.ArrayList<>();
        for (var b = reader.next(); b.isPresent(); b = reader.next()) ids.add(b.get().cid());
        return ids;
    }

    @Test
    void headAnswersTheHeadersWithoutTheBodyAndTheProbeAnswers() throws Exception {
        HttpResponse<Void> head = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/ipfs/" + root + "?format=raw")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Type")).hasValue("application/vnd.ipld.raw");
        HttpResponse<Void> missing = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/ipfs/" + ContentIds.of("nope".getBytes()) + "?format=car")).method("HEAD",
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(missing.statusCode()).isEqualTo(404);

        HttpResponse<byte[]> probe = get("/ipfs/bafkqaaa?format=raw", null);
        assertThat(probe.statusCode()).isEqualTo(200);
        assertThat(probe.body()).isEmpty();
        HttpResponse<byte[]> probeCar = get("/ipfs/bafkqaaa", "application/vnd.ipld.car");
        assertThat(probeCar.statusCode()).isEqualTo(200);
        CarReader reader = CarReader.open(new java.io.ByteArrayInputStream(probeCar.body()));
        assertThat(reader.roots()).containsExactly(new byte[] {0x01, 0x55, 0x00, 0x00});
        assertThat(reader.next()).isEmpty();
    }

    @Test
    void aLeafDamagedOnDiskIsRefusedNotSent() throws Exception {
        byte[] rootBlock = get("/ipfs/" + root + "?format=raw", null).body();
        ContentId second = DagPb.decode(rootBlock).links().get(1).hash();
        Path blob = store.resolve(ModelName.parse("hypha-tiny"));
        try (RandomAccessFile f = new RandomAccessFile(blob.toFile(), "rw")) {
            f.seek((1 << 20) + 100); // inside the second leaf
            int b = f.read();
            f.seek((1 << 20) + 100);
            f.write(b ^ 0xff);
        }
        HttpResponse<byte[]> damaged = get("/ipfs/" + second + "?format=raw", null);
        assertThat(damaged.statusCode()).isEqualTo(500);
        assertThat(new String(damaged.body())).contains("block " + second + " is damaged on this provider");
        ContentId first = DagPb.decode(rootBlock).links().getFirst().hash();
        assertThat(get("/ipfs/" + first + "?format=raw", null).statusCode()).as("the intact leaves still go").isEqualTo(200);
    }

    @Test
    void theSavedIndexIsReusedAndRebuiltWhenDamaged() throws Exception {
        get("/ipfs/" + root + "?format=raw", null);
        Path saved = home.resolve("provider").resolve("blocks").resolve(root + ".index");
        assertThat(BlockIndex.read(saved)).hasValueSatisfying(i -> {
            assertThat(i.root()).isEqualTo(root);
            assertThat(i.fileSize()).isEqualTo(3_025_120L);
        });
        byte[] sound = Files.readAllBytes(saved);
        Files.write(saved, java.util.Arrays.copyOf(sound, sound.length - 7)); // torn
        assertThat(BlockIndex.read(saved)).isEmpty();
        server.close();
        server = start();
        assertThat(get("/ipfs/" + root + "?format=raw", null).statusCode()).isEqualTo(200);
        assertThat(Files.readAllBytes(saved)).isEqualTo(sound);
    }

    @Test
    void eachClientHasAtMostItsShareOfRequestsInFlight() {
        ClientLimit limit = new ClientLimit(2, 3);
        assertThat(limit.enter("a")).isTrue();
        assertThat(limit.enter("a")).isTrue();
        assertThat(limit.enter("a")).as("a's share is 2").isFalse();
        assertThat(limit.enter("b")).isTrue();
        assertThat(limit.enter("c")).as("3 in all").isFalse();
        limit.leave("a");
        assertThat(limit.enter("c")).isTrue();
        limit.leave("a");
        limit.leave("b");
        limit.leave("c");
        assertThat(limit.clients()).as("no client left behind").isZero();
        assertThat(limit.enter("a")).isTrue();
        assertThat(limit.enter("a")).isTrue();
    }
}

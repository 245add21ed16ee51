package dev.hypha.node.trustless;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.node.http.ApiServer;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Content moves between Hypha and a real IPFS implementation, Helia (JavaScript, from the repository's node_modules),
 * with the same content ids, over real HTTP on loopback, in both directions and both trustless response formats.
 */
class HeliaInteropTest {
    @TempDir
    Path dir;

    @Test
    void contentAddedInHeliaIsFetchedAndVerifiedByHyphaUnderTheSameId() throws Exception {
        Path big = dir.resolve("weights.bin"); // 2.5 MiB: a dag-pb root over three raw leaves
        byte[] bytes = new byte[(5 << 20) / 2];
        new Random(13).nextBytes(bytes);
        Files.write(big, bytes);
        Path small = dir.resolve("hello.txt"); // one raw block
        Files.writeString(small, "hello world");
        try (HeliaPeer.Gateway helia = HeliaPeer.gateway(List.of(big, small))) {
            assertThat(helia.cid(big)).as("Helia's id is Hypha's").isEqualTo(ContentIds.of(big).toString());
            assertThat(helia.cid(small)).isEqualTo("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
            try (TrustlessGateway gateway = new TrustlessGateway(URI.create(helia.url()))) {
                GatewayFetch fetch = new GatewayFetch(gateway, 1L << 30);
                for (GatewayFetch.Mode mode : GatewayFetch.Mode.values()) {
                    for (Path file : List.of(big, small)) {
                        ContentId cid = ContentId.parse(helia.cid(file));
                        Path out = dir.resolve("fetched-" + mode + "-" + file.getFileName());
                        GatewayFetch.Result result = fetch.fetch(cid, mode, out);
                        assertThat(Files.readAllBytes(out)).as(mode + " " + file).isEqualTo(Files.readAllBytes(file));
                        assertThat(result.bytes()).isEqualTo(Files.size(file));
                        assertThat(result.blocksReceived()).isEqualTo(file == big ? 4 : 1);
                        assertThat(ContentIds.of(out)).isEqualTo(cid);
                    }
                }
            }
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no scratch or partial files left")
                    .noneMatch(n -> n.startsWith("."));
        }
    }

    @Test
    void aFoldersDirectoryIdIsTheOneIpfsGivesIt() throws Exception {
        Path folder = dir.resolve("corpus");
        Files.createDirectories(folder.resolve("images/train"));
        Files.createDirectories(folder.resolve("empty"));
        Files.writeString(folder.resolve("README.md"), "# a dataset\n");
        Files.write(folder.resolve("zero.bin"), new byte[0]);
        byte[] big = new byte[1_300_000]; // a dag-pb file root: its link's size is the whole DAG's
        new Random(3).nextBytes(big);
        Files.write(folder.resolve("images/train/batch-0.bin"), big);
        Files.writeString(folder.resolve("images.txt"), "sorts before images/ by name");
        assertThat(dev.hypha.node.data.DataTree.scan(folder).root().cid().toString())
                .isEqualTo(HeliaPeer.directoryId(folder).lines().reduce((a, b) -> b).orElseThrow());
    }

    @Test
    void aDeepDagFromHeliaIsFetchedInEitherModeUnderTheIdHyphaComputes() throws Exception {
        // 1000-byte chunks under parents of width 4: 50 leaves under 3 levels of parents (13, 4, 1), so the CAR's
        // depth-first order and the walk over several levels are exercised with a small file.
        Path file = dir.resolve("deep.bin");
        byte[] bytes = new byte[50_000];
        new Random(21).nextBytes(bytes);
        Files.write(file, bytes);
        ContentId expected;
        try (InputStream in = Files.newInputStream(file)) {
            expected = new dev.hypha.core.cid.UnixFsImporter(1000, 4).importFrom(in, dev.hypha.core.cid.BlockSink.NONE).root();
        }
        try (HeliaPeer.Gateway helia = HeliaPeer.gateway(List.of(file), 1000, 4);
                TrustlessGateway gateway = new TrustlessGateway(URI.create(helia.url()))) {
            assertThat(helia.cid(file)).isEqualTo(expected.toString());
            for (GatewayFetch.Mode mode : GatewayFetch.Mode.values()) {
                Path out = dir.resolve("deep-" + mode);
                GatewayFetch.Result result = new GatewayFetch(gateway, 1 << 20).fetch(expected, mode, out);
                assertThat(out).as(mode.toString()).hasBinaryContent(bytes);
                assertThat(result.blocksReceived()).as("50 leaves and their 18 parents").isEqualTo(68);
            }
        }
    }

    @Test
    void contentStoredInHyphaIsFetchedAndVerifiedByHeliaUnderTheSameId() throws Exception {
        Path model = dir.resolve("hypha-tiny.gguf");
        try (InputStream in = getClass().getResourceAsStream("/dev/hypha/node/devnet/hypha-tiny.gguf")) {
            Files.copy(in, model);
        }
        Path home = dir.resolve("home");
        ModelStore store = new ModelStore(home, Clock.systemUTC());
        ContentId cid = store.importModel(model, ModelName.parse("hypha-tiny"), (d, t) -> { }).manifest().cid();
        BlockRoutes routes = BlockRoutes.forStore(store, home);
        try (ApiServer server = new ApiServer("127.0.0.1", 0, List.of(routes))) {
            server.start();
            String url = "http://127.0.0.1:" + server.port();

            Path viaBlocks = dir.resolve("helia-blocks.gguf");
            String fetched = HeliaPeer.fetch(url, cid.toString(), viaBlocks);
            assertThat(fetched).as("Helia's trustless-gateway broker, block by block").isEqualTo("FETCHED 3025120 " + cid);
            assertThat(Files.readAllBytes(viaBlocks)).isEqualTo(Files.readAllBytes(model));
            assertThat(routes.blocksServed()).as("the root and its three leaves").isGreaterThanOrEqualTo(4);

            Path viaCar = dir.resolve("helia-car.gguf");
            String car = HeliaPeer.car(url, cid.toString(), viaCar);
            assertThat(car).as("@ipld/car reads Hypha's CAR, every block checked, root first")
                    .isEqualTo("CAR 4 3025120 application/vnd.ipld.car; version=1; order=dfs; dups=n");
            assertThat(Files.readAllBytes(viaCar)).isEqualTo(Files.readAllBytes(model));
        } finally {
            routes.awaitIndexed();
        }
    }

    @Test
    void heliaRefusesWhatHyphaDoesNotHave() throws Exception {
        Path home = dir.resolve("home");
        BlockRoutes routes = BlockRoutes.forStore(new ModelStore(home, Clock.systemUTC()), home);
        try (ApiServer server = new ApiServer("127.0.0.1", 0, List.of(routes))) {
            server.start();
            ContentId absent = ContentIds.of("not stored anywhere".getBytes(StandardCharsets.UTF_8));
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                            HeliaPeer.car("http://127.0.0.1:" + server.port(), absent.toString(), dir.resolve("x")))
                    .isInstanceOf(HeliaPeer.HeliaFailed.class).hasMessageContaining("gateway answered 404");
        } finally {
            routes.awaitIndexed();
        }
    }
}

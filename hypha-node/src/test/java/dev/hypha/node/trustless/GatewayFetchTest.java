package dev.hypha.node.trustless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hypha.core.car.CarWriter;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ImportResult;
import dev.hypha.core.cid.MemoryBlockStore;
import dev.hypha.core.cid.UnixFsImporter;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fetch from a gateway that lies: a block whose bytes are not its id's, a CAR that leaves a block out or sends more
 * than allowed, a file bigger than allowed. Every one fails with an error naming what was wrong and leaves nothing
 * under the target name. The gateway is a real HTTP server on loopback serving a small-chunked DAG (5 leaves under 2
 * levels of parents) built by hypha-core's importer; its CAR puts the blocks leaves-first, an order the client must
 * cope with.
 */
class GatewayFetchTest {
    @TempDir
    Path dir;
    private final MemoryBlockStore blocks = new MemoryBlockStore();
    private byte[] content;
    private ContentId root;
    private HttpServer server;
    private TrustlessGateway gateway;
    /** Leave this block out of the CAR (null: send all). */
    private ContentId omitFromCar;

    @BeforeEach
    void serve() throws IOException {
        content = new byte[5 * 1000 - 10];
        new Random(7).nextBytes(content);
        ImportResult imported = new UnixFsImporter(1000, 2).importFrom(new ByteArrayInputStream(content), blocks);
        root = imported.root();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ipfs/", this::answer);
        server.start();
        gateway = new TrustlessGateway(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"));
    }

    @AfterEach
    void stop() {
        gateway.close();
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String cidText = exchange.getRequestURI().getPath().substring("/ipfs/".length());
        boolean car = exchange.getRequestURI().getQuery().startsWith("format=car");
        ContentId cid = ContentId.parse(cidText);
        if (blocks.get(cid).isEmpty()) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        byte[] body;
        if (car) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CarWriter writer = new CarWriter(out, List.of(cid.bytes()));
            for (ContentId id : blocks.ids()) { // the importer's order: leaves before their parents
                if (!id.equals(omitFromCar)) writer.write(id, blocks.get(id).orElseThrow());
            }
            body = out.toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/vnd.ipld.car; version=1; order=unk");
        } else {
            body = blocks.get(cid).orElseThrow();
            exchange.getResponseHeaders().set("Content-Type", "application/vnd.ipld.raw");
        }
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private ContentId aLeaf() {
        return blocks.ids().stream().filter(c -> c.codec() == ContentId.RAW).skip(2).findFirst().orElseThrow();
    }

    @Test
    void anHonestGatewayGivesTheFileInEitherModeWhateverTheCarsOrder() {
        for (GatewayFetch.Mode mode : GatewayFetch.Mode.values()) {
            Path target = dir.resolve("file-" + mode);
            java.util.List<long[]> progress = new java.util.ArrayList<>();
            GatewayFetch.Result result = new GatewayFetch(gateway, 1 << 20).fetch(root, mode, target,
                    (done, total) -> progress.add(new long[] {done, total}));
            assertThat(progress.getLast()).as(mode + ": progress ends at the file's size")
                    .containsExactly(content.length, content.length);
            assertThat(result.bytes()).isEqualTo(content.length);
            assertThat(result.blocksReceived()).isEqualTo(blocks.size());
            assertThat(target).hasBinaryContent(content);
        }
    }

    @Test
    void aBlockThatIsNotItsIdsFailsTheFetchAndLeavesNothing() throws IOException {
        ContentId leaf = aLeaf();
        byte[] tampered = blocks.get(leaf).orElseThrow().clone();
        tampered[0] ^= 1;
        blocks.overwrite(leaf, tampered);
        Path target = dir.resolve("file");
        assertThatThrownBy(() -> new GatewayFetch(gateway, 1 << 20).fetch(root, GatewayFetch.Mode.RAW, target))
                .isInstanceOf(HyphaException.class).hasMessageContaining("sent a block that is not " + leaf);
        assertThatThrownBy(() -> new GatewayFetch(gateway, 1 << 20).fetch(root, GatewayFetch.Mode.CAR, target))
                .isInstanceOf(HyphaException.class)
                .hasMessageContaining("CAR block " + leaf + " failed verification");
        assertNothingLeft();
    }

    @Test
    void aCarThatLeavesOutABlockFailsNamingIt() throws IOException {
        omitFromCar = aLeaf();
        Path target = dir.resolve("file");
        assertThatThrownBy(() -> new GatewayFetch(gateway, 1 << 20).fetch(root, GatewayFetch.Mode.CAR, target))
                .isInstanceOf(HyphaException.class)
                .satisfies(e -> assertThat(((HyphaException) e).category()).isEqualTo(ErrorCategory.NOT_FOUND))
                .hasMessageContaining("block " + omitFromCar + " is missing");
        assertNothingLeft();
    }

    @Test
    void aFileLargerThanAllowedIsRefused() throws IOException {
        Path target = dir.resolve("file");
        assertThatThrownBy(() -> new GatewayFetch(gateway, 1000).fetch(root, GatewayFetch.Mode.RAW, target))
                .isInstanceOf(HyphaException.class).hasMessageContaining("more than the allowed 1000");
        assertThatThrownBy(() -> new GatewayFetch(gateway, 1000).fetch(root, GatewayFetch.Mode.CAR, target))
                .isInstanceOf(HyphaException.class).hasMessageContaining("more than the allowed 1000");
        assertNothingLeft();
    }

    @Test
    void anUnknownIdIsNotFound() {
        ContentId absent = ContentId.raw(new byte[] {1, 2, 3});
        for (GatewayFetch.Mode mode : GatewayFetch.Mode.values()) {
            assertThatThrownBy(() -> new GatewayFetch(gateway, 1 << 20).fetch(absent, mode, dir.resolve("x")))
                    .isInstanceOf(HyphaException.class)
                    .satisfies(e -> assertThat(((HyphaException) e).category()).isEqualTo(ErrorCategory.NOT_FOUND));
        }
    }

    @Test
    void aGatewayUrlThatIsNotHttpIsAnInputError() {
        assertThatThrownBy(() -> new TrustlessGateway(URI.create("ftp://example.org")))
                .isInstanceOf(HyphaException.class).hasMessageContaining("is not an http(s) URL");
    }

    private void assertNothingLeft() throws IOException {
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).as("no target, partial file or scratch folder").isEmpty();
        }
    }
}

package dev.hypha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.node.http.ApiServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hypha content get CID --from URL}: a file served by a trustless gateway (here a Hypha provider's routes over
 * real HTTP on loopback) lands verified in the content store, block by block or as one CAR; unknown ids and bad URLs
 * are named.
 */
class ContentGetCommandTest {
    @TempDir
    Path dir;

    @Test
    void fetchesVerifiesAndStoresUnderTheContentId() throws Exception {
        Path model = dir.resolve("hypha-tiny.gguf");
        try (InputStream in = BlockRoutes.class.getResourceAsStream("/dev/hypha/node/devnet/hypha-tiny.gguf")) {
            Files.copy(in, model);
        }
        Path providerHome = dir.resolve("provider");
        ModelStore store = new ModelStore(providerHome, Clock.systemUTC());
        ContentId cid = store.importModel(model, ModelName.parse("hypha-tiny"), (d, t) -> { }).manifest().cid();
        BlockRoutes routes = BlockRoutes.forStore(store, providerHome);
        Path home = dir.resolve("home");
        try (ApiServer server = new ApiServer("127.0.0.1", 0, List.of(routes))) {
            server.start();
            String url = "http://127.0.0.1:" + server.port();
            CliRun raw = CliRun.run("--home", home.toString(), "content", "get", cid.toString(), "--from", url);
            assertThat(raw.exitCode()).as(raw.err()).isZero();
            Path stored = home.resolve("content").resolve("blobs").resolve(cid.toString());
            assertThat(raw.out()).startsWith(cid + "  3025120 bytes, 4 blocks verified\n  stored " + stored);
            assertThat(Files.readAllBytes(stored)).isEqualTo(Files.readAllBytes(model));

            Path out = dir.resolve("copy.gguf");
            CliRun car = CliRun.run("--home", home.toString(), "content", "get", cid.toString(), "--from", url, "--car",
                    "--out", out.toString());
            assertThat(car.exitCode()).as(car.err()).isZero();
            assertThat(ContentIds.of(out)).isEqualTo(cid);

            ContentId absent = ContentIds.of(new byte[] {9});
            CliRun missing = CliRun.run("--home", home.toString(), "content", "get", absent.toString(), "--from", url);
            assertThat(missing.exitCode()).isEqualTo(dev.hypha.core.errors.ErrorCategory.NOT_FOUND.exitCode());
            assertThat(missing.err()).contains(url + " does not have block " + absent + " (404)");
        } finally {
            routes.awaitIndexed();
        }
        CliRun badUrl = CliRun.run("--home", home.toString(), "content", "get", "bafkqaaa", "--from", "http://127.0.0.1:1");
        assertThat(badUrl.exitCode()).as("an identity CID is no content id Hypha stores").isEqualTo(ExitCodes.INPUT);
        CliRun ftp = CliRun.run("--home", home.toString(), "content", "get", cid.toString(), "--from", "ftp://x");
        assertThat(ftp.exitCode()).isEqualTo(ExitCodes.INPUT);
        assertThat(ftp.err()).contains("is not an http(s) URL");
    }
}

package dev.hypha.node.gateway.pull;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.node.content.ServedBlocks;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.offers.Offer;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway killed with SIGKILL in the middle of a pull (a child JVM, after its first leaf was written and while it
 * waits for the second) loses nothing it verified: the pull run again in a fresh process resumes from the journal and
 * never asks for the first leaf again, and the stored file is the original.
 */
class PullKillTest {
    private static final String MODEL = "hypha-tiny:latest";

    @TempDir
    Path dir;

    @Test
    void aPullKilledMidwayResumesWithoutFetchingItsWrittenLeafAgain() throws Exception {
        Path original = dir.resolve("hypha-tiny.gguf");
        try (InputStream in = getClass().getResourceAsStream("/dev/hypha/node/devnet/hypha-tiny.gguf")) {
            Files.copy(in, original);
        }
        ContentId root = ContentIds.of(original);
        ModelStore providerStore = new ModelStore(dir.resolve("provider"), Clock.systemUTC());
        providerStore.importModel(original, ModelName.parse(MODEL), (d, t) -> { });
        ServedBlocks served = new ServedBlocks(providerStore, dir.resolve("provider-blocks"), Clock.systemUTC());

        // The provider hands out one leaf, then holds every further leaf request until the gate opens.
        Map<ContentId, AtomicInteger> requests = new ConcurrentHashMap<>();
        AtomicInteger leavesServed = new AtomicInteger();
        CountDownLatch secondLeafAsked = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        ApiServer provider = new ApiServer("127.0.0.1", 0, List.of(api -> api.get("/ipfs/{cid}", ctx -> {
            ContentId cid = ContentId.parse(ctx.pathParam("cid"));
            requests.computeIfAbsent(cid, c -> new AtomicInteger()).incrementAndGet();
            if (cid.codec() == ContentId.RAW && leavesServed.incrementAndGet() > 1) {
                secondLeafAsked.countDown();
                gate.await(); // the child is killed while it waits here
            }
            byte[] block = served.block(cid).orElse(null);
            if (block == null) ctx.status(404);
            else ctx.contentType(BlockRoutes.RAW_BLOCK).result(block);
        })));
        provider.start();
        Path home = dir.resolve("gateway");
        String endpoint = "http://127.0.0.1:" + provider.port();
        String digest = Hex.encode(root.multihash().digest());
        try {
            Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                    PullChild.class.getName(), home.toString(), endpoint, digest, MODEL))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
            try {
                // With one worker the first leaf is written and journalled before the second is asked for.
                assertThat(secondLeafAsked.await(120, TimeUnit.SECONDS)).as("the child asked for a second leaf; its log: "
                        + (Files.exists(dir.resolve("child.log")) ? Files.readString(dir.resolve("child.log")) : "")).isTrue();
            } finally {
                child.destroyForcibly(); // SIGKILL: no cleanup of any kind
                child.waitFor();
            }
            ModelStore store = new ModelStore(home, Clock.systemUTC());
            assertThat(store.find(ModelName.parse(MODEL))).isEmpty();
            String journal = Files.readString(store.pullFolder().resolve(root + ".journal"));
            assertThat(journal).contains("leaf 0 ");
            gate.countDown();
            ContentId firstLeaf = ContentId.parse(journal.lines().filter(l -> l.startsWith("leaf 0 ")).findFirst()
                    .orElseThrow().substring("leaf 0 ".length()));

            Address p = Address.parse("0x00000000000000000000000000000000000000c3");
            Offer offer = new Offer(p, URI.create(endpoint), p, MODEL, digest, p, BigInteger.ONE, BigInteger.ONE, 256, 1,
                    Instant.now().plusSeconds(3600));
            long[] resumedAt = {-1};
            new Puller(store, () -> List.of(offer), o -> HttpClient.newHttpClient(), o -> true, Clock.systemUTC(),
                    Puller.Settings.DEFAULT).pull(MODEL, s -> {
                        if (s.digest() != null && resumedAt[0] < 0) resumedAt[0] = s.completed();
                    });

            assertThat(resumedAt[0]).isEqualTo(1 << 20);
            assertThat(requests.get(firstLeaf).get()).as("the leaf written before the kill is not fetched again").isEqualTo(1);
            assertThat(requests.values().stream().mapToInt(AtomicInteger::get).sum())
                    .as("root twice, leaf 0 once, leaf 1 twice (the killed request and the resumed one), leaf 2 once")
                    .isEqualTo(2 + 1 + 2 + 1);
            assertThat(Files.readAllBytes(store.resolve(ModelName.parse(MODEL)))).isEqualTo(Files.readAllBytes(original));
        } finally {
            gate.countDown();
            provider.close();
        }
    }
}

package dev.hypha.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.core.cid.ContentIds;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import dev.hypha.ml.store.ModelName;
import dev.hypha.ml.store.ModelStore;
import dev.hypha.node.content.BlockRoutes;
import dev.hypha.node.gateway.pull.PullRoutes;
import dev.hypha.node.gateway.pull.Puller;
import dev.hypha.node.http.ApiServer;
import dev.hypha.node.offers.Offer;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hypha pull} against a real node API on loopback: a provider serving its store's blocks, and a gateway whose
 * {@code /api/pull} finds it through a fixed offer (the chain's part is covered in the node's PullOverChainTest).
 */
class PullCommandTest {
    private static final Address PROVIDER = Address.parse("0x00000000000000000000000000000000000000b2");

    @TempDir
    Path dir;
    private ApiServer provider;
    private ApiServer gateway;
    private Path model;
    private ModelStore gatewayStore;

    @BeforeEach
    void start() {
        model = TinyModelFile.write(dir.resolve("tiny.gguf"), 5);
        ModelStore providerStore = new ModelStore(dir.resolve("provider"), Clock.systemUTC());
        providerStore.importModel(model, ModelName.parse("tiny"), (done, total) -> { });
        provider = new ApiServer("127.0.0.1", 0, List.of(BlockRoutes.forStore(providerStore, dir.resolve("provider"))));
        provider.start();
        Offer offer = new Offer(PROVIDER, URI.create("http://127.0.0.1:" + provider.port()), PROVIDER, "tiny:latest",
                Hex.encode(ContentIds.of(model).multihash().digest()), PROVIDER, BigInteger.ONE, BigInteger.ONE, 256, 1,
                Instant.now().plusSeconds(3600));
        gatewayStore = new ModelStore(dir.resolve("gateway"), Clock.systemUTC());
        gateway = new ApiServer("127.0.0.1", 0, List.of(PullRoutes.network(new Puller(gatewayStore, () -> List.of(offer),
                o -> HttpClient.newHttpClient(), o -> true, Clock.systemUTC(), Puller.Settings.DEFAULT))));
        gateway.start();
    }

    @AfterEach
    void stop() {
        gateway.close();
        provider.close();
    }

    private String host() {
        return "http://127.0.0.1:" + gateway.port();
    }

    @Test
    void pullsTheModelShowingProgressAndTheStatusesThenItIsInTheStore() throws Exception {
        ModelCli run = ModelCli.run(dir.resolve("cli"), "pull", "tiny", "--host", host());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("Pulled tiny" + System.lineSeparator());
        assertThat(run.err()).contains("pulling manifest").contains("100%").contains("verifying content id")
                .contains("writing manifest").contains("success");
        assertThat(run.err()).containsPattern("pulling [a-z2-7]{12} \\[#{30}\\] 100% ");
        assertThat(Files.readAllBytes(gatewayStore.resolve(ModelName.parse("tiny")))).isEqualTo(Files.readAllBytes(model));
    }

    @Test
    void aModelNoProviderOffersExitsWithTheNodesError() {
        ModelCli run = ModelCli.run(dir.resolve("cli"), "pull", "ghost", "--host", host());
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.errorLine()).isEqualTo("cannot pull ghost: model 'ghost:latest' is not offered on the network: "
                + "no live offer names it (`hypha offers` lists what is offered)");
    }

    @Test
    void aNodeThatIsNotRunningIsANetworkError() {
        String stopped = host();
        gateway.close();
        ModelCli run = ModelCli.run(dir.resolve("cli"), "pull", "tiny", "--host", stopped);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(5);
        assertThat(run.errorLine()).startsWith("cannot reach the node API at " + stopped);
    }

    @Test
    void aHostThatIsNotAUrlIsAnInputError() {
        ModelCli run = ModelCli.run(dir.resolve("cli"), "pull", "tiny", "--host", "127.0.0.1:11434");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.errorLine()).startsWith("--host 127.0.0.1:11434 is not a URL like http://127.0.0.1:11434");
    }
}

package dev.hypha.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hypha.chain.deploy.DeployParams;
import dev.hypha.chain.deploy.Deployer;
import dev.hypha.chain.deploy.Deployment;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.indexer.EventIndexer;
import dev.hypha.chain.indexer.EventListener;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import dev.hypha.core.time.ManualTimeSource;
import dev.hypha.node.http.ApiRoutes;
import dev.hypha.core.time.TimeSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The node's HTTP API over real HTTP on loopback, against a real anvil. */
class NodeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Devnet devnet;
    private static ChainClient chain;

    @BeforeAll
    static void startAnvil() {
        devnet = new AnvilLauncher().start();
        chain = ChainClient.connect(devnet.rpcUrl());
    }

    @AfterAll
    static void stopAnvil() {
        chain.close();
        devnet.close();
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthReportsChainIdBlockAndUptime() throws Exception {
        ManualTimeSource clock = new ManualTimeSource(Instant.parse("2026-01-01T00:00:00Z"));
        try (Node node = new Node(new NodeSettings("127.0.0.1", 0, true), chain, clock).start()) {
            chain.request("evm_mine");
            clock.advance(Duration.ofSeconds(42));

            HttpResponse<String> response = get(node.apiPort(), "/health");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            JsonNode health = JSON.readTree(response.body());
            assertThat(health.get("status").asText()).isEqualTo("ok");
            assertThat(health.get("chainId").asLong()).isEqualTo(31337L);
            assertThat(health.get("block").asLong()).isEqualTo(chain.blockNumber()).isPositive();
            assertThat(health.get("uptimeSeconds").asLong()).isEqualTo(42);
            assertThat(health.get("problem").isNull()).isTrue();
        }
    }

    @Test
    void areasContributeTheirOwnRoutesBesideHealthAndMetrics() throws Exception {
        ApiRoutes gatewayLike = api -> api.get("/api/version", ctx -> ctx.json(java.util.Map.of("version", "test")));
        try (Node node = new Node(new NodeSettings("127.0.0.1", 0, true), chain, Optional.empty(), List.of(gatewayLike),
                TimeSource.SYSTEM).start()) {
            HttpResponse<String> version = get(node.apiPort(), "/api/version");
            assertThat(version.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(version.body()).get("version").asText()).isEqualTo("test");
            assertThat(get(node.apiPort(), "/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void metricsServePrometheusTextWithJvmAndNodeMeters() throws Exception {
        try (Node node = new Node(new NodeSettings("127.0.0.1", 0, true), chain, TimeSource.SYSTEM).start()) {
            get(node.apiPort(), "/health"); // records the chain head

            HttpResponse<String> response = get(node.apiPort(), "/metrics");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain"));
            assertThat(response.body())
                    .contains("# TYPE jvm_memory_used_bytes gauge")
                    .contains("hypha_rpc_errors_total 0.0")
                    .containsPattern("hypha_chain_head_block [1-9][0-9]*\\.0");
        }
    }

    @Test
    void indexerProgressShowsInHealthAndMetrics(@TempDir Path dir) throws Exception {
        Credentials deployerKey = devnet.account(0);
        TransactionSender sender = new TransactionSender(chain, deployerKey, new NonceManager(chain),
                RevertDecoder.forHyphaContracts());
        Deployment deployment = new Deployer(sender).deploy(DeployParams.devnet());
        HyphaContracts contracts = HyphaContracts.connect(deployment, sender);
        EventIndexer indexer = EventIndexer.forDeployment(chain, dir.resolve("index.sqlite"), deployment,
                EventIndexer.Options.DEFAULT, EventListener.NONE);
        try (Node node = new Node(new NodeSettings("127.0.0.1", 0, true), chain, Optional.of(indexer), List.of(),
                TimeSource.SYSTEM).start()) {
            long stakeBlock = contracts.staking().stake(StakingClient.PROVIDER_ROLE, BigInteger.TEN.pow(18))
                    .getBlockNumber().longValueExact();
            indexer.poll(); // deterministic catch-up instead of waiting for the background follower

            JsonNode health = JSON.readTree(get(node.apiPort(), "/health").body());
            String metrics = get(node.apiPort(), "/metrics").body();

            assertThat(health.get("indexerPosition").asLong()).isGreaterThanOrEqualTo(stakeBlock);
            assertThat(metrics).containsPattern("hypha_indexer_events [1-9][0-9]*\\.0")
                    .containsPattern("hypha_indexer_block [1-9][0-9]*\\.0")
                    .contains("hypha_indexer_rpc_errors_total 0.0");
        }
    }

    @Test
    void metricsCanBeSwitchedOff() throws Exception {
        try (Node node = new Node(new NodeSettings("127.0.0.1", 0, false), chain, TimeSource.SYSTEM).start()) {
            assertThat(get(node.apiPort(), "/metrics").statusCode()).isEqualTo(404);
            assertThat(get(node.apiPort(), "/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void unreachableChainMakesHealthDegradedAndCountsAnRpcError() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ChainClient.Options fast = new ChainClient.Options(Duration.ofSeconds(1), Duration.ofSeconds(1), 1,
                new dev.hypha.core.time.Backoff(Duration.ofMillis(1), Duration.ofMillis(1)));
        try (ChainClient dead = ChainClient.connect("http://127.0.0.1:" + closedPort, fast);
             Node node = new Node(new NodeSettings("127.0.0.1", 0, true), dead, TimeSource.SYSTEM).start()) {

            HttpResponse<String> response = get(node.apiPort(), "/health");

            assertThat(response.statusCode()).isEqualTo(503);
            JsonNode health = JSON.readTree(response.body());
            assertThat(health.get("status").asText()).isEqualTo("degraded");
            assertThat(health.get("chainId").isNull()).isTrue();
            assertThat(health.get("problem").asText()).contains("127.0.0.1:" + closedPort);
            assertThat(get(node.apiPort(), "/metrics").body()).contains("hypha_rpc_errors_total 1.0");
        }
    }

    @Test
    void aTakenPortIsAClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             Node node = new Node(new NodeSettings("127.0.0.1", taken.getLocalPort(), true), chain,
                     TimeSource.SYSTEM)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(node::start)
                    .isInstanceOfSatisfying(HyphaException.class,
                            e -> assertThat(e.category()).isEqualTo(ErrorCategory.INPUT))
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("api.listen");
        }
    }
}

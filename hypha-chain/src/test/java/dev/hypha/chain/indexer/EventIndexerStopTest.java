package dev.hypha.chain.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.abi.HyphaAbis;
import dev.hypha.chain.devnet.AnvilLauncher;
import dev.hypha.chain.devnet.Devnet;
import dev.hypha.chain.rpc.ChainClient;
import dev.hypha.chain.testing.RpcProxy;
import dev.hypha.core.time.ManualTimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Stopping the indexer and chains that keep moving: it never hangs, spins, or warns about its own stop. */
class EventIndexerStopTest {
    /** Generous: only a hang (the defect) takes longer; a working close takes milliseconds. */
    private static final Duration HANG = Duration.ofSeconds(60);

    private static Devnet devnet;

    @TempDir
    Path tmp;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void startChain() {
        devnet = new AnvilLauncher().start();
    }

    @AfterAll
    static void stopChain() {
        devnet.close();
    }

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(EventIndexer.class)).addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        ((Logger) LoggerFactory.getLogger(EventIndexer.class)).detachAppender(logs);
    }

    private EventIndexer indexer(ChainClient client, String file) {
        WatchedContract any = new WatchedContract("Staking", "0x00000000000000000000000000000000000000aa", HyphaAbis.load("Staking"));
        return new EventIndexer(client, tmp.resolve(file), List.of(any), 0, EventIndexer.Options.DEFAULT, EventListener.NONE);
    }

    private List<String> warnings() {
        return logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void closingWhileAPollWaitsOnAHungNodeReturnsAndWarnsOfNothing() throws Exception {
        try (RpcProxy proxy = new RpcProxy(devnet.rpcUrl(), (call, node) ->
                call.path("method").asText().equals("eth_blockNumber") ? new RpcProxy.Answer.Stalled() : RpcProxy.forwarded(node));
             ChainClient client = ChainClient.connect(proxy.url())) {
            EventIndexer indexer = indexer(client, "hung.sqlite");
            indexer.start(Duration.ofMillis(20));
            proxy.awaitStall();

            assertTimeoutPreemptively(HANG, indexer::close);
        }
        assertThat(warnings()).isEmpty();
    }

    @Test
    void aCleanStopOfAFollowingIndexerLogsNoWarning() throws Exception {
        try (ChainClient client = ChainClient.connect(devnet.rpcUrl())) {
            EventIndexer indexer = indexer(client, "follow.sqlite");
            indexer.start(Duration.ofMillis(5));
            Thread.sleep(200); // let it poll a few times, so the stop may land anywhere in a poll
            assertTimeoutPreemptively(HANG, indexer::close);
        }
        assertThat(warnings()).isEmpty();
    }

    @Test
    void aChainThatKeepsChangingUnderAPollIsLeftForTheNextPollAfterBackingOff() throws Exception {
        // Every block lookup returns a new hash, as if each batch were overtaken by a reorganisation.
        AtomicLong fakeHashes = new AtomicLong();
        ManualTimeSource time = new ManualTimeSource(Instant.EPOCH);
        try (RpcProxy proxy = new RpcProxy(devnet.rpcUrl(), (call, node) -> {
                    byte[] answer = node.forward();
                    if (!call.path("method").asText().equals("eth_getBlockByNumber")) {
                        return new RpcProxy.Answer.Body(answer);
                    }
                    ObjectNode json = (ObjectNode) RpcProxy.parse(answer);
                    ((ObjectNode) json.get("result")).put("hash", String.format("0x%064x", fakeHashes.incrementAndGet()));
                    return new RpcProxy.Answer.Body(RpcProxy.bytes(json));
                });
             ChainClient client = ChainClient.connect(proxy.url(), ChainClient.Options.DEFAULT, time);
             EventIndexer indexer = indexer(client, "moving.sqlite")) {
            try (ChainClient direct = ChainClient.connect(devnet.rpcUrl())) {
                direct.request("anvil_mine", "0x3");
            }

            EventIndexer.PollResult result = assertTimeoutPreemptively(HANG, indexer::poll);

            assertThat(result.added()).isZero();
            assertThat(result.position()).isEmpty();
            assertThat(indexer.discardedBatches()).isEqualTo(8);
            assertThat(time.sleeps()).as("a pause after each discarded batch but the last").isEqualTo(7);
            assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(50 + 100 + 200 + 400 + 800 + 1600 + 2000));
        }
    }
}

package dev.hypha.chain.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.ChainException;
import dev.hypha.core.errors.ErrorCategory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import dev.hypha.core.time.Backoff;
import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ChainClientTest {
    private static final ChainClient.Options FAST =
            new ChainClient.Options(Duration.ofMillis(500), Duration.ofSeconds(2), 3, new Backoff(Duration.ofMillis(10), Duration.ofSeconds(1)));

    @Test
    void unreachableRpcIsOneNetworkErrorNamingTheUrl() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // free it again: nothing listens there now
        }
        String url = "http://127.0.0.1:" + port;
        try (ChainClient client = ChainClient.connect(url, FAST)) {
            assertThatThrownBy(client::chainId)
                    .isInstanceOfSatisfying(ChainException.class,
                            e -> assertThat(e.category()).isEqualTo(ErrorCategory.NETWORK))
                    .hasMessageStartingWith("RPC unreachable at " + url)
                    .hasMessageContaining("3 attempts");
        }
    }

    @Test
    void malformedUrlsAreInputErrors() {
        for (String bad : new String[] {"", "   ", "localhost:8545", "ftp://x:1", "http://", "ht tp://a"}) {
            assertThatThrownBy(() -> ChainClient.connect(bad))
                    .as(bad)
                    .isInstanceOfSatisfying(ChainException.class,
                            e -> assertThat(e.category()).isEqualTo(ErrorCategory.INPUT))
                    .hasMessageContaining("http://127.0.0.1:8545");
        }
        assertThatThrownBy(() -> ChainClient.connect(null)).isInstanceOf(ChainException.class);
    }

    @Property(tries = 200)
    void anyStringIsEitherAcceptedOrAClearInputError(@ForAll String url) {
        try {
            String accepted = ChainClient.validateUrl(url);
            assertThat(accepted).startsWithIgnoringCase("http");
        } catch (ChainException e) {
            assertThat(e.category()).isEqualTo(ErrorCategory.INPUT);
            assertThat(e.getMessage()).contains("RPC URL");
        }
    }
}

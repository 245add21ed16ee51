package dev.hypha.node.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hypha.node.NodeSettings;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hypha up}'s network: real anvil with a state file under a temporary home. */
class LocalNetworkTest {

    @TempDir
    Path home;

    private LocalNetworkSettings settings() {
        return new LocalNetworkSettings(home, 0, 1, 3, new NodeSettings("127.0.0.1", 0, true));
    }

    @Test
    void restartKeepsTheChain() {
        List<String> progress = new ArrayList<>();
        long minedTo;
        String someone = "0x000000000000000000000000000000000000bEEF";
        try (LocalNetwork network = LocalNetwork.start(settings(), progress::add, InstantSource.system())) {
            assertThat(network.chainId()).isEqualTo(LocalNetworkSettings.CHAIN_ID);
            network.chain().request("anvil_setBalance", someone, "0x1234");
            network.chain().request("evm_mine");
            minedTo = network.chain().blockNumber();
        }
        assertThat(settings().stateFile()).isRegularFile();
        assertThat(progress).anyMatch(line -> line.startsWith("Starting local chain"));

        progress.clear();
        try (LocalNetwork network = LocalNetwork.start(settings(), progress::add, InstantSource.system())) {
            assertThat(progress).anyMatch(line -> line.startsWith("Resuming local chain"));
            assertThat(network.chain().blockNumber()).isGreaterThanOrEqualTo(minedTo);
            assertThat(network.chain().balance(someone)).isEqualTo(BigInteger.valueOf(0x1234));
        }
    }
}

package dev.hypha.node.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.indexer.EventIndexer;
import dev.hypha.chain.tx.NonceManager;
import dev.hypha.chain.tx.RevertDecoder;
import dev.hypha.chain.tx.TransactionSender;
import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import dev.hypha.node.NodeSettings;
import java.math.BigInteger;
import java.nio.file.Path;
import dev.hypha.core.time.TimeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hypha up}'s network: real anvil with a state file under a temporary home. */
class LocalNetworkTest {

    @TempDir
    Path home;

    private LocalNetworkSettings settings() {
        return new LocalNetworkSettings(home, 0, 1, 3, new NodeSettings("127.0.0.1", 0, true), 0,
                LocalNetworkSettings.Inference.DEV_PROVIDER);
    }

    private static HyphaContracts contracts(LocalNetwork network, int devAccount) {
        TransactionSender sender = new TransactionSender(network.chain(), network.devAccounts().get(devAccount),
                new NonceManager(network.chain()), RevertDecoder.forHyphaContracts());
        return HyphaContracts.connect(network.deployment(), sender);
    }

    @Test
    void deploysFundsOnceAndARestartKeepsEverything() throws Exception {
        List<String> progress = new ArrayList<>();
        Map<String, ?> firstAddresses;
        BigInteger stake = BigInteger.TEN.pow(18).multiply(BigInteger.valueOf(1234));
        String second;
        try (LocalNetwork network = LocalNetwork.start(settings(), progress::add, TimeSource.SYSTEM)) {
            assertThat(network.chainId()).isEqualTo(LocalNetworkSettings.CHAIN_ID);
            firstAddresses = network.deployment().contracts();
            network.deployment().contracts().values().forEach(
                    contract -> assertThat(network.chain().code(contract.address())).isNotEqualTo("0x"));
            HyphaContracts user = contracts(network, 2);
            second = user.account();
            assertThat(user.hyp().balanceOf(second)).isEqualTo(DevFunding.HYP_PER_ACCOUNT);
            assertThat(user.payment().balanceOf(second)).isEqualTo(DevFunding.HUSD_PER_ACCOUNT);
            assertThat(user.hyp().balanceOf(network.devAccounts().get(3).getAddress())).as("only 3 accounts funded").isZero();
            user.staking().stake(StakingClient.PROVIDER_ROLE, stake);
            // Dev account (1) runs the dev provider: staked to the minimum and registered at its endpoint.
            String provider = network.devAccounts().get(1).getAddress();
            assertThat(user.registry().isActive(provider)).isTrue();
            assertThat(user.staking().stakeOf(provider, StakingClient.PROVIDER_ROLE)).isEqualTo(user.registry().minStake());
            // the node is an x402 facilitator for the chain's hUSD
            java.net.http.HttpResponse<String> supported = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + network.node().apiPort()
                            + "/x402/supported")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(supported.statusCode()).isEqualTo(200);
            assertThat(supported.body()).contains("\"scheme\":\"exact\"", "\"network\":\"eip155:31337\"");
            // and serves its inference as MCP tools, generate priced in hUSD to the dev provider (an MCP client sees)
            try (dev.hypha.node.mcp.PayingMcpClient mcp = new dev.hypha.node.mcp.PayingMcpClient("http://127.0.0.1:"
                    + network.node().apiPort() + "/mcp", (offer, json, url) -> {
                        throw new AssertionError("listing and a refused price pay nothing");
                    }, LocalNetworkSettings.CHAIN_ID, BigInteger.ONE)) {
                assertThat(mcp.tools()).extracting(t -> t.name()).containsExactly("models", "generate");
                assertThat(mcp.call("models", Map.of()).failed()).isFalse();
                assertThatThrownBy(() -> mcp.call("generate", Map.of("prompt", "hi")))
                        .hasMessageContaining("asks for " + LocalNetwork.MCP_GENERATE_PRICE);
            }
        }
        assertThat(settings().stateFile()).isRegularFile();
        assertThat(progress).anyMatch(line -> line.startsWith("Starting local chain"))
                .anyMatch(line -> line.contains("deployed Staking at 0x"))
                .anyMatch(line -> line.startsWith("Funding 3 dev accounts"))
                .anyMatch(line -> line.startsWith("x402 facilitator on http://127.0.0.1:"))
                .anyMatch(line -> line.startsWith("MCP tools (models, generate: paid over x402) on http://127.0.0.1:"));

        progress.clear();
        try (LocalNetwork network = LocalNetwork.start(settings(), progress::add, TimeSource.SYSTEM)) {
            assertThat(progress).anyMatch(line -> line.startsWith("Resuming local chain"))
                    .anyMatch(line -> line.contains("already deployed"))
                    .anyMatch(line -> line.equals("Dev accounts already funded"))
                    .noneMatch(line -> line.contains("deployed Staking at"));
            assertThat(network.deployment().contracts()).isEqualTo(firstAddresses);
            HyphaContracts user = contracts(network, 2);
            assertThat(user.staking().stakeOf(second, StakingClient.PROVIDER_ROLE)).isEqualTo(stake);
            assertThat(user.hyp().balanceOf(second)).isEqualTo(DevFunding.HYP_PER_ACCOUNT.subtract(stake));

            EventIndexer indexer = network.node().indexer().orElseThrow();
            indexer.poll();
            // Two stakes: the dev provider's (at the first start only) and this one; each indexed once, kept across
            // the restart.
            assertThat(indexer.events("Staking", "Staked")).as("indexed once, kept across the restart")
                    .hasSize(2).anySatisfy(event -> assertThat(event.arg("amount")).isEqualTo(stake.toString()));
        }
    }

    @Test
    void aSecondUpOnTheSameHomeIsRefusedAndLeavesTheRunningChainAlone() {
        try (LocalNetwork network = LocalNetwork.start(settings(), line -> { }, TimeSource.SYSTEM)) {
            long blockBefore = network.chain().blockNumber();
            assertThatThrownBy(() -> LocalNetwork.start(settings(), line -> { }, TimeSource.SYSTEM))
                    .isInstanceOf(HyphaException.class)
                    .hasMessageContaining("another `hypha up` is already running with home " + home)
                    .hasMessageContaining("pid " + ProcessHandle.current().pid())
                    .satisfies(e -> assertThat(((HyphaException) e).category()).isEqualTo(ErrorCategory.INPUT));
            assertThat(network.chain().blockNumber()).as("the first chain still answers").isGreaterThanOrEqualTo(blockBefore);
        }
        try (LocalNetwork again = LocalNetwork.start(settings(), line -> { }, TimeSource.SYSTEM)) {
            assertThat(again.chainId()).as("the lock is released on close").isEqualTo(LocalNetworkSettings.CHAIN_ID);
        }
    }
}

package dev.hypha.node.devnet;

import dev.hypha.node.NodeSettings;
import dev.hypha.chain.deploy.DeployParams;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How {@code hypha up} brings up the local network.
 *
 * @param home                 Hypha home; the chain lives under {@code <home>/devnet/}, deployments under
 *                             {@code <home>/deployments/}
 * @param anvilPort            port for anvil's JSON-RPC (0 picks a free one)
 * @param stateIntervalSeconds how often anvil writes its state file while running
 * @param fundedAccounts       how many of anvil's dev accounts receive HYP and hUSD (once)
 * @param api                  where the node's HTTP API listens
 * @param providerPort         where the dev provider listens on loopback (0 picks a free one)
 * @param inference            where the gateway's answers come from
 * @param governanceDelaySeconds the timelock delay a fresh chain is deployed with (a reused deployment keeps its own):
 *                             shorter than the default only so that a local network's scheduled grants (SubnetEmissions'
 *                             MINTER_ROLE, the verifiers' FAULT_PROOF_ROLE) clear sooner ({@code hypha localnet
 *                             --governance-delay})
 */
public record LocalNetworkSettings(Path home, int anvilPort, int stateIntervalSeconds, int fundedAccounts,
                                   NodeSettings api, int providerPort, Inference inference, long governanceDelaySeconds) {

    /** The local chain's governance delay unless told otherwise: {@link DeployParams#devnet()}'s 120 s. */
    public static final long DEFAULT_GOVERNANCE_DELAY = DeployParams.devnet().governanceDelaySeconds();
    /** Shortest governance delay a local network accepts (the unbonding period must still be shorter). */
    public static final long MIN_GOVERNANCE_DELAY = 2;

    /** Settings with the default governance delay. */
    public LocalNetworkSettings(Path home, int anvilPort, int stateIntervalSeconds, int fundedAccounts, NodeSettings api,
                                int providerPort, Inference inference) {
        this(home, anvilPort, stateIntervalSeconds, fundedAccounts, api, providerPort, inference, DEFAULT_GOVERNANCE_DELAY);
    }

    /**
     * What a fresh local chain is deployed with: {@link DeployParams#devnet()} with this governance delay, and the
     * unbonding period 60 s or, under a shorter delay, one second less than it (the timelock's delay must be longer).
     */
    public DeployParams deployParams() {
        return DeployParams.devnet()
                .withUnbondingPeriod(Math.min(DeployParams.devnet().unbondingPeriodSeconds(), governanceDelaySeconds - 1))
                .withGovernanceDelay(governanceDelaySeconds);
    }

    /** Where the gateway of the local network gets its answers. */
    public enum Inference {
        /** The store's models on this machine; no provider, no payment, nothing leaves it ({@code hypha up --local-only}). */
        LOCAL_ONLY,
        /** A dev provider in this process sells the store's models; the gateway buys them ({@code hypha up}). */
        DEV_PROVIDER,
        /** The gateway buys from whatever providers the chain lists; none runs here ({@code hypha localnet}). */
        NETWORK
    }

    /** Where the dev provider listens unless told otherwise: the port after Ollama's. */
    public static final int DEFAULT_PROVIDER_PORT = 11_435;

    /** anvil's default chain id, which wallets know as "localhost". */
    public static final long CHAIN_ID = 31_337L;

    public LocalNetworkSettings {
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(api, "api");
        if (anvilPort < 0 || anvilPort > 65_535) {
            throw new IllegalArgumentException("devnet.port must be 0..65535, got " + anvilPort);
        }
        if (stateIntervalSeconds < 1) {
            throw new IllegalArgumentException("devnet.state-interval-seconds must be >= 1, got " + stateIntervalSeconds);
        }
        if (fundedAccounts < 1 || fundedAccounts > 10) {
            throw new IllegalArgumentException("funded dev accounts must be 1..10, got " + fundedAccounts);
        }
        Objects.requireNonNull(inference, "inference");
        if (inference == Inference.DEV_PROVIDER && fundedAccounts < 2) {
            throw new IllegalArgumentException("the dev provider runs as dev account (1), so at least 2 accounts must be"
                    + " funded (or run local-only)");
        }
        if (providerPort < 0 || providerPort > 65_535) {
            throw new IllegalArgumentException("the provider port must be 0..65535, got " + providerPort);
        }
        if (governanceDelaySeconds < MIN_GOVERNANCE_DELAY || governanceDelaySeconds > DEFAULT_GOVERNANCE_DELAY) {
            throw new IllegalArgumentException("the local governance delay must be " + MIN_GOVERNANCE_DELAY + ".."
                    + DEFAULT_GOVERNANCE_DELAY + " s, got " + governanceDelaySeconds);
        }
    }

    /** Folder that holds anvil's state file and log. */
    public Path devnetDir() {
        return home.resolve("devnet");
    }

    /** anvil's persistent chain state. */
    public Path stateFile() {
        return devnetDir().resolve("state.json");
    }

    /** Held while a `hypha up` runs on this home (see {@code UpLock}); it records that process's pid. */
    public Path upLockFile() {
        return devnetDir().resolve("up.lock");
    }

    /** The pid of the anvil `hypha up` started, so the next start can stop one a killed `up` left running. */
    public Path anvilPidFile() {
        return devnetDir().resolve("anvil.pid");
    }

    /** anvil's output. */
    public Path anvilLog() {
        return devnetDir().resolve("anvil.log");
    }

    /** Records which deployment's tokens the dev accounts already received. */
    public Path fundingRecord() {
        return devnetDir().resolve("funded.json");
    }

    /** The event index (SQLite) of a chain. */
    public Path indexFile(long chainId) {
        return home.resolve("index").resolve(chainId + ".sqlite");
    }

    /** Per-chain deployment records. */
    public Path deploymentsDir() {
        return home.resolve("deployments");
    }
}

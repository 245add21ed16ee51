package dev.hypha.node.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.deploy.AgentAccountsClient;
import dev.hypha.chain.deploy.IdentityRegistryClient;
import dev.hypha.core.time.TimeSource;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Agents page: IdentityRegistry's (ERC-8004) newest {@link #MAX_AGENTS} agents (owner, card URI, wallet) and the
 * newest {@link #MAX_ACCOUNTS} agent accounts AgentAccountFactory deployed (found through the node's event index, its
 * {@code AccountDeployed} events): owner, frozen, and the payment token's on-chain policy (limit per window, most per
 * call, window length) with what sessions spent of it in the current window. An agent whose wallet is an agent
 * account is shown beside it. The agent runtime's logs of this home ({@code hypha agent run}) are in {@code runtime}
 * ({@link AgentRuntimeLogs}).
 */
final class AgentsReader {
    static final int MAX_AGENTS = 32;
    static final int MAX_ACCOUNTS = 32;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final DashboardSources sources;
    private final Cached<ObjectNode> snapshot;
    private final AgentRuntimeLogs runtime;
    /** deployed account (lower-case hex) → [block, owner]. */
    private final Optional<EventTally<String[]>> accounts;

    AgentsReader(DashboardSources sources, TimeSource clock) {
        this.sources = Objects.requireNonNull(sources, "sources");
        this.runtime = new AgentRuntimeLogs(sources.home());
        this.snapshot = new Cached<>(this::read, Duration.ofSeconds(2), clock);
        this.accounts = sources.indexer().map(ix -> new EventTally<String[]>(ix, AgentAccountsClient.NAME, Map.of(
                "AccountDeployed", (e, store) -> store.put(e.arg("account").toLowerCase(Locale.ROOT),
                        new String[] {Long.toString(e.blockNumber()), e.arg("owner")}))));
    }

    boolean present() {
        Map<String, ?> deployed = sources.contracts().deployment().contracts();
        return deployed.containsKey(IdentityRegistryClient.NAME) && deployed.containsKey(AgentAccountsClient.NAME);
    }

    ObjectNode json() {
        return snapshot.get();
    }

    /** Changes when an agent, an account or its spending does (for the live tick). */
    String fingerprint() {
        return Integer.toHexString(json().toString().hashCode());
    }

    private ObjectNode read() {
        ObjectNode out = JSON.objectNode().put("present", present());
        // The agent runtime's logs (`hypha agent run` in this home) are files, shown even without the contracts.
        out.set("runtime", runtime.json());
        if (!present()) {
            return out;
        }
        String token = sources.contracts().deployment().address(dev.hypha.chain.deploy.PaymentTokenClient.NAME);
        IdentityRegistryClient identity = sources.contracts().identity();
        long total = identity.totalAgents().longValueExact();
        out.put("total", total).put("indexed", accounts.isPresent());
        Map<String, Long> walletOf = new HashMap<>();
        ArrayNode agents = out.putArray("agents");
        for (long id = total; id >= 1 && id > total - MAX_AGENTS; id--) {
            BigInteger agentId = BigInteger.valueOf(id);
            String wallet = identity.agentWallet(agentId);
            ObjectNode a = agents.addObject().put("id", id).put("owner", checksum(identity.ownerOf(agentId)))
                    .put("uri", identity.agentUri(agentId));
            if (wallet != null && !new BigInteger(wallet.substring(2), 16).equals(BigInteger.ZERO)) {
                a.put("wallet", checksum(wallet));
                walletOf.putIfAbsent(wallet.toLowerCase(Locale.ROOT), id);
            }
        }
        ArrayNode list = out.putArray("accounts");
        if (accounts.isPresent()) {
            accounts.get().catchUp();
            List<Map.Entry<String, String[]>> found = new ArrayList<>();
            accounts.get().forEach((k, v) -> found.add(Map.entry(k, v)));
            // newest first (by deployment block, then address, so the order never depends on a map's)
            found.sort(Comparator.<Map.Entry<String, String[]>>comparingLong(e -> -Long.parseLong(e.getValue()[0]))
                    .thenComparing(Map.Entry::getKey));
            for (Map.Entry<String, String[]> e : found.subList(0, Math.min(MAX_ACCOUNTS, found.size()))) {
                account(list.addObject(), e.getKey(), token, walletOf);
            }
            out.put("accountsTotal", found.size());
        }
        return out;
    }

    private void account(ObjectNode into, String address, String token, Map<String, Long> walletOf) {
        AgentAccountsClient.Account account = sources.contracts().agentAccounts().at(address);
        AgentAccountsClient.Policy policy = account.policy(token);
        BigInteger remaining = account.remainingInPeriod(token);
        // spent in the current window, as the contract judges it (a window that ended counts as nothing spent)
        BigInteger used = policy.enabled() ? policy.periodLimit().subtract(remaining).max(BigInteger.ZERO) : BigInteger.ZERO;
        into.put("address", checksum(address)).put("owner", checksum(account.owner())).put("frozen", account.frozen())
                .put("enabled", policy.enabled()).put("limit", policy.periodLimit().toString())
                .put("perCall", policy.maxPerCall().toString()).put("periodSeconds", policy.periodSeconds())
                .put("used", used.toString()).put("remaining", remaining.toString())
                .put("usedPercent", policy.periodLimit().signum() == 0 ? 0
                        : used.multiply(BigInteger.valueOf(100)).divide(policy.periodLimit()).longValueExact())
                .put("balance", sources.contracts().payment().balanceOf(address).toString());
        Long agent = walletOf.get(address.toLowerCase(Locale.ROOT));
        if (agent != null) {
            into.put("agentId", agent);
        }
    }

    private static String checksum(String hex) {
        return org.web3j.crypto.Keys.toChecksumAddress(hex);
    }
}

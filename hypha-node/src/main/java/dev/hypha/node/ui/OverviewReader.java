package dev.hypha.node.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.deploy.HyphaContracts;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The overview: chain and block, the roles this node runs, the balances and stake of its accounts, and alerts (a
 * provider down, a channel near its deposit, a lease of this node about to run dry). The node's health comes from {@code /health} itself.
 */
final class OverviewReader {
    /** The areas a node may run, in the order the page lists them; only those present get a panel. */
    static final List<String> AREAS = List.of("inference", "compute", "assets", "subnets", "agents");

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final DashboardSources sources;
    private final InferenceReader inference;
    private final Supplier<TokenLabel> token;
    private final Supplier<TokenLabel> hyp;
    private final ComputeReader compute;
    private final AssetsReader assets;
    private final SubnetsReader subnets;
    private final AgentsReader agents;

    OverviewReader(DashboardSources sources, InferenceReader inference, ComputeReader compute, AssetsReader assets,
                   SubnetsReader subnets, AgentsReader agents, Supplier<TokenLabel> token, Supplier<TokenLabel> hyp) {
        this.subnets = Objects.requireNonNull(subnets, "subnets");
        this.agents = Objects.requireNonNull(agents, "agents");
        this.compute = Objects.requireNonNull(compute, "compute");
        this.assets = Objects.requireNonNull(assets, "assets");
        this.hyp = Objects.requireNonNull(hyp, "hyp");
        this.sources = Objects.requireNonNull(sources, "sources");
        this.inference = Objects.requireNonNull(inference, "inference");
        this.token = Objects.requireNonNull(token, "token");
    }

    ObjectNode json() {
        ObjectNode out = JSON.objectNode();
        var block = sources.chain().latestBlock();
        out.put("chainId", sources.chain().chainId()).put("block", block.getNumber().longValueExact())
                .put("blockTime", java.time.Instant.ofEpochSecond(block.getTimestamp().longValueExact()).toString());
        ArrayNode roles = out.putArray("roles");
        sources.roles().forEach(roles::add);
        token.get().json(out.putObject("token"));
        hyp.get().json(out.putObject("stakeToken"));
        ArrayNode accounts = out.putArray("accounts");
        sources.payer().ifPresent(p -> account(accounts.addObject(), "gateway (payer)", p.account()));
        sources.provider().ifPresent(p -> account(accounts.addObject(), "provider", p.account()));
        ArrayNode areas = out.putArray("areas");
        for (String area : AREAS) {
            // An area has a panel when its contracts are deployed.
            boolean present = switch (area) {
                case "inference" -> true;
                case "compute" -> compute.present();
                case "assets" -> assets.present();
                case "subnets" -> subnets.present();
                case "agents" -> agents.present();
                default -> false;
            };
            areas.addObject().put("name", area).put("present", present);
        }
        List<String> alerts = new ArrayList<>(inference.providerAlerts());
        alerts.addAll(inference.channelAlerts());
        alerts.addAll(compute.alerts());
        ArrayNode a = out.putArray("alerts");
        alerts.forEach(a::add);
        return out;
    }

    private void account(ObjectNode into, String role, Address account) {
        HyphaContracts c = sources.contracts();
        String hex = account.toChecksumString();
        BigInteger locked = inference.channels().stream()
                .filter(ch -> ch.params().payer().equals(account) && !ch.status().equals("settled"))
                .map(ch -> ch.deposit().subtract(ch.redeemed())).reduce(BigInteger.ZERO, BigInteger::add);
        into.put("role", role).put("address", hex)
                .put("payment", c.payment().balanceOf(hex).toString())
                .put("hyp", c.hyp().balanceOf(hex).toString())
                .put("providerStake", c.staking().stakeOf(hex, StakingClient.PROVIDER_ROLE).toString())
                .put("activeProvider", c.registry().isActive(hex))
                .put("inChannels", locked.toString());
    }
}

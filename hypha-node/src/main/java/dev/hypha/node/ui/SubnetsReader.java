package dev.hypha.node.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.contracts.SubnetEpochs;
import dev.hypha.chain.contracts.SubnetRegistry;
import dev.hypha.chain.deploy.StakingClient;
import dev.hypha.chain.deploy.SubnetsClient;
import dev.hypha.chain.indexer.IndexedEvent;
import dev.hypha.chain.subnets.PostCalldata;
import dev.hypha.chain.subnets.SubnetLeaf;
import dev.hypha.core.time.TimeSource;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Subnets page: SubnetRegistry's newest {@link #MAX_SUBNETS} subnets (owner, locked HYP, UIDs, tempo, burn price),
 * their first {@link #MAX_UIDS} UIDs with each account's validator stake and permit, and the newest {@link #MAX_EPOCHS}
 * closed epochs from SubnetEpochs: posted, challenged or finalized, the poster's bond, and where posted the incentive,
 * dividends and emission of every UID. The contract keeps only a post's Merkle root, so the per-UID values come from
 * the post transaction's calldata, found through the node's event index (its {@code Posted} events; {@code Challenged}
 * events are counted the same way); without an index the epochs are listed without them.
 */
final class SubnetsReader {
    static final int MAX_SUBNETS = 16;
    static final int MAX_UIDS = 64;
    static final int MAX_EPOCHS = 8;
    /** Decoded posts kept (a post transaction never changes, so they are read once). */
    private static final int MAX_DECODED = 256;
    /** I32F32: 32 fractional bits. */
    private static final BigDecimal FIXED_ONE = new BigDecimal(BigInteger.ONE.shiftLeft(32));
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final DashboardSources sources;
    private final Cached<ObjectNode> snapshot;
    private final Optional<EventTally<String>> posts;
    private final Optional<EventTally<Long>> challenges;
    private final Map<String, PostCalldata.Post> decoded = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PostCalldata.Post> eldest) {
            return size() > MAX_DECODED;
        }
    };

    SubnetsReader(DashboardSources sources, TimeSource clock) {
        this.sources = Objects.requireNonNull(sources, "sources");
        this.snapshot = new Cached<>(this::read, Duration.ofSeconds(2), clock);
        // key "netuid/epoch": the newest post transaction of that epoch (a challenged epoch may be posted again)
        this.posts = sources.indexer().map(ix -> new EventTally<String>(ix, SubnetsClient.EPOCHS, Map.of("Posted",
                (e, store) -> store.put(key(e), e.txHash()))));
        this.challenges = sources.indexer().map(ix -> new EventTally<Long>(ix, SubnetsClient.EPOCHS, Map.of("Challenged",
                (e, store) -> {
                    Long n = store.get(key(e));
                    store.put(key(e), n == null ? 1L : n + 1);
                })));
    }

    private static String key(IndexedEvent e) {
        return e.arg("netuid") + "/" + e.arg("epoch");
    }

    /** Whether the deployment has the subnet contracts. */
    boolean present() {
        return sources.contracts().deployment().contracts().containsKey(SubnetsClient.REGISTRY)
                && sources.contracts().deployment().contracts().containsKey(SubnetsClient.EPOCHS);
    }

    ObjectNode json() {
        return snapshot.get();
    }

    /** Changes when a subnet, UID or epoch does (for the live tick). */
    String fingerprint() {
        if (!present()) {
            return "";
        }
        return Integer.toHexString(json().toString().hashCode());
    }

    private ObjectNode read() {
        ObjectNode out = JSON.objectNode().put("present", present());
        if (!present()) {
            return out;
        }
        SubnetsClient subnets = sources.contracts().subnets();
        long count = subnets.subnetCount();
        long challengeBlocks = subnets.challengeBlocks();
        BigInteger bond = subnets.postBond();
        out.put("count", count).put("postBond", bond.toString()).put("challengeBlocks", challengeBlocks)
                .put("indexed", posts.isPresent());
        posts.ifPresent(EventTally::catchUp);
        challenges.ifPresent(EventTally::catchUp);
        ArrayNode list = out.putArray("subnets");
        for (long netuid = count - 1; netuid >= 0 && netuid >= count - MAX_SUBNETS; netuid--) {
            subnet(list.addObject(), subnets, netuid, challengeBlocks, bond);
        }
        return out;
    }

    private void subnet(ObjectNode into, SubnetsClient subnets, long netuid, long challengeBlocks, BigInteger bond) {
        SubnetRegistry.Subnet s = subnets.subnet(netuid);
        SubnetRegistry.Hyperparameters h = subnets.hyperparameters(netuid);
        int n = s.n.intValueExact();
        long nextEpoch = s.epoch.longValueExact();
        into.put("netuid", netuid).put("owner", checksum(s.owner)).put("locked", s.locked.toString()).put("uids", n)
                .put("tempo", h.tempo.longValueExact()).put("maxUids", h.maxUids.intValueExact())
                .put("nextEpoch", nextEpoch).put("lastEpochBlock", s.lastEpochBlock.longValueExact())
                .put("nextEpochBlock", s.lastEpochBlock.longValueExact() + h.tempo.longValueExact())
                .put("burnPrice", s.burnPrice.toString());
        ArrayNode uids = into.putArray("uidList");
        BigInteger totalStake = BigInteger.ZERO;
        for (int uid = 0; uid < Math.min(n, MAX_UIDS); uid++) {
            SubnetRegistry.Uid u = subnets.uid(netuid, uid);
            BigInteger stake = sources.contracts().staking().stakeOf(u.account, StakingClient.VALIDATOR_ROLE);
            totalStake = totalStake.add(stake);
            uids.addObject().put("uid", uid).put("account", checksum(u.account)).put("stake", stake.toString())
                    .put("permit", u.permit).put("registeredAt", u.registeredAt.longValueExact())
                    .put("score", u.score.toString());
        }
        into.put("uidsShown", uids.size()).put("stake", totalStake.toString());
        ArrayNode epochs = into.putArray("epochs");
        for (long epoch = nextEpoch - 1; epoch >= 0 && epoch >= nextEpoch - MAX_EPOCHS; epoch--) {
            epoch(epochs.addObject(), subnets, netuid, epoch, challengeBlocks, bond);
        }
    }

    private void epoch(ObjectNode into, SubnetsClient subnets, long netuid, long epoch, long challengeBlocks,
                       BigInteger bond) {
        SubnetRegistry.EpochSnapshot snap = subnets.snapshot(netuid, epoch);
        SubnetEpochs.Post post = subnets.post(netuid, epoch);
        String key = netuid + "/" + epoch;
        long challenged = challenges.map(t -> {
            Long[] found = {0L};
            t.forEach((k, v) -> {
                if (k.equals(key)) {
                    found[0] = v;
                }
            });
            return found[0];
        }).orElse(0L);
        boolean posted = post.postedAt.signum() != 0;
        String status = !posted ? (challenged > 0 ? "challenged (post voided)" : "closed, not posted")
                : post.finalized ? "finalized" : "posted";
        into.put("epoch", epoch).put("block", snap.block.longValueExact()).put("pool", snap.pool.toString())
                .put("n", snap.n.intValueExact()).put("status", status).put("challenges", challenged);
        if (!posted) {
            if (challenged > 0) {
                into.put("bond", bond.toString()).put("bondState", "paid to the challenger");
            }
            return;
        }
        long postedAt = post.postedAt.longValueExact();
        into.put("poster", checksum(post.poster)).put("postedAt", postedAt)
                .put("challengeUntilBlock", postedAt + challengeBlocks)
                .put("root", org.web3j.utils.Numeric.toHexString(post.root))
                .put("emissionUnits", post.emissionUnits.toString()).put("claimedUnits", post.claimedUnits.toString())
                .put("bond", bond.toString()).put("bondState", post.finalized ? "returned to the poster" : "held");
        Optional<PostCalldata.Post> leaves = leaves(netuid, epoch);
        if (leaves.isEmpty()) {
            into.put("leavesNote", posts.isEmpty() ? "the node runs no event index: per-UID values are not read"
                    : "the post's transaction is not indexed yet or is not a direct post call");
            return;
        }
        ArrayNode out = into.putArray("leaves");
        for (SubnetLeaf leaf : leaves.get().leaves().subList(0, Math.min(MAX_UIDS, leaves.get().leaves().size()))) {
            out.addObject().put("uid", leaf.uid()).put("account", checksum(leaf.account()))
                    .put("incentive", fixed(leaf.incentive())).put("dividends", fixed(leaf.dividends()))
                    .put("consensus", fixed(leaf.consensus())).put("emission", leaf.claimWei().toString());
        }
    }

    /** The post's leaves from its transaction's calldata (via the index's newest Posted event of that epoch). */
    private Optional<PostCalldata.Post> leaves(long netuid, long epoch) {
        if (posts.isEmpty()) {
            return Optional.empty();
        }
        String key = netuid + "/" + epoch;
        String[] tx = {null};
        posts.get().forEach((k, v) -> {
            if (k.equals(key)) {
                tx[0] = v;
            }
        });
        if (tx[0] == null) {
            return Optional.empty();
        }
        synchronized (decoded) {
            PostCalldata.Post known = decoded.get(tx[0]);
            if (known != null) {
                return Optional.of(known);
            }
        }
        Object found = sources.chain().request("eth_getTransactionByHash", tx[0]);
        if (!(found instanceof Map<?, ?> txn) || !(txn.get("input") instanceof String input)) {
            return Optional.empty();
        }
        PostCalldata.Post post;
        try {
            post = PostCalldata.decode(input);
        } catch (RuntimeException e) {
            return Optional.empty(); // posted through another contract: its calldata is not a post call
        }
        if (post.netuid() != netuid || post.epoch() != epoch) {
            return Optional.empty();
        }
        synchronized (decoded) {
            decoded.put(tx[0], post);
        }
        return Optional.of(post);
    }

    /** An I32F32 value as a decimal with six places (for people; the exact value is on chain). */
    private static String fixed(long raw) {
        return new BigDecimal(raw).divide(FIXED_ONE, 6, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String checksum(String hex) {
        return org.web3j.crypto.Keys.toChecksumAddress(hex);
    }
}

package dev.hypha.node.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.chain.assets.AssetRecord;
import dev.hypha.chain.assets.DataPool;
import dev.hypha.chain.assets.LineageEdge;
import dev.hypha.chain.deploy.AccessGrantsClient;
import dev.hypha.chain.deploy.AssetRegistryClient;
import dev.hypha.chain.deploy.DataPoolsClient;
import dev.hypha.chain.deploy.RoyaltySplitterClient;
import dev.hypha.chain.indexer.EventIndexer;
import dev.hypha.chain.indexer.IndexedEvent;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.time.TimeSource;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Models and data on chain as the dashboard shows them: the registry's newest assets (kind, licence, version links,
 * lineage edges: the page draws the graph), the access grants and the accounts royalties were credited to (both found
 * through the node's event index, then read from the chain: whether a grant is still held, what an account may
 * withdraw), and the newest data pools. Bounded: {@link #MAX_ASSETS} assets, {@link #MAX_GRANTS} grants and
 * {@link #MAX_ROYALTIES} balances shown, {@link #MAX_POOLS} pools; the event folds are bounded by {@link EventTally}.
 */
final class AssetsReader {
    static final int MAX_ASSETS = 64;
    static final int MAX_GRANTS = 50;
    static final int MAX_ROYALTIES = 50;
    static final int MAX_POOLS = 20;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** One grantee's access to one asset as the events tell it: the newest grant and the newest revocation. */
    record Grant(long asset, String grantee, boolean job, long epoch, long grantedBlock, long grantedAt, long revokedAt) {
        /** Granted after the last revocation (positions compare as block * 2^20 + log index). */
        boolean granted() {
            return grantedAt > revokedAt;
        }
    }

    /** An account credited royalties in a token. */
    record Credited(Address account, Address token) {}

    private final DashboardSources sources;
    private final Optional<EventTally<Grant>> grants;
    private final Optional<EventTally<Credited>> royalties;
    private final Cached<ObjectNode> snapshot;

    AssetsReader(DashboardSources sources, TimeSource clock) {
        this.sources = Objects.requireNonNull(sources, "sources");
        this.grants = sources.indexer().filter(i -> has(AccessGrantsClient.NAME)).map(AssetsReader::grantTally);
        this.royalties = sources.indexer().filter(i -> has(RoyaltySplitterClient.NAME)).map(AssetsReader::royaltyTally);
        this.snapshot = new Cached<>(this::read, Duration.ofSeconds(2), clock);
    }

    private boolean has(String contract) {
        return sources.contracts().deployment().contracts().containsKey(contract);
    }

    /** Whether the deployment has the asset registry. */
    boolean present() {
        return has(AssetRegistryClient.NAME);
    }

    ObjectNode json() {
        return snapshot.get();
    }

    private static long position(IndexedEvent e) {
        return Math.addExact(Math.multiplyExact(e.blockNumber(), 1L << 20), e.logIndex());
    }

    private static EventTally<Grant> grantTally(EventIndexer indexer) {
        EventTally.Fold<Grant> granted = (e, store) -> {
            boolean job = e.name().startsWith("Job");
            String grantee = job ? e.arg("jobSpec") : Address.parse(e.arg("grantee")).toChecksumString();
            long asset = Long.parseLong(e.arg("assetId"));
            String key = key(asset, grantee);
            Grant before = store.get(key);
            store.put(key, new Grant(asset, grantee, job, Long.parseLong(e.arg("epoch")), e.blockNumber(), position(e),
                    before == null ? -1 : before.revokedAt()));
        };
        EventTally.Fold<Grant> revoked = (e, store) -> {
            boolean job = e.name().startsWith("Job");
            String grantee = job ? e.arg("jobSpec") : Address.parse(e.arg("grantee")).toChecksumString();
            long asset = Long.parseLong(e.arg("assetId"));
            String key = key(asset, grantee);
            Grant before = store.get(key);
            store.put(key, before == null ? new Grant(asset, grantee, job, 0, e.blockNumber(), -1, position(e))
                    : new Grant(asset, grantee, job, before.epoch(), before.grantedBlock(), before.grantedAt(), position(e)));
        };
        return new EventTally<>(indexer, AccessGrantsClient.NAME, Map.of("AccessGranted", granted,
                "AccessRevoked", revoked, "JobAccessGranted", granted, "JobAccessRevoked", revoked));
    }

    /** Keys sort by asset id (zero-padded), then grantee. */
    private static String key(long asset, String grantee) {
        return String.format(java.util.Locale.ROOT, "%020d %s", asset, grantee);
    }

    private static EventTally<Credited> royaltyTally(EventIndexer indexer) {
        EventTally.Fold<Credited> credited = (e, store) -> {
            Address account = Address.parse(e.arg("account"));
            Address token = Address.parse(e.arg("token"));
            store.put(account.lowercaseHex() + " " + token.lowercaseHex(), new Credited(account, token));
        };
        return new EventTally<>(indexer, RoyaltySplitterClient.NAME, Map.of("RoyaltyCredited", credited));
    }

    private ObjectNode read() {
        ObjectNode out = JSON.objectNode();
        if (!present()) {
            return out.put("present", false);
        }
        out.put("present", true).put("indexed", sources.indexer().isPresent());
        AssetRegistryClient registry = sources.contracts().assets();
        long next = registry.nextAssetId();
        out.put("assetsTotal", Math.max(0, next - 1));
        ArrayNode assets = out.putArray("assets");
        Set<Long> listed = new TreeSet<>();
        Set<Long> outside = new TreeSet<>();
        for (long id = next - 1; id >= 1 && id >= next - MAX_ASSETS; id--) {
            AssetRecord a = registry.asset(id);
            listed.add(id);
            asset(assets.addObject(), a);
            a.parents().forEach(p -> outside.add(p.parentId()));
        }
        outside.removeAll(listed);
        ArrayNode older = out.putArray("olderParents"); // ancestors beyond the newest MAX_ASSETS: drawn as ids only
        outside.forEach(older::add);
        grants(out.putArray("grants"));
        royalties(out.putArray("royalties"));
        pools(out.putArray("pools"));
        return out;
    }

    private static void asset(ObjectNode n, AssetRecord a) {
        n.put("id", a.id()).put("owner", a.owner().toChecksumString()).put("kind", a.kind().name())
                .put("status", a.status().name()).put("previousVersion", a.previousVersion())
                .put("nextVersion", a.nextVersion()).put("registeredAt", a.registeredAt())
                .put("cid", cid(a.contentId()));
        if (a.metadataId().length > 0) {
            n.put("metadata", cid(a.metadataId()));
        }
        n.putObject("licence").put("spdx", a.licence().spdx()).put("terms", a.licence().terms().name())
                .put("token", a.licence().token().lowercaseHex()).put("price", a.licence().price().toString());
        ArrayNode parents = n.putArray("parents");
        for (LineageEdge e : a.parents()) {
            parents.addObject().put("id", e.parentId()).put("shareBps", e.shareBps());
        }
    }

    /** The content id as text; bytes that are no content id (a registry takes any) are shown as hex. */
    private static String cid(byte[] bytes) {
        try {
            return ContentId.fromBytes(bytes).toString();
        } catch (RuntimeException e) {
            return "0x" + HexFormat.of().formatHex(bytes);
        }
    }

    /** The newest grants (by the block of their grant), with whether an account still holds the current key. */
    private void grants(ArrayNode out) {
        if (grants.isEmpty()) {
            return;
        }
        EventTally<Grant> tally = grants.get();
        tally.catchUp();
        List<Grant> all = new ArrayList<>();
        tally.forEach((k, g) -> all.add(g));
        all.sort(java.util.Comparator.comparingLong(Grant::grantedAt).reversed()
                .thenComparing(Grant::asset).thenComparing(Grant::grantee));
        AccessGrantsClient client = sources.contracts().grants();
        for (Grant g : all.subList(0, Math.min(MAX_GRANTS, all.size()))) {
            ObjectNode n = out.addObject().put("asset", g.asset()).put("grantee", g.grantee())
                    .put("kind", g.job() ? "job spec" : "account").put("epoch", g.epoch())
                    .put("block", g.grantedBlock());
            if (g.job()) {
                n.put("active", g.granted()); // no per-job read on chain: the events decide
            } else {
                // The chain decides: a revocation or a key rotation since the grant ends it.
                n.put("active", client.hasAccess(g.asset(), Address.parse(g.grantee())));
            }
        }
    }

    /** What each credited account may withdraw now (read from the chain), largest first. */
    private void royalties(ArrayNode out) {
        if (royalties.isEmpty()) {
            return;
        }
        EventTally<Credited> tally = royalties.get();
        tally.catchUp();
        List<Credited> all = new ArrayList<>();
        tally.forEach((k, c) -> all.add(c));
        RoyaltySplitterClient splitter = sources.contracts().royalties();
        record Row(Credited who, BigInteger balance) {}
        List<Row> rows = new ArrayList<>();
        // the first MAX_ROYALTIES * 4 accounts by address are read; the page shows the largest MAX_ROYALTIES
        for (Credited c : all.subList(0, Math.min(all.size(), MAX_ROYALTIES * 4))) {
            rows.add(new Row(c, splitter.balanceOf(c.token(), c.account())));
        }
        rows.sort(java.util.Comparator.comparing(Row::balance).reversed()
                .thenComparing(r -> r.who().account().lowercaseHex()));
        for (Row r : rows.subList(0, Math.min(MAX_ROYALTIES, rows.size()))) {
            out.addObject().put("account", r.who().account().toChecksumString())
                    .put("token", r.who().token().lowercaseHex()).put("balance", r.balance().toString());
        }
    }

    private void pools(ArrayNode out) {
        if (!has(DataPoolsClient.NAME)) {
            return;
        }
        DataPoolsClient client = sources.contracts().pools();
        long next = client.nextPoolId();
        for (long id = next - 1; id >= 1 && id >= next - MAX_POOLS; id--) {
            DataPool p = client.pool(id);
            out.addObject().put("id", p.id()).put("owner", p.owner().toChecksumString())
                    .put("contributionsEnd", p.contributionsEnd()).put("scoringEnd", p.scoringEnd())
                    .put("token", p.token().lowercaseHex()).put("deposited", p.deposited().toString())
                    .put("claimed", p.claimed().toString()).put("totalScore", p.totalScore().toString())
                    .put("contributions", p.contributions());
        }
    }

    /** What changes when the page should redraw: the registry's size and the number of events indexed. */
    String fingerprint() {
        if (!present()) {
            return "";
        }
        return sources.contracts().assets().nextAssetId() + "/"
                + sources.indexer().map(EventIndexer::eventCount).orElse(0L);
    }
}

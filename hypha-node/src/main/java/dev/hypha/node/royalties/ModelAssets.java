package dev.hypha.node.royalties;

import dev.hypha.chain.assets.AssetKind;
import dev.hypha.chain.assets.AssetStatus;
import dev.hypha.chain.deploy.AssetRegistryClient;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Address;
import dev.hypha.core.crypto.Hex;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which registered model asset a served model is: the unrevoked MODEL asset whose content id carries the model's digest
 * (the sha2-256 receipts and offers name it by) <em>and that one of the trusted publishers registered</em>, the first
 * publisher in the list winning. Anyone may register any bytes' content id (AssetRegistry keys claims by (content id,
 * registrant)), so neither "the first registration" nor "the only one" says who made a model: a squatter registering a
 * public model, or front-running its author's registration, would be paid. The payer names whose claims it honours
 * (the provider itself, and the publishers it named, e.g. the signer of the model manifest it verified), and a
 * registration by anyone else is never paid. An asset whose content id does not parse is ignored.
 */
public final class ModelAssets {
    /** Most registrations read in one pass: past it, later-registered models are not found (and not paid). */
    public static final int MAX_REGISTRATIONS = 10_000;

    private ModelAssets() {}

    /**
     * Model digest (0x + 64 lowercase hex) to asset id, for every unrevoked model asset registered by one of
     * {@code publishers} (earlier publishers first; for one publisher, its oldest asset with that digest).
     */
    public static Map<String, Long> byDigest(AssetRegistryClient registry, List<Address> publishers) {
        Map<String, Long> out = new TreeMap<>();
        Map<String, Integer> rank = new TreeMap<>();
        for (AssetRegistryClient.Registration r : registry.registrations(MAX_REGISTRATIONS)) {
            int publisher = publishers.indexOf(r.registrant());
            if (r.kind() != AssetKind.MODEL || publisher < 0) {
                continue; // a dataset, or a claim by someone this payer does not trust: never paid
            }
            String digest;
            try {
                digest = Hex.encode(ContentId.fromBytes(r.contentId()).multihash().digest()).toLowerCase(Locale.ROOT);
            } catch (RuntimeException notACid) {
                continue;
            }
            Integer best = rank.get(digest);
            if ((best == null || publisher < best) && registry.status(r.assetId()) != AssetStatus.REVOKED) {
                out.put(digest, r.assetId());
                rank.put(digest, publisher);
            }
        }
        return out;
    }
}

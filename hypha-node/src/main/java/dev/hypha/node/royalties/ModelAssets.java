package dev.hypha.node.royalties;

import dev.hypha.chain.assets.AssetKind;
import dev.hypha.chain.assets.AssetStatus;
import dev.hypha.chain.deploy.AssetRegistryClient;
import dev.hypha.core.cid.ContentId;
import dev.hypha.core.crypto.Hex;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which registered model asset a served model is: the oldest unrevoked MODEL asset whose content id carries the
 * model's digest (the sha2-256 receipts and offers name it by). Oldest, because a content id is not unique in the
 * registry and the first registration is the one the record dates earliest; an asset whose content id does not parse is
 * ignored.
 */
public final class ModelAssets {
    /** Most registrations read in one pass: past it, later-registered models are not found (and not paid). */
    public static final int MAX_REGISTRATIONS = 10_000;

    private ModelAssets() {}

    /** Model digest (0x + 64 lowercase hex) to asset id, for every unrevoked model asset in the registry. */
    public static Map<String, Long> byDigest(AssetRegistryClient registry) {
        Map<String, Long> out = new TreeMap<>();
        for (AssetRegistryClient.Registration r : registry.registrations(MAX_REGISTRATIONS)) {
            if (r.kind() != AssetKind.MODEL) {
                continue;
            }
            String digest;
            try {
                digest = Hex.encode(ContentId.fromBytes(r.contentId()).multihash().digest()).toLowerCase(Locale.ROOT);
            } catch (RuntimeException notACid) {
                continue;
            }
            if (!out.containsKey(digest) && registry.status(r.assetId()) != AssetStatus.REVOKED) {
                out.put(digest, r.assetId());
            }
        }
        return out;
    }
}

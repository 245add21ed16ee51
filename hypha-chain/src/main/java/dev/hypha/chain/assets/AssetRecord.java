package dev.hypha.chain.assets;

import dev.hypha.core.crypto.Address;
import java.util.List;

/**
 * An asset as AssetRegistry stores it, with its current owner.
 *
 * @param previousVersion the asset this is a new version of (0: first version)
 * @param nextVersion     the asset that succeeded it (0: latest)
 * @param registeredAt    block number of registration
 */
public record AssetRecord(long id, Address owner, AssetKind kind, AssetStatus status, long previousVersion,
                          long nextVersion, long registeredAt, byte[] contentId, byte[] metadataId, Licence licence,
                          List<LineageEdge> parents) {
    public AssetRecord {
        contentId = contentId.clone();
        metadataId = metadataId.clone();
        parents = List.copyOf(parents);
    }

    @Override
    public byte[] contentId() {
        return contentId.clone();
    }

    @Override
    public byte[] metadataId() {
        return metadataId.clone();
    }
}

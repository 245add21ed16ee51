package dev.hypha.ml.store;

import dev.hypha.core.cid.ContentId;
import java.util.List;

/**
 * What a removal did.
 *
 * @param name         the name removed
 * @param deletedBlobs blobs deleted because no manifest referred to them any more (sorted)
 */
public record RemoveResult(ModelName name, List<ContentId> deletedBlobs) {
    public RemoveResult {
        deletedBlobs = List.copyOf(deletedBlobs);
    }
}

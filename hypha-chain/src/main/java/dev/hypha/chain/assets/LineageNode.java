package dev.hypha.chain.assets;

import java.util.List;

/**
 * One asset in a lineage tree read from AssetRegistry: the asset and the parents it was built from, each with the share
 * of this asset's revenue it earns. A lineage is a DAG (a dataset may feed several ancestors); the tree repeats a shared
 * ancestor under each path but reads it once, and marks where the walk stopped.
 *
 * @param shareBps  the share of the child's revenue this asset earns (0 for the root)
 * @param repeated  this asset was already expanded elsewhere in the tree, so its parents are not listed again here
 * @param truncated the walk stopped here (depth or size limit) although the asset has parents
 */
public record LineageNode(AssetRecord asset, int shareBps, List<LineageNode> parents, boolean repeated, boolean truncated) {
    public LineageNode {
        parents = List.copyOf(parents);
    }
}

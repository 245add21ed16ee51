/**
 * Subnets (Bittensor-style incentives) on chain: the frozen epoch inputs as SubnetRegistry emits them, the leaves of an
 * optimistic epoch post as SubnetEpochs hashes them, their position-bound Merkle tree, the ABI of a challenge, and
 * {@link dev.hypha.chain.subnets.YumaPost}, which runs hypha-incentives' Yuma epoch on the inputs and builds the post.
 */
package dev.hypha.chain.subnets;

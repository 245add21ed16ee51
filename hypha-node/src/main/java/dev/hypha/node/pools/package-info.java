/**
 * Data pools (issue 13, Vana-like): the validator's scorer that reads a pool's sealed contributions it was granted,
 * measures each one's worth to a model trained on the pool (leave one out: a classifier's held-out accuracy for image
 * pools, {@link dev.hypha.node.pools.PoolScorer}; a LoRA fine-tune's held-out loss for text pools,
 * {@link dev.hypha.node.pools.LmPoolScorer}) and posts the scores to DataPools, and the
 * read-side view of a pool's contributions with their scores, shares of the rewards and what each can claim.
 */
package dev.hypha.node.pools;

/**
 * Verification of training by replay: the canonical state encoding and its keccak-256 Merkle tree
 * ({@link dev.hypha.ml.train.verify.StateLeaves}, {@link dev.hypha.ml.train.verify.MerkleTree}, the layout
 * {@code TrainingVerifier.sol} checks), re-execution from a committed state and bisection to the first differing step
 * ({@link dev.hypha.ml.train.verify.Replayer}), and the sampling of segments a verifier audits
 * ({@link dev.hypha.ml.train.verify.SegmentSampler}, {@link dev.hypha.ml.train.verify.SegmentAuditor}).
 */
package dev.hypha.ml.train.verify;

/**
 * Hypha's zero-knowledge prover foundation: the Goldilocks field and its quadratic extension ({@code field}), a Keccak
 * Fiat–Shamir transcript ({@code transcript}), multilinear polynomials ({@code poly}), the sumcheck protocol
 * ({@code sumcheck}) and a Ligero-style hash-based multilinear polynomial commitment ({@code pcs}). Depends only on
 * hypha-core; docs/ZK.md states the soundness argument.
 */
package dev.hypha.zk;

package dev.hypha.zk.pcs;

import dev.hypha.zk.field.Ext2;

/**
 * An opening of a committed polynomial at one point: the random combination of the rows ({@code combinedRow}, for the
 * proximity test), the eq-weighted combination ({@code evaluationRow}, whose inner product with the column eq gives the
 * value), the proof-of-work nonce drawn before the queries ({@link Grinding}; 0 when the parameters grind no bits), and
 * the Merkle cap ({@link LigeroParams#capLevel}), and for each queried column its entries and its path up to the cap. Arrays are held as given; {@link ProofCodec} makes
 * the canonical bytes.
 */
public record EvaluationProof(Ext2[] combinedRow, Ext2[] evaluationRow, long nonce, byte[][] cap, long[][] columns,
        byte[][][] paths) {}

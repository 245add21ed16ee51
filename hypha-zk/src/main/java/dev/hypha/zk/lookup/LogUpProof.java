package dev.hypha.zk.lookup;

/** A {@link RangeLookup} proof: the fraction sum over the looked-up column and the one over the table. */
public record LogUpProof(FractionSumProof column, FractionSumProof table) {}

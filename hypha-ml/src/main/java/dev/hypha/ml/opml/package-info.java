/**
 * Optimistic verification (opML) of LLM inference: {@link dev.hypha.ml.opml.IntLm}, an integer-only decoder whose every
 * operation a contract can recompute exactly ({@code contracts/src/opml/IntLm.sol} is its twin), the trace of a
 * generation ({@link dev.hypha.ml.opml.Trace}: each operation's output, committed as a Merkle tree whose top levels
 * split tokens, then layers, then operations) and the weight commitment ({@link dev.hypha.ml.opml.IntLmWeights}).
 */
package dev.hypha.ml.opml;

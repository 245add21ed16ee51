package dev.hypha.node.verify.opml;

import dev.hypha.chain.opml.OpmlReceipt;
import dev.hypha.ml.opml.Trace;

/**
 * One answered generation: the tokens, the receipt and its signature, and the trace the provider keeps to defend it.
 */
public record OpmlAnswer(byte[] prompt, byte[] output, OpmlReceipt receipt, byte[] signature, Trace trace) {}

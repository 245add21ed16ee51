/**
 * Deterministic test vocabularies trained on Debian's fortunes corpus (SentencePiece-style and byte-level BPE), as
 * GGUF tokenizer metadata for the random-weight test and benchmark models.
 */
package dev.hypha.ml.testmodel;

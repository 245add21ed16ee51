/**
 * Encoder-only embedding models (BERT and nomic-bert GGUF files: all-minilm, mxbai-embed-large, nomic-embed-text),
 * computed as llama.cpp's {@code llm_build_bert} does: bidirectional attention over the whole input, LayerNorm after
 * each residual add, then the file's pooling and L2 normalization (what {@code llama-embedding} prints). Kept apart from
 * {@code llm} because the block shares nothing with the decoder's (no KV cache, no causal mask, post-norms, GELU or
 * SwiGLU feed-forward with biases).
 */
package dev.hypha.ml.encoder;

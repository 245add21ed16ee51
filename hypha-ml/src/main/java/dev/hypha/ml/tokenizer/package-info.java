/**
 * Tokenizers built from GGUF metadata, following llama.cpp's llama-vocab.cpp step for step so token ids agree with
 * llama.cpp on the same file: SentencePiece-style score merging with byte fallback ("llama") and byte-level BPE with
 * merge ranks and named pre-tokenizer regexes ("gpt2": default, gpt-2, llama-bpe/llama3, qwen2, smollm, ...);
 * special tokens are split out longest-first before tokenizing, and EOG/EOT tokens are detected as llama.cpp does.
 */
package dev.hypha.ml.tokenizer;

/**
 * Serving a stored model: {@link dev.hypha.ml.serve.LoadedModel} is the one recipe for loading a model of the store
 * (content checked on first load, GGUF mapped, weights packed, tokenizer and chat template read, one default context
 * size), and {@link dev.hypha.ml.serve.Conversation} a chat over it that reuses the KV cache of the longest common
 * prefix between turns. {@code hypha run} uses both; the node's gateway is meant to.
 */
package dev.hypha.ml.serve;

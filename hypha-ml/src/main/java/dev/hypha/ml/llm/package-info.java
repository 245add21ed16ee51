/**
 * The llama-family transformer: {@link dev.hypha.ml.llm.ModelConfig} from GGUF metadata (llama, mistral, qwen2,
 * qwen3, and gemma2, gemma3, phi3 through {@link dev.hypha.ml.llm.LayoutTraits}), {@link dev.hypha.ml.llm.Model} over memory-mapped weights, {@link dev.hypha.ml.llm.Session} (KV cache,
 * batched prompt processing, logits), {@link dev.hypha.ml.llm.Generator} (streaming, stop sequences, statistics),
 * {@link dev.hypha.ml.llm.ContinuousBatcher} (concurrent generations sharing each decode step through
 * {@link dev.hypha.ml.llm.DecodeBatch}, each stream's bits the same as alone),
 * {@link dev.hypha.ml.llm.Embedder} (pooled, L2-normalized embeddings) and {@link dev.hypha.ml.llm.RandomModelFactory}
 * (seeded random-weight GGUF models for tests and benchmarks).
 *
 * <p>Typical use:
 * <pre>{@code
 * try (GgufFile gguf = GgufFile.open(path); Model model = Model.load(gguf, Model.Options.defaults())) {
 *     Tokenizer tok = Tokenizer.fromGguf(gguf);
 *     Generator.Result r = new Generator(model.newSession(2048), TokenDecoder.of(tok))
 *             .generate(tok.encode("Hello", true, false), Generator.Options.greedy(64), (id, text) -> System.out.print(text));
 * }
 * }</pre>
 *
 * <p>Context policy: a prompt that does not fit the session's remaining context is refused with
 * {@link dev.hypha.ml.llm.ContextOverflowException} before anything is computed (never silently truncated); generation
 * that fills the context stops with {@code StopReason.CONTEXT_FULL}.
 */
package dev.hypha.ml.llm;

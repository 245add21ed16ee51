/**
 * Tensor formats and compute kernels of Hypha's LLM engine.
 *
 * <h2>Formats</h2>
 * F32, F16, BF16, Q8_0, Q4_0, Q4_K and Q6_K rows are decoded exactly as ggml's {@code dequantize_row_*} and encoded
 * with the {@code quantize_row_*_ref} reference quantizers ({@link dev.hypha.ml.tensor.TensorCodec}). As in llama.cpp,
 * quantized weights are multiplied with activations quantized to Q8_0 (for Q8_0/Q4_0) or Q8_K (for Q4_K/Q6_K), so
 * the products inside a block are exact integer sums ({@link dev.hypha.ml.tensor.MatMul}).
 *
 * <h2>Deterministic mode: how</h2>
 * <ul>
 *   <li>Threads: every output element is one dot product computed start to end by one thread; threads only split
 *       the rows ({@link dev.hypha.ml.tensor.Parallel}). Batching tokens never changes how an element is computed, so
 *       batched prompt processing gives the same bits as one token at a time.</li>
 *   <li>Quantized dot products: int8 x int8 products are summed in int lanes (exact, so the lane layout and the
 *       reduction order cannot matter); each block's exact integer sum times its float scales is then added to the
 *       row's total in block order, one scalar addition at a time.</li>
 *   <li>Float dot products (F32/F16/BF16 weights, attention): computed on 16 virtual lanes whatever the hardware width
 *       (one 512-bit, two 256-bit or four 128-bit registers hold the same lanes), fused multiply-adds in index order per
 *       lane, then a fixed pairwise tree ({@link dev.hypha.ml.tensor.FloatKernels}). The Vector API's
 *       {@code reduceLanes(ADD)} is never used for floats: its order is unspecified and the interpreter and the JIT
 *       differ.</li>
 *   <li>Element-wise work (norms, RoPE, SiLU, softmax) is scalar Java with IEEE semantics; RMSNorm and softmax sums run
 *       in index order in double; cos/sin always and exp in deterministic mode come from {@code StrictMath} (fdlibm,
 *       bit-exact by specification).</li>
 * </ul>
 * The SIMD width is fixed per JVM ({@link dev.hypha.ml.tensor.VectorConfig}; {@code -Dhypha.ml.vectorBits} forces
 * 128/256/512) and tests run 128-bit and 256-bit child JVMs against the 512-bit parent to check bit identity.
 *
 * <h2>Deterministic mode: cost</h2>
 * Quantized matrices of a loaded model are repacked with rows side by side ({@code Interleaved*} classes): each row
 * owns a lane, so its exact block sums are scaled and added in block order whatever the mode, and both modes run the
 * same kernel at the same speed. What remains of fast mode: the one-row kernels (matrices multiplied without
 * repacking) accumulate block results lane-wise in float (bits then depend on the SIMD width, though still not on
 * threads, batch size or JIT tier), and softmax/SiLU use {@code Math.exp} where deterministic mode uses
 * {@code StrictMath.exp}; bench/ measures the ratio.
 */
package dev.hypha.ml.tensor;

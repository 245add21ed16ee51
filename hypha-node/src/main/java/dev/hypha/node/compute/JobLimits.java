package dev.hypha.node.compute;

/**
 * What a provider accepts from a spec that came over the network: every number that decides how much work or memory
 * a job costs is bounded before any of that work starts.
 *
 * @param maxSpecBytes        largest spec file (a spec is a small TOML file; under one chunk, so its id is a raw CID)
 * @param maxSteps            most training steps
 * @param maxLayers           most layer lines
 * @param maxBatch            largest batch
 * @param maxParameters       most trainable parameters
 * @param maxDatasetFileBytes largest dataset file (a split's images or labels, fine-tuning data)
 * @param maxBaseModelBytes   largest base model of a fine-tuning job
 */
public record JobLimits(int maxSpecBytes, long maxSteps, int maxLayers, int maxBatch, long maxParameters,
                        long maxDatasetFileBytes, long maxBaseModelBytes) {
    /** Limits for a CPU provider: Fashion-MNIST's CNN and MLP and a LoRA of a small llama fit with room to spare. */
    public static final JobLimits DEFAULT = new JobLimits(64 << 10, 1_000_000, 64, 1024, 16_000_000, 256L << 20, 1L << 30);

    public JobLimits {
        if (maxSpecBytes < 1 || maxSpecBytes > (1 << 20)) {
            throw new IllegalArgumentException("maxSpecBytes must be 1..1 MiB (one raw block), got " + maxSpecBytes);
        }
        if (maxSteps < 1 || maxLayers < 1 || maxBatch < 1 || maxParameters < 1 || maxDatasetFileBytes < 1
                || maxBaseModelBytes < 1 || maxBaseModelBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("every limit must be positive (base models are fetched into memory: < 2 GiB)");
        }
    }
}

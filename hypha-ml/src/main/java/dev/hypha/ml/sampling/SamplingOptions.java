package dev.hypha.ml.sampling;

/**
 * Sampling parameters with llama.cpp's meanings and defaults.
 *
 * @param temperature      divides logits; 0 or less means greedy (argmax)
 * @param topK             keep the k most likely tokens; 0 or less disables
 * @param topP             keep the smallest set whose probability reaches p; 1 disables
 * @param minP             drop tokens less likely than minP times the most likely one; 0 disables
 * @param repeatPenalty    divides positive / multiplies negative logits of recent tokens; 1 disables
 * @param presencePenalty  subtracted once from the logit of every recent token
 * @param frequencyPenalty subtracted per occurrence from the logit of recent tokens
 * @param repeatLastN      how many recent tokens the penalties look at (0 disables them, -1 means all)
 * @param seed             seed of the random generator (L64X128MixRandom)
 */
public record SamplingOptions(float temperature, int topK, float topP, float minP, float repeatPenalty,
                              float presencePenalty, float frequencyPenalty, int repeatLastN, long seed) {
    public SamplingOptions {
        check(Float.isFinite(temperature), "temperature must be finite");
        check(topP >= 0 && topP <= 1, "top_p must be between 0 and 1, got " + topP);
        check(minP >= 0 && minP <= 1, "min_p must be between 0 and 1, got " + minP);
        check(repeatPenalty > 0 && Float.isFinite(repeatPenalty), "repeat_penalty must be positive, got " + repeatPenalty);
        check(Float.isFinite(presencePenalty) && Float.isFinite(frequencyPenalty), "penalties must be finite");
        check(repeatLastN >= -1, "repeat_last_n must be -1 (all), 0 (off) or positive, got " + repeatLastN);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** llama.cpp's defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no penalties (last 64), seed 0. */
    public static SamplingOptions defaults() {
        return new SamplingOptions(0.8f, 40, 0.95f, 0.05f, 1.0f, 0f, 0f, 64, 0L);
    }

    /** Always the most likely token. */
    public static SamplingOptions greedy() {
        return new SamplingOptions(0f, 0, 1f, 0f, 1.0f, 0f, 0f, 64, 0L);
    }

    public SamplingOptions withTemperature(float t) {
        return new SamplingOptions(t, topK, topP, minP, repeatPenalty, presencePenalty, frequencyPenalty, repeatLastN, seed);
    }

    public SamplingOptions withTopK(int k) {
        return new SamplingOptions(temperature, k, topP, minP, repeatPenalty, presencePenalty, frequencyPenalty, repeatLastN, seed);
    }

    public SamplingOptions withTopP(float p) {
        return new SamplingOptions(temperature, topK, p, minP, repeatPenalty, presencePenalty, frequencyPenalty, repeatLastN, seed);
    }

    public SamplingOptions withMinP(float p) {
        return new SamplingOptions(temperature, topK, topP, p, repeatPenalty, presencePenalty, frequencyPenalty, repeatLastN, seed);
    }

    public SamplingOptions withPenalties(float repeat, float presence, float frequency, int lastN) {
        return new SamplingOptions(temperature, topK, topP, minP, repeat, presence, frequency, lastN, seed);
    }

    public SamplingOptions withSeed(long s) {
        return new SamplingOptions(temperature, topK, topP, minP, repeatPenalty, presencePenalty, frequencyPenalty, repeatLastN, s);
    }
}

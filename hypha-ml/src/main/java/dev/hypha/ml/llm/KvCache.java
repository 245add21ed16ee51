package dev.hypha.ml.llm;

/** Keys and values of every layer for positions 0..contextSize-1, stored as floats ([position][kvDim] per layer). */
public final class KvCache {
    final float[][] keys;
    final float[][] values;
    private final int contextSize;
    private final int kvDim;

    public KvCache(ModelConfig c, int contextSize) {
        if (contextSize <= 0 || contextSize > c.contextLength()) {
            throw new IllegalArgumentException("context size must be between 1 and the model's context length "
                    + c.contextLength() + ", got " + contextSize);
        }
        long perLayer = (long) contextSize * c.kvDim();
        if (perLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a KV cache of " + contextSize + " positions x " + c.kvDim()
                    + " floats per layer is too large; choose a smaller context size");
        }
        long bytes = 2L * c.layers() * perLayer * Float.BYTES;
        long available = Runtime.getRuntime().maxMemory() - (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        if (bytes > available) {
            throw new IllegalArgumentException("a KV cache of " + contextSize + " positions needs " + (bytes >> 20) + " MiB but only about "
                    + (available >> 20) + " MiB of heap are free; choose a smaller context size or raise -Xmx");
        }
        this.contextSize = contextSize;
        this.kvDim = c.kvDim();
        this.keys = new float[c.layers()][(int) perLayer];
        this.values = new float[c.layers()][(int) perLayer];
    }

    public int contextSize() {
        return contextSize;
    }

    public int kvDim() {
        return kvDim;
    }

    /** Bytes held by the cache. */
    public long byteSize() {
        return 2L * keys.length * contextSize * kvDim * Float.BYTES;
    }
}

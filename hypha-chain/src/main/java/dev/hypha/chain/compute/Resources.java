package dev.hypha.chain.compute;

/**
 * What a job needs, or what a provider offers for it (each a uint32 on chain).
 *
 * @param cores        CPU cores
 * @param memoryMiB    memory in MiB
 * @param accelerators GPUs or other accelerators
 */
public record Resources(long cores, long memoryMiB, long accelerators) {
    private static final long UINT32_MAX = 0xFFFF_FFFFL;

    public Resources {
        check("cores", cores);
        check("memoryMiB", memoryMiB);
        check("accelerators", accelerators);
    }

    private static void check(String what, long v) {
        if (v < 0 || v > UINT32_MAX) {
            throw new IllegalArgumentException(what + " must be between 0 and " + UINT32_MAX + ", got " + v);
        }
    }

    /** Whether these resources are at least {@code needs} in every dimension (what a bid must offer). */
    public boolean covers(Resources needs) {
        return cores >= needs.cores && memoryMiB >= needs.memoryMiB && accelerators >= needs.accelerators;
    }
}

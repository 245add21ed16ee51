package dev.hypha.ml.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD width the kernels use, fixed once per JVM.
 *
 * <p>The species are {@code static final} on purpose: the JIT only turns Vector API calls into SIMD
 * instructions when the species is a compile-time constant. The width defaults to the CPU's preferred
 * one; the system property {@code hypha.ml.vectorBits} (128, 256 or 512) forces another, which is how
 * the tests check that deterministic mode gives the same bits on machines with different SIMD widths.
 */
public final class VectorConfig {
    private VectorConfig() {}

    /** Width in bits of the float and int species. */
    public static final int BITS = chooseBits();

    /** Float lanes used by the float kernels. */
    public static final VectorSpecies<Float> FLOAT = FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(BITS));

    /** Int lanes used to accumulate exact int8 products. */
    public static final VectorSpecies<Integer> INT = IntVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(BITS));

    /** Quantized weights and activations are always loaded 16 bytes at a time, then widened to {@link #INT}. */
    public static final VectorSpecies<Byte> BYTE16 = ByteVector.SPECIES_128;

    /** Short lanes for int8 products (exact in 16 bits), {@code BITS / 16} of them. */
    public static final VectorSpecies<Short> SHORT = ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(BITS));

    /** Bytes that widen into one {@link #SHORT} vector ({@code BITS / 2} bits). */
    public static final VectorSpecies<Byte> BYTE_HALF = ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(BITS / 2));

    /** How many {@link #INT} vectors one 16-byte load widens into. */
    public static final int INT_PARTS = 16 / INT.length();

    private static int chooseBits() {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        String forced = System.getProperty("hypha.ml.vectorBits");
        if (forced == null || forced.isBlank()) {
            return Math.max(128, Math.min(512, preferred));
        }
        int bits;
        try {
            bits = Integer.parseInt(forced.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("hypha.ml.vectorBits must be 128, 256 or 512, not '" + forced + "'", e);
        }
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("hypha.ml.vectorBits must be 128, 256 or 512, not " + bits);
        }
        return bits;
    }
}

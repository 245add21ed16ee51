package dev.hypha.zk.field;

/**
 * An element c0 + c1·X of the quadratic extension GF(p)[X]/(X² − 7) of the Goldilocks field (7 is a quadratic
 * non-residue, so X² − 7 is irreducible; the same extension Plonky2 uses). It has p² ≈ 2^128 elements, which is what the
 * sumcheck and commitment challenges are drawn from: a degree-d check then fails to catch a cheat with probability
 * d/p² instead of d/p.
 *
 * <p>A record of two longs: inside the prover's inlined loops the JIT keeps the pair in registers (scalar replacement),
 * and {@link ExtVector} stores long tables of them without objects.
 */
public record Ext2(long c0, long c1) {
    /** The non-residue W with X² = W. */
    public static final long W = 7;
    public static final Ext2 ZERO = new Ext2(0, 0);
    public static final Ext2 ONE = new Ext2(1, 0);

    /**
     * The element with these coefficients, checked to be canonical: the entry point for values from outside (decoders,
     * tests). Arithmetic uses the plain constructor, whose inputs are canonical by construction, to keep the hot loops
     * free of the check.
     *
     * @throws IllegalArgumentException naming the coefficient that is not below p
     */
    public static Ext2 checked(long c0, long c1) {
        if (!Goldilocks.isCanonical(c0) || !Goldilocks.isCanonical(c1)) {
            throw new IllegalArgumentException("extension coefficients must be below p, got "
                    + Long.toUnsignedString(c0) + ", " + Long.toUnsignedString(c1));
        }
        return new Ext2(c0, c1);
    }

    /** The base-field element a embedded in the extension. */
    public static Ext2 of(long a) {
        return new Ext2(a, 0);
    }

    public boolean isZero() {
        return c0 == 0 && c1 == 0;
    }

    public boolean isBase() {
        return c1 == 0;
    }

    public Ext2 add(Ext2 o) {
        return new Ext2(Goldilocks.add(c0, o.c0), Goldilocks.add(c1, o.c1));
    }

    public Ext2 sub(Ext2 o) {
        return new Ext2(Goldilocks.sub(c0, o.c0), Goldilocks.sub(c1, o.c1));
    }

    public Ext2 neg() {
        return new Ext2(Goldilocks.neg(c0), Goldilocks.neg(c1));
    }

    /** (a0 + a1X)(b0 + b1X) = a0b0 + 7·a1b1 + (a0b1 + a1b0)X, the cross term by Karatsuba: three base products. */
    public Ext2 mul(Ext2 o) {
        long p0 = Goldilocks.mul(c0, o.c0);
        long p1 = Goldilocks.mul(c1, o.c1);
        long cross = Goldilocks.sub(Goldilocks.sub(Goldilocks.mul(Goldilocks.add(c0, c1), Goldilocks.add(o.c0, o.c1)), p0), p1);
        return new Ext2(Goldilocks.add(p0, mulByW(p1)), cross);
    }

    /** Multiplication by a base-field element: two base products. */
    public Ext2 mulBase(long b) {
        return new Ext2(Goldilocks.mul(c0, b), Goldilocks.mul(c1, b));
    }

    public Ext2 square() {
        return mul(this);
    }

    /** a^e for an unsigned exponent e. */
    public Ext2 pow(long e) {
        Ext2 result = ONE;
        Ext2 base = this;
        while (e != 0) {
            if ((e & 1) != 0) {
                result = result.mul(base);
            }
            base = base.square();
            e >>>= 1;
        }
        return result;
    }

    /**
     * The inverse: (c0 − c1X) / (c0² − 7c1²), the norm being a non-zero base element for a non-zero input.
     *
     * @throws ArithmeticException when this is zero
     */
    public Ext2 inverse() {
        if (isZero()) {
            throw new ArithmeticException("zero has no inverse in the Goldilocks quadratic extension");
        }
        long norm = Goldilocks.sub(Goldilocks.mul(c0, c0), mulByW(Goldilocks.mul(c1, c1)));
        long inv = Goldilocks.inverse(norm);
        return new Ext2(Goldilocks.mul(c0, inv), Goldilocks.neg(Goldilocks.mul(c1, inv)));
    }

    /** 7·a as 8a − a: additions instead of a full 128-bit product. */
    static long mulByW(long a) {
        long twice = Goldilocks.add(a, a);
        long four = Goldilocks.add(twice, twice);
        long eight = Goldilocks.add(four, four);
        return Goldilocks.sub(eight, a);
    }

    @Override
    public String toString() {
        return "(" + Long.toUnsignedString(c0) + " + " + Long.toUnsignedString(c1) + "·X)";
    }
}

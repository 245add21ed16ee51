package dev.hypha.ml.llm;

/**
 * The exponential used by softmax and SiLU. {@code Math.exp} may differ by an ulp between JVMs and CPUs
 * (it is an intrinsic); {@code StrictMath.exp} is specified to give fdlibm's exact bits everywhere, which is
 * what deterministic mode needs. Everything else in the forward pass is already order-pinned.
 */
enum MathMode {
    FAST {
        @Override
        double exp(double x) {
            return Math.exp(x);
        }
    },
    STRICT {
        @Override
        double exp(double x) {
            return StrictMath.exp(x);
        }
    };

    abstract double exp(double x);
}

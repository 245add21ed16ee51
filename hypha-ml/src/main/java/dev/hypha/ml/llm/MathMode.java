package dev.hypha.ml.llm;

/**
 * The exponential used by softmax and SiLU, and the tanh of gemma's soft-capping. {@code Math.exp} may differ by an ulp between JVMs and CPUs
 * (it is an intrinsic); {@code StrictMath.exp} is specified to give fdlibm's exact bits everywhere, which is
 * what deterministic mode needs. Everything else in the forward pass is already order-pinned.
 */
enum MathMode {
    FAST {
        @Override
        double exp(double x) {
            return Math.exp(x);
        }

        @Override
        double tanh(double x) {
            return Math.tanh(x);
        }
    },
    STRICT {
        @Override
        double exp(double x) {
            return StrictMath.exp(x);
        }

        @Override
        double tanh(double x) {
            return StrictMath.tanh(x);
        }
    };

    abstract double exp(double x);

    /** {@code Math.tanh} is a JIT intrinsic on x86_64 (JDK 24+), so it, too, has a strict twin. */
    abstract double tanh(double x);
}

"""numpy side of bench/gemm-vs-numpy.sh: float32 C = A·Bᵀ (np.dot, OpenBLAS sgemm) on the same shapes.

    python3 numpy_gemm.py M,N,K [M,N,K ...]      (threads: OPENBLAS_NUM_THREADS, set by the script)

Prints one line per shape: 'numpy M N K GFLOPS' (best of five rounds of at least 0.2 s, after a warm-up round).
"""
import sys
import time

import numpy as np

for shape in sys.argv[1:]:
    m, n, k = (int(x) for x in shape.split(","))
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, k)).astype(np.float32)
    c = np.empty((m, n), dtype=np.float32)
    best = 0.0
    for rnd in range(6):
        start = time.perf_counter()
        reps = 0
        while True:
            np.dot(a, b.T, out=c)
            reps += 1
            if time.perf_counter() - start >= 0.2:
                break
        rate = reps * 2.0 * m * n * k / (time.perf_counter() - start) / 1e9
        if rnd > 0:
            best = max(best, rate)
    print(f"numpy {m} {n} {k} {best:.1f}")

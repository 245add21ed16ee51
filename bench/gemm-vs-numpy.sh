#!/usr/bin/env bash
# GEMM GFLOP/s of training's FloatMatMul (deterministic) and of an unordered k-split variant, against numpy's float32
# np.dot (OpenBLAS sgemm, Debian's python3-numpy with libopenblas0-pthread) on the same shapes and thread counts, in the
# same run; and each as a fraction of this CPU's peak (derivation printed).
#
#   bench/gemm-vs-numpy.sh [THREADS]      (default: 1 and 2)
#
# Shapes: square 256/512/1024 and the training shapes of the examples at batch 64 (MLP forward 64x256x784; CNN conv1
# forward 50176x16x9, conv2 forward 12544x32x144, conv2 input gradient 12544x144x32 and weight gradient 32x144x12544,
# linear 64x128x1568); M,N,K means C[MxN] = A[MxK]·B[NxK]ᵀ.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
scripts/install-peers.sh
JAR=hypha-cli/target/hypha.jar
if [ ! -f "$JAR" ] || [ -n "$(find hypha-ml/src hypha-core/src hypha-cli/src -newer "$JAR" -name '*.java' -print -quit)" ]; then
  echo "building $JAR ..."
  ./mvnw -q -B -pl hypha-cli -am package -DskipTests -DskipITs
fi
SHAPES="256,256,256 512,512,512 1024,1024,1024 64,256,784 50176,16,9 12544,32,144 12544,144,32 32,144,12544 64,128,1568"
THREADS=${1:-"1 2"}

mhz=$(grep -m1 'cpu MHz' /proc/cpuinfo | awk '{print $4}')
lanes=8; grep -qw avx512f /proc/cpuinfo && lanes=16
fma=2   # FMA pipes per core for 512-bit (server Xeon: ports 0+1 fused and port 5) or 256-bit (AVX2 cores) vectors
cores=$(nproc)
echo "machine: $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
python3 - "$mhz" "$lanes" "$fma" "$cores" <<'PY'
import sys
mhz, lanes, fma, cores = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
per_core = fma * lanes * 2 * mhz / 1000
print(f"peak fp32: {fma} FMA units x {lanes} lanes x 2 flops x {mhz/1000:.2f} GHz (cpu MHz in /proc/cpuinfo) = {per_core:.0f} GFLOP/s per core, {per_core*cores:.0f} for {cores} cores")
PY
per_core=$(python3 -c "print($fma * $lanes * 2 * $mhz / 1000)")
for t in $THREADS; do
  # shellcheck disable=SC2086
  ours=$(java $HYPHA_JVM_FLAGS -XX:+UseSerialGC -cp "$JAR" bench/GemmVsNumpy.java "$t" $SHAPES 2>/dev/null)
  # shellcheck disable=SC2086
  theirs=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$t" /usr/bin/python3 bench/numpy_gemm.py $SHAPES)
  python3 - "$t" "$per_core" <<PY
import sys
t, per_core = int(sys.argv[1]), float(sys.argv[2])
peak = per_core * t
ours = {tuple(l.split()[1:4]): (float(l.split()[7]), float(l.split()[9])) for l in """$ours""".strip().splitlines()}
theirs = {tuple(l.split()[1:4]): float(l.split()[4]) for l in """$theirs""".strip().splitlines()}
print(f"\n{t} thread(s), peak {peak:.0f} GFLOP/s")
print(f"{'M x N x K':>18} {'hypha det':>10} {'numpy':>8} {'det/numpy':>10} {'det %peak':>10} {'numpy %peak':>12} {'unordered':>10} {'det/unordered':>14}")
for key, (det, un) in ours.items():
    np_rate = theirs[key]
    print(f"{' x '.join(key):>18} {det:>10.1f} {np_rate:>8.1f} {det/np_rate:>10.2f} {100*det/peak:>9.1f}% {100*np_rate/peak:>11.1f}% {un:>10.1f} {det/un:>14.2f}")
PY
done

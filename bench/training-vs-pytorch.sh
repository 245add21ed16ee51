#!/usr/bin/env bash
# Training throughput of `hypha train` vs PyTorch (Debian's python3-torch, CPU) for the Fashion-MNIST MLP of
# examples/fashion-mnist-mlp.toml: same architecture (784-256-10, ReLU, dropout 0.2), batch, steps, AdamW and clipping,
# same thread count, measured in the same run. Prints samples/s of both and the ratio hypha / pytorch.
#
#   bench/training-vs-pytorch.sh [STEPS] [THREADS]     (defaults: 2000 steps, 2 threads)
#
# Needs: apt-get install dataset-fashion-mnist python3-torch libopenblas0-pthread (PyTorch falls back to the
# reference BLAS, ~1 GFLOP/s, without OpenBLAS).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
STEPS=${1:-2000}
THREADS=${2:-2}
BATCH=64
DATA=/usr/share/datasets/fashion-mnist
JAR=hypha-cli/target/hypha.jar
if [ ! -f "$JAR" ] || [ -n "$(find hypha-ml/src hypha-core/src hypha-cli/src -newer "$JAR" -name '*.java' -print -quit)" ]; then
  echo "building $JAR ..."
  ./mvnw -q -B -pl hypha-cli -am package -DskipTests -DskipITs
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); $STEPS steps of batch $BATCH, $THREADS threads"
# shellcheck disable=SC2086
hypha() { java $HYPHA_JVM_FLAGS -XX:+UseSerialGC -jar "$JAR" --home "$work/home" "$@"; }
hypha dataset import fashion-mnist >/dev/null
sed -e "s/^steps = .*/steps = $STEPS/" -e "s/^checkpoint_every = .*/checkpoint_every = 0/" -e "s/^name = .*/name = \"bench-mlp\"/" \
  examples/fashion-mnist-mlp.toml > "$work/mlp.toml"
# Both at 1 thread and at THREADS threads: on a loaded 2-core machine PyTorch's OpenMP + OpenBLAS threads can collapse
# (measured here: 22,000 samples/s on 1 thread, 1,300-13,000 on 2), so the ratio is taken best against best.
best_ours=0
best_theirs=0
for t in $(printf '%s\n' 1 "$THREADS" | sort -un); do
  line=$(hypha train "$work/mlp.toml" --threads "$t" 2>/dev/null | grep '^Trained')
  rm -rf "$work/home/content/refs/checkpoints" "$work/home/content/refs/models"
  seconds=$(echo "$line" | sed -E 's/.* in ([0-9.]+) s.*/\1/')
  ours=$(python3 -c "print(round($STEPS * $BATCH / $seconds))")
  echo "hypha   $t thread(s): samples/s $ours  (includes JIT warm-up)"
  # Unset together so OpenBLAS picks its AVX-512 kernels (see DESIGN.md's note on OpenBLAS).
  theirs_line=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/pytorch_mlp.py "$DATA" "$STEPS" "$BATCH" "$t")
  theirs=${theirs_line##* }
  echo "pytorch $t thread(s): samples/s $theirs  (torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), after 100 warm-up steps)"
  best_ours=$(( ours > best_ours ? ours : best_ours ))
  best_theirs=$(( theirs > best_theirs ? theirs : best_theirs ))
done
python3 -c "print(f'ratio hypha / pytorch (best thread count of each): {$best_ours / $best_theirs:.2f}')"

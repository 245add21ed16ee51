#!/usr/bin/env bash
# Training throughput (samples/s) of `hypha train` vs PyTorch (Debian's python3-torch, CPU) and vs plain numpy (Debian's
# python3-numpy; bench/numpy_train.py) for the Fashion-MNIST MLP and CNN of examples/fashion-mnist-{mlp,cnn}.toml: same
# architecture, batch, dropout, AdamW and clipping, same steps and thread count, measured in the same run. Prints
# samples/s of each and the ratios hypha / pytorch and hypha / numpy (best thread count of each).
#
#   bench/training-vs-pytorch.sh [MLP_STEPS] [THREADS] [CNN_STEPS]     (defaults: 2000 steps, 2 threads, 200 CNN steps)
#
# Needs: dataset-fashion-mnist, python3-torch, python3-numpy, libopenblas0-pthread (scripts/install-peers.sh installs the
# last three; PyTorch and numpy fall back to the reference BLAS, ~1 GFLOP/s, without OpenBLAS).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
scripts/install-peers.sh
MLP_STEPS=${1:-2000}
THREADS=${2:-2}
CNN_STEPS=${3:-200}
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
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); batch $BATCH; MLP $MLP_STEPS steps, CNN $CNN_STEPS steps; threads 1 and $THREADS"
echo "torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), numpy $(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)')"
# shellcheck disable=SC2086
hypha() { java $HYPHA_JVM_FLAGS -XX:+UseSerialGC -jar "$JAR" --home "$work/home" "$@"; }
hypha dataset import fashion-mnist >/dev/null
for model in mlp cnn; do
  steps=$MLP_STEPS; [ "$model" = cnn ] && steps=$CNN_STEPS
  sed -e "s/^steps = .*/steps = $steps/" -e "s/^checkpoint_every = .*/checkpoint_every = 0/" -e "s/^name = .*/name = \"bench-$model\"/" \
    -e "s/^warmup_steps = .*/warmup_steps = $((steps < 200 ? steps : 200))/" examples/fashion-mnist-$model.toml > "$work/$model.toml"
  echo
  echo "== $model ($steps steps)"
  # Both at 1 thread and at THREADS threads: on a loaded 2-core machine PyTorch's OpenMP + OpenBLAS threads can collapse
  # (measured here: 22,000 samples/s on 1 thread, 1,300-13,000 on 2), so the ratio is taken best against best.
  best_ours=0; best_torch=0; best_numpy=0
  for t in $(printf '%s\n' 1 "$THREADS" | sort -un); do
    line=$(hypha train "$work/$model.toml" --threads "$t" 2>/dev/null | grep '^Trained')
    rm -rf "$work/home/content/refs/checkpoints" "$work/home/content/refs/models"
    seconds=$(echo "$line" | sed -E 's/.* in ([0-9.]+) s.*/\1/')
    ours=$(python3 -c "print(round($steps * $BATCH / $seconds))")
    echo "hypha   $t thread(s): samples/s $ours  (includes JIT warm-up; deterministic, the only mode)"
    # Unset together so OpenBLAS picks its AVX-512 kernels (see DESIGN.md's note on OpenBLAS).
    torch_line=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/pytorch_train.py "$model" "$DATA" "$steps" "$BATCH" "$t")
    theirs=${torch_line##* }
    echo "pytorch $t thread(s): samples/s $theirs  (after 100 warm-up steps)"
    numpy_line=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$t" /usr/bin/python3 bench/numpy_train.py "$model" "$DATA" "$steps" "$BATCH")
    np_rate=$(echo "$numpy_line" | awk '{print $3}')
    echo "numpy   $t thread(s): samples/s $np_rate  (after 20 warm-up steps)"
    best_ours=$(( ours > best_ours ? ours : best_ours ))
    best_torch=$(( theirs > best_torch ? theirs : best_torch ))
    best_numpy=$(( np_rate > best_numpy ? np_rate : best_numpy ))
  done
  python3 -c "print(f'$model ratio hypha / pytorch: {$best_ours / $best_torch:.2f}; hypha / numpy: {$best_ours / $best_numpy:.2f} (best thread count of each)')"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Retrains hypha-tiny, the chat model `hypha up` serves, from examples/hypha-tiny.toml: Debian's fortunes as chat turns,
# a byte-level BPE trained on them, a 2.75M-parameter llama decoder, about an hour on one core. Deterministic: the same
# spec gives the same file on any machine and thread count. Niced and on one thread so a shared machine stays usable;
# kill it at any time and run it again to continue from the last checkpoint (every 200 steps).
#   scripts/train-hypha-tiny.sh [WORK_DIR]     (default models/hypha-tiny/work, not committed)
# Appends the progress to models/hypha-tiny/training.log and installs the Q8_0 result as the node's classpath resource.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$root/models/hypha-tiny/work}"
log="$root/models/hypha-tiny/training.log"
mkdir -p "$work" "$(dirname "$log")"
nice -n 10 "$root/hypha" train "$root/examples/hypha-tiny.toml" --threads "${HYPHA_TRAIN_THREADS:-1}" --out "$work" 2>&1 | tee -a "$log"
install -m 644 "$work/hypha-tiny.gguf" "$root/hypha-node/src/main/resources/dev/hypha/node/devnet/hypha-tiny.gguf"
echo "installed $work/hypha-tiny.gguf as hypha-node/src/main/resources/dev/hypha/node/devnet/hypha-tiny.gguf"

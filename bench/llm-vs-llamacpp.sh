#!/usr/bin/env bash
# Hypha's Java engine vs llama.cpp (node-llama-cpp 3.21.1): prompt processing and generation tokens/s on the same
# random-weight llama-shaped GGUF files (Q8_0, Q4_0, Q4_K), same threads, same prompt. See bench/README.md.
#
#   bench/llm-vs-llamacpp.sh                      # the default run (0.84B llama shape, 2 threads)
#   bench/llm-vs-llamacpp.sh --types q4_k --generate 64
#   bench/llm-vs-llamacpp.sh --types q3_k,q5_k,iq4_xs,q4_k_m   # any ggml type we load, or a llama-quantize mix
#
# Options are passed to bench/LlmVsLlamaCpp.java: --types --threads --prompt --generate --dim --ffn --layers --heads
# --kv-heads --batch --dir --rounds (interleaved rounds, medians reported), and --arch (llama, gemma2, gemma3, phi3,
# qwen3moe) --head-dim --window (gemma's sliding window) --experts --experts-used --expert-ffn (mixture of experts).
#   bench/llm-vs-llamacpp.sh --arch qwen3moe --types q4_k --dim 1024 --layers 8 --heads 16 --kv-heads 4 --head-dim 64 \
#     --ffn 3072 --experts 32 --experts-used 4 --expert-ffn 512
# Models are written once to bench/out/ (about 2.2 GB for the three types) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

if [ ! -f node_modules/node-llama-cpp/package.json ]; then
  echo "node-llama-cpp is missing: run 'npm ci' in the repository root first." >&2
  exit 1
fi
JAR=hypha-cli/target/hypha.jar
if [ ! -f "$JAR" ] || [ -n "$(find hypha-ml/src hypha-core/src -newer "$JAR" -name '*.java' -print -quit)" ]; then
  echo "building $JAR ..."
  ./mvnw -q -B -pl hypha-cli -am package -DskipTests -DskipITs
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
# shellcheck disable=SC2086
exec java $HYPHA_JVM_FLAGS -Xmx8g -cp "$JAR" bench/LlmVsLlamaCpp.java "$@"

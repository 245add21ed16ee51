#!/usr/bin/env bash
# Aggregate tokens/s of 1, 4 and 8 concurrent streams: Hypha's continuous batching vs llama.cpp (node-llama-cpp
# 3.21.1) with as many sequences in one context, on bench/llm-vs-llamacpp.sh's 0.84B llama shape. See bench/README.md.
#
#   bench/parallel-streams.sh                              # Q4_0, streams 1,4,8, 2 threads, 3 interleaved rounds
#   bench/parallel-streams.sh --type q4_k --streams 1,2,4,8,16 --generate 64 --rounds 5 [--deterministic]
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
exec java $HYPHA_JVM_FLAGS -Xmx8g -cp "$JAR" bench/ParallelStreams.java "$@"

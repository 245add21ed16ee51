#!/usr/bin/env bash
# What the inference network adds to an answer, measured in one run (see bench/README.md): the same requests to the
# same engine (a) called in-process, (b) through the gateway's Ollama HTTP API over the local engine, (c) through the
# gateway's HTTP API over the network backend, paying a provider (its own HTTP server over the same engine) through a
# payment channel on anvil; then 1, 8 and 64 concurrent streaming clients against (b) and (c), and the chain
# transactions per 1,000 paid requests.
#
#   bench/network-overhead.sh                          # the default run (about 3 minutes on 2 cores)
#   bench/network-overhead.sh --requests 200 --predict 64 --threads 2
#
# Options are passed to bench/NetworkOverhead.java: --requests --warmup --predict --dim --ffn --layers --threads
# --clients --concurrent-requests --dir. The model is written once to bench/out/ and reused.
# On a machine shared with builds, run it under the build lock: flock /tmp/hypha-build.lock bench/network-overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

if [ ! -x node_modules/.bin/anvil ] && ! command -v anvil >/dev/null; then
  echo "anvil is missing: run 'npm ci' in the repository root first." >&2
  exit 1
fi
JAR=hypha-cli/target/hypha.jar
if [ ! -f "$JAR" ] || [ -n "$(find hypha-node/src hypha-chain/src hypha-ml/src hypha-core/src -newer "$JAR" -name '*.java' -print -quit)" ]; then
  echo "building $JAR ..."
  ./mvnw -q -B -pl hypha-cli -am package -DskipTests -DskipITs
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
# Serial GC, as the hypha launcher uses.
# shellcheck disable=SC2086
exec java $HYPHA_JVM_FLAGS -XX:+UseSerialGC -Dhypha.repo.root="$PWD" -Xmx2g -cp "$JAR" bench/NetworkOverhead.java "$@"

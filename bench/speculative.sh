#!/usr/bin/env bash
# Speculative decoding's speed-up with a Q4_0 draft of a Q8_0 target (see bench/README.md).
#   bench/speculative.sh [ROUNDS] [THREADS]   (default 5 2; on a shared machine: flock /tmp/hypha-build.lock bench/speculative.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
JAR=hypha-cli/target/hypha.jar
if [ ! -f "$JAR" ] || [ -n "$(find hypha-ml/src hypha-core/src -newer "$JAR" -name '*.java' -print -quit)" ]; then
  echo "building $JAR ..."
  ./mvnw -q -B -o -pl hypha-cli -am package -DskipTests -DskipITs
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
# shellcheck disable=SC2086
exec java $HYPHA_JVM_FLAGS -XX:+UseSerialGC -Xmx3g -cp "$JAR" bench/SpeculativeBench.java "$@"

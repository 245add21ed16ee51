#!/usr/bin/env bash
# Time to first token of a chat's second turn with and without the prompt cache (see bench/README.md).
#   bench/prompt-cache.sh [ROUNDS]      (default 5; on a shared machine: flock /tmp/hypha-build.lock bench/prompt-cache.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
JAR=hypha-cli/target/hypha.jar
if [ ! -f "$JAR" ] || [ -n "$(find hypha-node/src hypha-ml/src hypha-core/src -newer "$JAR" -name '*.java' -print -quit)" ]; then
  echo "building $JAR ..."
  ./mvnw -q -B -o -pl hypha-cli -am package -DskipTests -DskipITs
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
# shellcheck disable=SC2086
exec java $HYPHA_JVM_FLAGS -XX:+UseSerialGC -Xmx2g -cp "$JAR" bench/PromptCacheBench.java "$@"

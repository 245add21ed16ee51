#!/usr/bin/env bash
# DiLoCo against one provider on Debian's Fashion-MNIST (MLP): test accuracy and the communication saved against
# synchronous data parallelism (see bench/README.md).
#
#   bench/diloco.sh [STEPS_PER_WORKER] [WORKERS] [INNER_STEPS]     (defaults: 2000, 4, 50)
#
# Needs dataset-fashion-mnist (scripts/setup.sh installs it). On a shared machine: flock /tmp/hypha-build.lock bench/diloco.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
JAR=hypha-cli/target/hypha.jar
if [ ! -f "$JAR" ] || [ -n "$(find hypha-ml/src hypha-core/src hypha-cli/src -newer "$JAR" -name '*.java' -print -quit)" ]; then
  echo "building $JAR ..."
  ./mvnw -q -B -o -pl hypha-cli -am package -DskipTests -DskipITs
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
# shellcheck disable=SC2086
exec java $HYPHA_JVM_FLAGS -XX:+UseSerialGC -cp "$JAR" bench/DiLoCoBench.java "$@"

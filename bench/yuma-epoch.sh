#!/usr/bin/env bash
# Epoch time of Hypha's Yuma consensus at subtensor's on-chain size (256 UIDs x 64 validators) and at 4,096 UIDs x
# 64 validators, for Yuma3 with and without liquid alpha and for classic Yuma (see bench/README.md).
#
#   bench/yuma-epoch.sh            # 7 timed epochs per case after warm-up
#   bench/yuma-epoch.sh 15         # more repeats
#
# On a machine shared with builds, run it under the build lock: flock /tmp/hypha-build.lock bench/yuma-epoch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
JAR=hypha-incentives/target/hypha-incentives-0.1.0-SNAPSHOT.jar
if [ ! -f "$JAR" ] || [ -n "$(find hypha-incentives/src/main -newer "$JAR" -name '*.java' -print -quit)" ]; then
  echo "building $JAR ..."
  ./mvnw -q -B -o -pl hypha-incentives -am package -DskipTests -DskipITs
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "peer figure: subtensor charges 110_634_229_000 ref-time (0.11 s) for each block's on_initialize, epochs included;"
echo "'x 0.11s' is our epoch time over that charge (subtensor publishes no measured epoch time; see bench/README.md)"
exec java -XX:+UseSerialGC -cp "$JAR" bench/YumaEpochBench.java "$@"

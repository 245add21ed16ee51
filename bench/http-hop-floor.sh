#!/usr/bin/env bash
# What one bare loopback HTTP exchange costs here, per client and server thread kind: the floor under each hop that
# bench/network-overhead.sh measures (see bench/README.md, "Gateway and payment overhead").
#   bench/http-hop-floor.sh [ROUNDS]      (default 300; on a shared machine: flock /tmp/hypha-build.lock bench/http-hop-floor.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
JAR=hypha-cli/target/hypha.jar
if [ ! -f "$JAR" ]; then
  echo "building $JAR ..."
  ./mvnw -q -B -o -pl hypha-cli -am package -DskipTests -DskipITs
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
# shellcheck disable=SC2086
exec java $HYPHA_JVM_FLAGS -XX:+UseSerialGC -Xmx1g -cp "$JAR" bench/HttpHopFloor.java "$@"

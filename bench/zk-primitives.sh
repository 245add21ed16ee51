#!/usr/bin/env bash
# Prove and verify times of hypha-zk's building blocks (see bench/README.md): Goldilocks multiplication throughput,
# sumcheck over 2^20 (products of 2 and 3 multilinears), and the Ligero commitment of 2^20 base-field values
# (commit, open, verify, proof size).
#
#   bench/zk-primitives.sh            # 20 variables, 5 timed repeats after warm-up
#   bench/zk-primitives.sh 18 3       # 2^18 values, 3 repeats
#
# On a machine shared with builds, run it under the build lock: flock /tmp/hypha-build.lock bench/zk-primitives.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
JAR=hypha-zk/target/hypha-zk-0.1.0-SNAPSHOT.jar
if [ ! -f "$JAR" ] || [ -n "$(find hypha-zk/src/main -newer "$JAR" -name '*.java' -print -quit)" ]; then
  echo "building $JAR ..."
  ./mvnw -q -B -o -pl hypha-zk -am install -DskipTests -DskipITs
fi
CP_FILE=hypha-zk/target/bench-classpath.txt
./mvnw -q -B -o dependency:build-classpath -pl hypha-zk -Dmdep.outputFile="$PWD/$CP_FILE" -Dmdep.includeScope=runtime
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
exec java -XX:+UseParallelGC -Xmx6g -cp "$JAR:$(cat "$CP_FILE")" bench/ZkPrimitivesBench.java "$@"

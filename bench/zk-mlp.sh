#!/usr/bin/env bash
# Whole int8 MLP proofs (issue 14): prove and verify times, proof size, and the prover's overhead over plain int8
# inference, for the Fashion-MNIST MLP's shape 784 -> 256 -> 10 (see bench/README.md).
#
#   bench/zk-mlp.sh              # hidden 256, 5 timed runs after two warm-ups
#   bench/zk-mlp.sh 128 9        # 784 -> 128 -> 10, 9 runs
#
# On a machine shared with builds, run it under the build lock: flock /tmp/hypha-build.lock bench/zk-mlp.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
JAR=hypha-zk/target/hypha-zk-0.1.0-SNAPSHOT.jar
if [ ! -f "$JAR" ] || [ -n "$(find hypha-zk/src/main -newer "$JAR" -name '*.java' -print -quit)" ]; then
  echo "building $JAR ..."
  ./mvnw -q -B -o -pl hypha-zk -am package -DskipTests -DskipITs
fi
CP_FILE=hypha-zk/target/bench-classpath.txt
./mvnw -q -B -o dependency:build-classpath -pl hypha-zk -Dmdep.outputFile="$PWD/$CP_FILE" -Dmdep.includeScope=runtime
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
exec java -XX:+UseParallelGC -Xmx4g -cp "$JAR:$(cat "$CP_FILE")" bench/ZkMlpBench.java "$@"

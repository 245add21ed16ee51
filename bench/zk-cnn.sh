#!/usr/bin/env bash
# Whole int8 CNN proofs (issue 14): prove and verify times, proof size, and the prover's overhead over plain int8
# inference, for the Fashion-MNIST CNN's shape (examples/fashion-mnist-cnn.toml, 206,922 parameters; see bench/README.md).
#
#   bench/zk-cnn.sh              # 5 timed runs after two warm-ups
#   bench/zk-cnn.sh 9            # 9 runs
#
# On a machine shared with builds, run it under the build lock: flock /tmp/hypha-build.lock bench/zk-cnn.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
JAR=hypha-zk/target/hypha-zk-0.1.0-SNAPSHOT.jar
if [ ! -f "$JAR" ] || [ -n "$(find hypha-zk/src/main -newer "$JAR" -name '*.java' -print -quit)" ]; then
  echo "building $JAR ..."
  ./mvnw -q -B -o -pl hypha-zk -am package -DskipTests -DskipITs
fi
# The runtime libraries: maven's dependency plugin when it resolves offline; otherwise the shaded CLI jar (./hypha builds
# it), which carries the same libraries; the module jars come first so that their classes are the ones run.
CP_FILE=hypha-zk/target/bench-classpath.txt
CP="$JAR:hypha-core/target/hypha-core-0.1.0-SNAPSHOT.jar"
if ./mvnw -q -B -o dependency:build-classpath -pl hypha-zk -Dmdep.outputFile="$PWD/$CP_FILE" -Dmdep.includeScope=runtime >/dev/null 2>&1; then
  CP="$JAR:$(cat "$CP_FILE")"
elif [ -f hypha-cli/target/hypha.jar ]; then
  CP="$CP:hypha-cli/target/hypha.jar"
else
  echo "cannot resolve hypha-zk's runtime classpath offline; build the CLI first (./hypha --help)" >&2
  exit 1
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
exec java -XX:+UseParallelGC -Xmx4g -cp "$CP" bench/ZkCnnBench.java "$@"

#!/usr/bin/env bash
# Verification cost of training by replay: the fraction of the training compute a verifier spends, per audit rate,
# with the probability of catching a cheat in one segment (see bench/README.md). Needs Debian's dataset-fashion-mnist.
#
#   bench/verification-cost.sh                                          # MLP example, 400 steps, commit every 20, 2 threads
#   bench/verification-cost.sh examples/fashion-mnist-cnn.toml 100 10 2
#
# On a machine shared with builds, run it under the build lock: flock /tmp/hypha-build.lock bench/verification-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
JAR=hypha-cli/target/hypha.jar
if [ ! -f "$JAR" ] || [ -n "$(find hypha-ml/src/main -newer "$JAR" -name '*.java' -print -quit)" ]; then
  echo "building $JAR ..."
  ./mvnw -q -B -o -pl hypha-cli -am package -DskipTests -DskipITs
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
exec java -XX:+UseSerialGC --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$JAR" \
  bench/VerificationCost.java "$@"

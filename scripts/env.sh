# Sourced by every Hypha script: finds JDK 25 and the npm-installed tools.
# Usage: . scripts/env.sh   (from the repository root or anywhere; it locates the root itself)

HYPHA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export HYPHA_ROOT

java_major() { # prints the major version of the java binary in $1/bin/java, or nothing
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

find_jdk25() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    local major; major=$(java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

if ! HYPHA_JDK="$(find_jdk25)"; then
  echo "hypha: JDK 25 not found. Install a JDK 25 (for example Temurin 25) under /usr/lib/jvm or set JAVA_HOME to it." >&2
  return 1 2>/dev/null || exit 1
fi
export JAVA_HOME="$HYPHA_JDK"
export PATH="$JAVA_HOME/bin:$HYPHA_ROOT/node_modules/.bin:$HYPHA_ROOT/scripts/bin:$PATH"
# The JVM flags the engine needs (Vector API incubator module, FFM native access).
# --sun-misc-unsafe-memory-access=allow: protobuf-java (ONNX export) reads arrays through sun.misc.Unsafe, and JDK 25
# otherwise prints a four-line deprecation warning into the command's output.
export HYPHA_JVM_FLAGS="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"

#!/usr/bin/env bash
# Installs what Hypha needs that a fresh machine lacks, then builds it when sources changed.
#   scripts/setup.sh           install npm tools if missing, build if anything changed
#   scripts/setup.sh --force   rebuild everything
#   scripts/setup.sh --tools-only   install the tools, build nothing (the test command builds by itself)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$HYPHA_ROOT"

command -v node >/dev/null || { echo "hypha: Node.js (20+) and npm are needed for Foundry and solc; install them (apt-get install nodejs npm)." >&2; exit 1; }

# Debian's fortunes corpus: the English text the tokenizer tests and the tiny model are built from.
if [ ! -f /usr/share/games/fortunes/fortunes ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "hypha: installing Debian's fortunes corpus (apt-get install fortunes)..." >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fortunes >/dev/null; } >&2
  else
    echo "hypha: warning: /usr/share/games/fortunes is missing; run 'sudo apt-get install fortunes' (needed by the ML tests)" >&2
  fi
fi

# Debian's Fashion-MNIST (IDX files under /usr/share/datasets/fashion-mnist): what `hypha dataset import fashion-mnist`
# reads and the examples/ specs train on.
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "hypha: installing Debian's Fashion-MNIST (apt-get install dataset-fashion-mnist)..." >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null; } >&2
  else
    echo "hypha: warning: /usr/share/datasets/fashion-mnist is missing; run 'sudo apt-get install dataset-fashion-mnist' (needed by hypha dataset import fashion-mnist)" >&2
  fi
fi

# Debian's Chromium: the browser the dashboard's tests drive headless through playwright-core (DashboardBrowserTest).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "hypha: installing Debian's Chromium for the dashboard's browser tests (apt-get install chromium)..." >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } >&2
  else
    echo "hypha: warning: /usr/bin/chromium is missing; run 'sudo apt-get install chromium' (needed by the dashboard's browser tests, which CI runs)" >&2
  fi
fi

# npm tools (forge, anvil, cast, solc, OpenZeppelin, reference peers), pinned by package-lock.json.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "hypha: installing pinned tools from npm (forge, anvil, cast, solc, OpenZeppelin)..." >&2
  npm ci --no-audit --no-fund --omit=optional --loglevel=error >&2
fi

[ "${1:-}" = "--tools-only" ] && exit 0

jar="hypha-cli/target/hypha.jar"
needs_build() {
  [ "${1:-}" = "--force" ] && return 0
  [ -f "$jar" ] || return 0
  # Any source, pom or contract newer than the jar means a rebuild.
  [ -n "$(find pom.xml hypha-*/pom.xml hypha-*/src contracts/src contracts/foundry.toml -newer "$jar" -print -quit 2>/dev/null)" ]
}
if needs_build "${1:-}"; then
  echo "hypha: building (first run or sources changed; this takes a few minutes the first time)..." >&2
  mkdir -p target
  if ! ./mvnw -q -B -DskipTests install > target/build.log 2>&1; then
    tail -n 40 target/build.log >&2
    echo "hypha: build failed; the whole log is in $HYPHA_ROOT/target/build.log" >&2
    exit 1
  fi
fi

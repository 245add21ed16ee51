#!/usr/bin/env bash
# Runs every test: Solidity (forge) and Java (unit + integration against real anvil).
# Long soak/fuzz/benchmark runs are not here; see README ("Longer runs").
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$HYPHA_ROOT"
"$HYPHA_ROOT/scripts/setup.sh" --tools-only

echo "== Solidity tests (forge)"
(cd contracts && forge test && echo "== gas snapshot check" && forge snapshot --nmt "testFuzz|invariant" --check)

echo "== Java tests (maven)"
./mvnw -B verify

#!/usr/bin/env bash
# Runs every test: Solidity (forge) and Java (unit + integration against real anvil).
# Long soak/fuzz/benchmark runs are not here; see README ("Longer runs").
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$HYPHA_ROOT"
"$HYPHA_ROOT/scripts/setup.sh" --tools-only

# Each Solidity test runs once: `forge snapshot --check` runs the unit tests (it fails on a failing test as on a gas
# change), then `forge test` runs only the fuzz and invariant tests the snapshot leaves out. `forge build` compiles
# everything first in one solc run: with a test filter forge compiles only the matching files, and two filtered
# compiles of a fresh clone would each redo the shared sources.
echo "== Solidity build, unit tests and gas snapshot check (forge)"
(cd contracts && forge build && forge snapshot --nmt "testFuzz|invariant" --check \
    && echo "== Solidity fuzz and invariant tests (forge)" && forge test --mt "testFuzz|invariant")

echo "== Java tests (maven)"
./mvnw -B verify

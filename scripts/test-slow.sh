#!/usr/bin/env bash
# Runs only the long tests left out of scripts/test.sh: fresh-seed Solidity fuzz/invariant campaigns, then Java soaks
# and fuzz campaigns (tag "slow").
# Extra Maven arguments pass through, e.g.  scripts/test-slow.sh -pl hypha-ml -am
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$HYPHA_ROOT"
"$HYPHA_ROOT/scripts/setup.sh" --tools-only

# Solidity fuzz and invariant campaigns with a fresh seed (the default suite pins one, so it explores the same inputs
# every run). HYPHA_FUZZ_SEED=<seed> repeats a campaign; the seed is printed first so any failure can be reproduced.
fuzz_seed="${HYPHA_FUZZ_SEED:-0x$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"
echo "== Solidity fresh-seed campaigns (FOUNDRY_PROFILE=slow, fuzz seed $fuzz_seed)"
echo "   reproduce with: HYPHA_FUZZ_SEED=$fuzz_seed scripts/test-slow.sh"
(cd contracts && FOUNDRY_PROFILE=slow forge test --fuzz-seed "$fuzz_seed")

echo "== Java slow tests (maven, tag slow)"
./mvnw -B verify -Dgroups=slow -Dhypha.test.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false "$@"

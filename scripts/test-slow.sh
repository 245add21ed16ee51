#!/usr/bin/env bash
# Runs only the long tests left out of scripts/test.sh: soaks and fuzz campaigns (tag "slow").
# Extra Maven arguments pass through, e.g.  scripts/test-slow.sh -pl hypha-ml -am
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$HYPHA_ROOT"
"$HYPHA_ROOT/scripts/setup.sh" --tools-only
./mvnw -B verify -Dgroups=slow -Dhypha.test.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false "$@"

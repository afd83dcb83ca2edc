#!/usr/bin/env bash
# tools/stress.sh -- the long reliability runs of pae_cauca (make stress).
#
# Runs every tools/stress.d/NN-*.sh in order; each part builds, starts and
# removes its own throwaway cluster (tools/pgenv.sh) and prints its figures
# as lines `STRESS <name> <value>`.  STRESS_ONLY=<glob> runs only the parts
# whose file name matches (e.g. STRESS_ONLY='*fuzz*').  The whole run is
# meant to end within 30 minutes on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."

only=${STRESS_ONLY:-*}
passed=0
failed=0
failed_names=()
T0=$SECONDS
shopt -s nullglob
for part in tools/stress.d/*.sh; do
    name=$(basename "$part" .sh)
    # shellcheck disable=SC2053
    [[ $name == $only ]] || continue
    printf '\n=== %s ===\n' "$name"
    t=$SECONDS
    if bash "$part"; then
        passed=$((passed + 1))
        printf '=== %s: ok (%ss)\n' "$name" "$((SECONDS - t))"
    else
        failed=$((failed + 1))
        failed_names+=("$name")
        printf '=== %s: FAILED (%ss)\n' "$name" "$((SECONDS - t))"
    fi
done
((passed + failed > 0)) || { echo "no stress part matched '$only'"; exit 1; }
((failed == 0)) || printf '\nFailed: %s\n' "${failed_names[*]}"
printf '(%ss)\n%d passed, %d failed\n' "$((SECONDS - T0))" "$passed" "$failed"
((failed == 0))

#!/usr/bin/env bash
# tools/stress.d/30-fuzz.sh -- the long libFuzzer run (make stress): every
# harness of test/fuzz for FUZZ_SECONDS each (default 60; 4 targets -> 4
# minutes), through tools/fuzz.sh, which prints `STRESS fuzz_<target>_execs N`.
# Needs no cluster.  A failing input is kept under FUZZ_ARTIFACTS (default
# /tmp/pae_fuzz_artefactos) to replay it: <harness> <file>.
set -euo pipefail
cd "$(dirname "$0")/../.."
export FUZZ_ARTIFACTS=${FUZZ_ARTIFACTS:-/tmp/pae_fuzz_artefactos}
T0=$SECONDS
tools/fuzz.sh "${FUZZ_SECONDS:-60}"
printf 'STRESS fuzz_seconds %d\n' "$((SECONDS - T0))"

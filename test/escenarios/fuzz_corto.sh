#!/usr/bin/env bash
# test/escenarios/fuzz_corto.sh -- a short libFuzzer run of every harness of
# test/fuzz (tools/fuzz.sh): FUZZ_CORTO_SECONDS per target (default 10).
# The long run is tools/stress.d/30-fuzz.sh (make stress).  Fails on any
# crash, sanitizer report or broken property, printing the input.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec tools/fuzz.sh "${FUZZ_CORTO_SECONDS:-10}"

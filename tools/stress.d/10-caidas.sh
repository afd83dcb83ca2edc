#!/usr/bin/env bash
# make stress, part 10: the crash and restart harness (tools/caidas.sh) for
# CAIDAS_CICLOS kill cycles (default 20), on its own throwaway tree and
# cluster.  Prints its STRESS lines.
set -euo pipefail
cd "$(dirname "$0")/../.."
unset PAE_TMP PAE_PGBIN
. tools/pgenv.sh
pae_ensure_packages
pae_build_install
bash tools/caidas.sh "${CAIDAS_CICLOS:-20}"

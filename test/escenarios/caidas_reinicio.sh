#!/usr/bin/env bash
# Scenario: SIGKILL of the postmaster and all its backends in the middle of
# sync batches, transitions under pgbench, audit sealing and partition
# upkeep; after each restart nothing committed is lost or partial, nothing
# uncommitted is visible, the outbox, the audit trail and the bookkeeping
# tables agree with the visits (tools/caidas.sh says exactly what is
# checked).  Three kill cycles here, on a cluster of its own in a directory
# under $PAE_TMP (this run's cluster is not touched); `make stress` runs 20
# (tools/stress.d/10-caidas.sh).
#
# Runs from tools/test.sh (PAE_TMP and PAE_PGBIN exported).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec bash tools/caidas.sh "${CAIDAS_CICLOS:-3}"

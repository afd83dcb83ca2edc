#!/usr/bin/env bash
# Scenario: no backend of the test cluster crashed (issue 9, item 1).
#
# A crash in a test file fails that file, but its neighbours may pass after
# the postmaster restarts the cluster, and a crash in a file whose expected
# output was regenerated carelessly could pass unseen.  The server log is
# the witness: tools/test.sh writes it to $PAE_TMP/server.log, and the
# scenarios run after pg_regress and the isolation specs, so any backend
# that died by a signal during the suite is reported here.
set -euo pipefail

log=${PAE_TMP:-}/server.log
if [[ -z ${PAE_TMP:-} || ! -r $log ]]; then
    echo "no server log to read (PAE_TMP=${PAE_TMP:-unset}); run through tools/test.sh" >&2
    exit 1
fi
caidas=$(grep -E 'terminated by signal|PANIC:' "$log" || true)
if [[ -n $caidas ]]; then
    echo "the server log shows crashed backends:" >&2
    printf '%s\n' "$caidas" >&2
    grep -B3 -A3 -E 'terminated by signal' "$log" | head -n 60 >&2 || true
    exit 1
fi
echo "server log: no backend terminated by a signal ($(wc -l <"$log") lines read)"

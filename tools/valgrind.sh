#!/usr/bin/env bash
# tools/valgrind.sh -- the extension's C paths under valgrind memcheck.
#
#   make valgrind      (or tools/valgrind.sh [file.sql ...])
#
# Builds and installs into a private PostgreSQL tree (tools/pgenv.sh),
# creates a throwaway cluster, runs CREATE EXTENSION pae_cauca CASCADE,
# stops the server, and then runs each script of test/valgrind/ (default)
# in a single-user backend under valgrind, one statement per line.  Fails
# when valgrind reports an error (tools/valgrind.supp lists PostgreSQL's
# own false positives) or a statement fails.  PostgreSQL 15 from Debian is
# not built with USE_VALGRIND, so memory-context misuse inside palloc'd
# blocks is not seen; reads of uninitialised memory that decide anything,
# malloc-level misuse and bad frees are.  Takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/pgenv.sh
trap pae_cleanup EXIT

if ! command -v valgrind >/dev/null; then
    if pae_is_root; then
        apt-get install -y -q valgrind >/dev/null || { pae_err "apt-get install valgrind failed"; exit 1; }
    else
        pae_err "valgrind is not installed (apt-get install valgrind)"; exit 1
    fi
fi
pae_ensure_packages
pae_build_install
pae_cluster_start
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
     -c 'CREATE EXTENSION pae_cauca CASCADE' >/dev/null
pae_cluster_stop

scripts=("$@")
((${#scripts[@]} > 0)) || scripts=(test/valgrind/*.sql)
fallos=0
for f in "${scripts[@]}"; do
    out=$PAE_TMP/$(basename "$f" .sql).valgrind.out
    chmod 755 "$PAE_TMP" && cp "$f" "$PAE_TMP/script.sql" && chmod 644 "$PAE_TMP/script.sql"
    pae_log "valgrind: $f"
    rc=0
    (cd "$PAE_TMP" && pae_as_server_user valgrind -q --error-exitcode=97 --leak-check=no \
        --track-origins=yes --suppressions="$PAE_ROOT/tools/valgrind.supp" \
        "$PAE_PGBIN/postgres" --single -D "$PAE_PGDATA" -c client_min_messages=warning postgres \
        <"$PAE_TMP/script.sql" >"$out" 2>&1) || rc=$?
    errores=$(grep -c -E '^==[0-9]+== (Invalid|Conditional|Use of uninitialised|Syscall param|Mismatched|Source and destination)' "$out" || true)
    fallidas=$(grep -c -E '^(backend> )*[0-9-]+ [0-9:.]+ UTC \[[0-9]+\] (ERROR|FATAL|PANIC)' "$out" || true)
    printf '    valgrind errors: %s, failed statements: %s (exit %s)\n' "$errores" "$fallidas" "$rc"
    grep -E ' = "' "$out" | sed 's/^[[:space:]]*/    /; s/\t(typeid.*//' || true
    if ((rc != 0 || errores > 0 || fallidas > 0)); then
        sed -n '1,200p' "$out" >&2
        fallos=$((fallos + 1))
    fi
done
((fallos == 0)) || { pae_err "$fallos script(s) failed under valgrind"; exit 1; }
printf 'valgrind: %d script(s), no errors\n' "${#scripts[@]}"

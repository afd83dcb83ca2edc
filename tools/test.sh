#!/usr/bin/env bash
# tools/test.sh -- the whole test suite of pae_cauca on a throwaway cluster.
#
#   tools/test.sh            (also: make test, .ci/run)
#
# 1. installs missing system packages (as root; otherwise says what to run),
# 2. builds the extension (a compile error fails the run) and installs it
#    into a private copy of the PostgreSQL tree -- never into /usr,
# 3. starts a private cluster on a unix socket in a temp dir,
# 4. runs, each kind only if present:
#    - pg_regress:   test/sql/*.sql against expected/*.out  (make installcheck)
#    - isolation:    test/specs/*.spec against expected/*.out (pg_isolation_regress;
#                    postgis, pgcrypto and pae_cauca are preloaded in its database)
#    - scenarios:    test/escenarios/*.sh (e.g. pg_dump/pg_restore round trip)
#    - pgTAP:        test/pgtap/*.sql, each in a fresh database with
#                    CREATE EXTENSION pae_cauca CASCADE; CREATE EXTENSION pgtap;
# 5. stops the cluster and removes the temp dir (also on failure or Ctrl-C).
#
# Counting: each pg_regress test and each isolation spec is one test; each
# pgTAP assertion is one test, and a pgTAP file whose plan does not match
# what ran (or that stops on an error) is one more failure.  A set-up step
# that fails (packages, build, install, cluster) counts as one failure.
# The last line is always `N passed, N failed`; the exit status is non-zero
# when anything failed or when no test ran.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=tools/pgenv.sh
. tools/pgenv.sh

PASSED=0
FAILED=0
FAILED_NAMES=()
T0=$SECONDS

finish() {
    local rc=0
    if ((FAILED > 0)); then
        printf '\nFailed: %s\n' "${FAILED_NAMES[*]}"
        rc=1
    elif ((PASSED == 0)); then
        printf '\nno test ran (test/sql, test/specs and test/pgtap are empty or missing)\n'
        rc=1
    fi
    printf '(%ss)\n' "$((SECONDS - T0))"
    printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
    exit "$rc"
}

setup_failed() {
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$1")
    finish
}

# Runs a command with its output shown and saved in $1; sets rc.  (pae_run
# semantics: an interrupt stops the run at once.)
run_logged() {
    local log=$1
    shift
    rm -f "$log.rc"
    { c=0; "$@" || c=$?; echo "$c" >"$log.rc"; } 2>&1 | tee "$log" &
    PAE_CHILD=$!
    wait "$PAE_CHILD" || true
    PAE_CHILD=''
    rc=$(cat "$log.rc" 2>/dev/null || echo 1)
}

show_diffs() { # $1: regression.diffs
    if [[ -s $1 ]]; then
        printf '\n----- %s (first 200 lines) -----\n' "$1"
        head -n 200 "$1"
        printf -- '----- end of %s -----\n' "$1"
    fi
}

# Reads pg_regress output from the log $1; adds to the counters.  $2: kind,
# $3: pg_regress's exit status, $4...: the tests that should have run.
count_pg_regress() {
    local log=$1 kind=$2 rc=$3 line name result ok=0 bad=0
    shift 3
    local -A seen=()
    while IFS= read -r line; do
        if [[ $line =~ ^[[:space:]]*(test[[:space:]]+)?([^[:space:]]+)[[:space:]]+\.\.\.[[:space:]]+(ok|FAILED|failed\ \(ignored\)) ]]; then
            name=${BASH_REMATCH[2]}
            result=${BASH_REMATCH[3]}
            seen[$name]=1
            if [[ $result == FAILED ]]; then
                bad=$((bad + 1))
                FAILED_NAMES+=("$kind:$name")
            else
                ok=$((ok + 1))
            fi
        fi
    done <"$log"
    # pg_regress stops early when it cannot connect, create its database or
    # diff (a missing expected file): what did not report counts as failed.
    for name in "$@"; do
        if [[ -z ${seen[$name]:-} ]]; then
            bad=$((bad + 1))
            FAILED_NAMES+=("$kind:$name(no result)")
        fi
    done
    if grep -q 'diff: .*/expected/[^/]*\.out: No such file' "$log"; then
        printf '%s\n' "hint: a test without its expected output stops pg_regress; after checking" \
            "      its output (results/NAME.out under the output dir), copy it to expected/NAME.out"
    fi
    if ((rc != 0 && bad == 0)); then
        FAILED_NAMES+=("$kind:exit-status-$rc")
        bad=1
    fi
    PASSED=$((PASSED + ok))
    FAILED=$((FAILED + bad))
    printf '%s: %d passed, %d failed\n' "$kind" "$ok" "$bad"
}

pae_ensure_packages || setup_failed "packages"
pae_build_install || setup_failed "build"
pae_cluster_start || setup_failed "cluster"

# --- pg_regress ---------------------------------------------------------------
shopt -s nullglob
regress_files=(test/sql/*.sql)
if ((${#regress_files[@]} > 0)); then
    printf '\n==> pg_regress: %d test(s) from test/sql\n' "${#regress_files[@]}"
    rm -f test/out/regression.diffs
    run_logged "$PAE_TMP/regress.log" make -s installcheck PG_CONFIG="$PAE_PG_CONFIG"
    tests=()
    for f in "${regress_files[@]}"; do tests+=("$(basename "$f" .sql)"); done
    count_pg_regress "$PAE_TMP/regress.log" pg_regress "$rc" "${tests[@]}"
    ((rc == 0)) || show_diffs test/out/regression.diffs
fi

# --- isolation ----------------------------------------------------------------
spec_files=(test/specs/*.spec)
if ((${#spec_files[@]} > 0)); then
    printf '\n==> isolation: %d spec(s) from test/specs\n' "${#spec_files[@]}"
    specs=()
    for f in "${spec_files[@]}"; do specs+=("$(basename "$f" .spec)"); done
    iso=$("$PAE_PG_CONFIG" --pkglibdir)/pgxs/src/test/isolation/pg_isolation_regress
    mkdir -p test/out_iso
    rm -f test/out_iso/regression.diffs
    run_logged "$PAE_TMP/isolation.log" \
        "$iso" --inputdir=test --outputdir=test/out_iso --bindir="$("$PAE_PG_CONFIG" --bindir)" \
        --dbname=pae_isolation --load-extension=postgis --load-extension=pgcrypto \
        --load-extension=pae_cauca "${specs[@]}"
    count_pg_regress "$PAE_TMP/isolation.log" isolation "$rc" "${specs[@]}"
    ((rc == 0)) || show_diffs test/out_iso/regression.diffs
fi

# --- scenarios ----------------------------------------------------------------
# test/escenarios/*.sh: whole-cluster scenarios (pg_dump/pg_restore, ...), one
# test each, run against this cluster; exit status 0 is a pass.
scenario_files=(test/escenarios/*.sh)
if ((${#scenario_files[@]} > 0)); then
    printf '\n==> scenarios: %d from test/escenarios\n' "${#scenario_files[@]}"
    for f in "${scenario_files[@]}"; do
        name=$(basename "$f" .sh)
        if PATH="$PAE_PGBIN:$PATH" bash "$f" >"$PAE_TMP/escenario_$name.log" 2>&1; then
            PASSED=$((PASSED + 1))
            printf 'scenario %-40s ... ok\n' "$name"
            sed 's/^/    /' "$PAE_TMP/escenario_$name.log" | tail -n 3
        else
            FAILED=$((FAILED + 1))
            FAILED_NAMES+=("scenario:$name")
            printf 'scenario %-40s ... FAILED\n' "$name"
            sed 's/^/    /' "$PAE_TMP/escenario_$name.log" | tail -n 40
        fi
    done
fi

# --- pgTAP --------------------------------------------------------------------
tap_files=(test/pgtap/*.sql)
if ((${#tap_files[@]} > 0)); then
    printf '\n==> pgTAP: %d file(s) from test/pgtap\n' "${#tap_files[@]}"
    tap_ok_total=0
    tap_bad_total=0
    n=0
    for f in "${tap_files[@]}"; do
        n=$((n + 1))
        name=$(basename "$f" .sql)
        db=pae_tap_$n
        out=$PAE_TMP/tap_$n.out
        ok=0 bad=0 planned='' problem=''
        if ! createdb "$db" >"$out" 2>&1 ||
           ! psql -X -q -v ON_ERROR_STOP=1 -d "$db" \
                -c 'CREATE EXTENSION pae_cauca CASCADE' -c 'CREATE EXTENSION pgtap' >>"$out" 2>&1; then
            problem='could not create its database with pae_cauca and pgtap'
        else
            rc=0
            pae_run psql -X -q -A -t -v ON_ERROR_STOP=1 -P pager=off -d "$db" -f "$f" >"$out" 2>&1 || rc=$?
            while IFS= read -r line; do
                if [[ $line =~ ^1\.\.([0-9]+) && -z $planned ]]; then
                    planned=${BASH_REMATCH[1]}
                elif [[ $line =~ ^not\ ok\ [0-9]+ ]]; then
                    if [[ $line =~ \#[[:space:]]*[Tt][Oo][Dd][Oo] ]]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
                elif [[ $line =~ ^ok\ [0-9]+ ]]; then
                    ok=$((ok + 1))
                fi
            done <"$out"
            if ((rc != 0)); then
                problem="psql stopped with status $rc (error in the file?)"
            elif [[ -z $planned ]]; then
                problem='no plan (1..N) in its output'
            elif ((planned != ok + bad)); then
                problem="planned $planned tests, ran $((ok + bad))"
            fi
        fi
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
        if [[ -n $problem ]]; then
            bad=$((bad + 1))
            FAILED_NAMES+=("pgtap:$name")
        elif ((bad > 0)); then
            FAILED_NAMES+=("pgtap:$name")
        fi
        tap_ok_total=$((tap_ok_total + ok))
        tap_bad_total=$((tap_bad_total + bad))
        if ((bad > 0)); then
            printf 'pgtap %-32s ... FAILED  %d ok, %d failed%s\n' "$name" "$ok" "$bad" "${problem:+ ($problem)}"
            printf -- '----- output of %s (first 200 lines) -----\n' "$f"
            head -n 200 "$out"
            printf -- '----- end of %s -----\n' "$f"
        else
            printf 'pgtap %-32s ... ok      %d ok\n' "$name" "$ok"
        fi
    done
    PASSED=$((PASSED + tap_ok_total))
    FAILED=$((FAILED + tap_bad_total))
    printf 'pgtap: %d passed, %d failed\n' "$tap_ok_total" "$tap_bad_total"
fi

finish

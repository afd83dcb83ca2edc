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
#    - pg_regress:   test/sql/*.sql against expected/*.out  (make installcheck; its
#                    database is created with postgis, pgcrypto, pae_cauca and
#                    pgtap installed, see REGRESS_OPTS in the Makefile)
#    - isolation:    test/specs/*.spec against expected/*.out (pg_isolation_regress;
#                    postgis, pgcrypto and pae_cauca are preloaded in its database)
#    - scenarios:    test/escenarios/*.sh (e.g. pg_dump/pg_restore round trip)
# 5. stops the cluster and removes the temp dir (also on failure or Ctrl-C).
#
# Counting (what `N passed, N failed` counts):
#  - pg_regress: every pgTAP assertion a file printed (its results/NAME.out)
#    is one test: `ok N` passed, `not ok N` failed -- also when the expected
#    output has the same `not ok` line, so a failure can never be committed
#    as expected output.  `# SKIP` and `# TODO` lines are neither (they are
#    shown as skipped).  A file fails once more, on its own, when something
#    its assertions do not show went wrong: its output differs from
#    expected/NAME.out while every assertion passed, its plan (1..N) does not
#    match the assertions it ran (it stopped on an error), or it has no
#    result at all.  A file that prints no pgTAP at all is one test (its
#    output matches expected/NAME.out or not).
#  - isolation: each spec is one test (its output matches or not).
#  - scenarios: each script is one test (exit status 0 passes).
#  - a set-up step that fails (packages, build, install, cluster) is one
#    failure, and the run stops there.
# The last line is always `N passed, N failed`; the exit status is non-zero
# when anything failed or when no test ran.
set -euo pipefail

cd "$(dirname "$0")/.."
# always a tree and cluster of its own: a shell that sourced .devcluster.env
# (tools/devcluster.sh) must not lend its tree, which the exit trap removes
unset PAE_TMP PAE_PGBIN
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
        printf '\nno test ran (test/sql, test/specs and test/escenarios are empty or missing)\n'
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

# Reads pg_regress's (or pg_isolation_regress's) log $1 into RESULT[name]
# (ok or FAILED); every test of $2... that did not report is "missing"
# (pg_regress stops early when it cannot connect, create its database or
# diff, e.g. a missing expected file).  $2 is the driver's exit status:
# rc_extra is set to 1 when it failed although every test reported ok.
declare -A RESULT
read_results() {
    local log=$1 rc=$2 line name bad=0
    shift 2
    RESULT=()
    while IFS= read -r line; do
        if [[ $line =~ ^[[:space:]]*(test[[:space:]]+)?([^[:space:]]+)[[:space:]]+\.\.\.[[:space:]]+(ok|FAILED) ]]; then
            RESULT[${BASH_REMATCH[2]}]=${BASH_REMATCH[3]}
        fi
    done <"$log"
    for name in "$@"; do
        [[ -n ${RESULT[$name]:-} ]] || RESULT[$name]=missing
        [[ ${RESULT[$name]} == ok ]] || bad=1
    done
    if grep -q 'diff: .*/expected/[^/]*\.out: No such file' "$log"; then
        printf '%s\n' "hint: a test without its expected output stops pg_regress; after checking" \
            "      its output (results/NAME.out under the output dir), copy it to expected/NAME.out"
    fi
    rc_extra=0
    if ((rc != 0 && bad == 0)); then rc_extra=1; fi
}

# pgTAP lines of one results file $1: sets tap_ok, tap_bad, tap_skip,
# tap_planned ('' when no plan) and tap_ran.  pgTAP prints one line per
# assertion (`ok 3 - ...`, `not ok 4 - ...`), aligned or unaligned, and the
# plan as `1..N`.
read_tap() {
    local f=$1 line
    tap_ok=0 tap_bad=0 tap_skip=0 tap_planned='' tap_ran=0
    [[ -f $f ]] || return 0
    while IFS= read -r line; do
        if [[ $line =~ ^[[:space:]]*1\.\.([0-9]+)[[:space:]]*$ && -z $tap_planned ]]; then
            tap_planned=${BASH_REMATCH[1]}
        elif [[ $line =~ ^[[:space:]]*(not[[:space:]]+)?ok[[:space:]]+[0-9]+([[:space:]]|$) ]]; then
            tap_ran=$((tap_ran + 1))
            if [[ $line =~ \#[[:space:]]*([Ss][Kk][Ii][Pp]|[Tt][Oo][Dd][Oo]) ]]; then
                tap_skip=$((tap_skip + 1))
            elif [[ $line =~ ^[[:space:]]*not[[:space:]] ]]; then
                tap_bad=$((tap_bad + 1))
            else
                tap_ok=$((tap_ok + 1))
            fi
        fi
    done <"$f"
}

# Server settings of the test cluster, one per line (pae_test_cluster_conf
# in tools/pgenv.sh).  The suite runs with pae_cauca preloaded: NOTIFY
# pae_eventos is sent by the relay's worker after commit (src/relay.c); the
# scenario eventos_sin_preload starts a second cluster without it.  pg_cron
# is preloaded too, for the scheduled upkeep (scenario pg_cron_sellado).

pae_ensure_packages || setup_failed "packages"
pae_build_install || setup_failed "build"
export PAE_CLUSTER_CONF=${PAE_CLUSTER_CONF-$(pae_test_cluster_conf)}
pae_cluster_start || setup_failed "cluster"
pae_cron_database || setup_failed "cluster (database $PAE_CRON_DB)"

# --- pg_regress ---------------------------------------------------------------
shopt -s nullglob
regress_files=(test/sql/*.sql)
if ((${#regress_files[@]} > 0)); then
    printf '\n==> pg_regress: %d test(s) from test/sql\n' "${#regress_files[@]}"
    rm -rf test/out/results test/out/regression.diffs
    run_logged "$PAE_TMP/regress.log" make -s installcheck PG_CONFIG="$PAE_PG_CONFIG"
    tests=()
    for f in "${regress_files[@]}"; do tests+=("$(basename "$f" .sql)"); done
    read_results "$PAE_TMP/regress.log" "$rc" "${tests[@]}"
    r_ok=0 r_bad=0 r_skip=0 r_files_bad=0 r_asserts=0
    for name in "${tests[@]}"; do
        read_tap "test/out/results/$name.out"
        problem=''
        if ((tap_ran == 0 && ${#tap_planned} == 0)); then
            # no pgTAP in this file: the file is the test
            if [[ ${RESULT[$name]} == ok ]]; then
                r_ok=$((r_ok + 1))
            elif [[ ${RESULT[$name]} == missing ]]; then
                problem="no result from pg_regress"
            else
                problem="output differs from expected/$name.out"
            fi
        else
            r_ok=$((r_ok + tap_ok)); r_bad=$((r_bad + tap_bad)); r_skip=$((r_skip + tap_skip))
            r_asserts=$((r_asserts + tap_ran))
            ((tap_bad == 0)) || FAILED_NAMES+=("pg_regress:$name($tap_bad not ok)")
            if [[ -z $tap_planned ]]; then
                problem="no plan"
            elif ((tap_planned != tap_ran)); then
                problem="planned $tap_planned, ran $tap_ran"
            elif [[ ${RESULT[$name]} == missing ]]; then
                problem="no result from pg_regress"
            elif [[ ${RESULT[$name]} == FAILED ]] && ((tap_bad == 0)); then
                problem="output differs from expected/$name.out"
            fi
        fi
        if [[ -n $problem ]]; then
            r_files_bad=$((r_files_bad + 1))
            FAILED_NAMES+=("pg_regress:$name($problem)")
            printf 'pg_regress %s: %s\n' "$name" "$problem"
        fi
    done
    if ((rc_extra)); then
        r_files_bad=$((r_files_bad + 1))
        FAILED_NAMES+=("pg_regress:exit-status-$rc")
    fi
    PASSED=$((PASSED + r_ok))
    FAILED=$((FAILED + r_bad + r_files_bad))
    printf 'pg_regress: %d files, %d pgTAP assertions (%d skipped): %d passed, %d failed\n' \
        "${#tests[@]}" "$r_asserts" "$r_skip" "$r_ok" "$((r_bad + r_files_bad))"
    ((rc == 0 && r_bad + r_files_bad == 0)) || show_diffs test/out/regression.diffs
fi

# --- isolation ----------------------------------------------------------------
spec_files=(test/specs/*.spec)
if ((${#spec_files[@]} > 0)); then
    printf '\n==> isolation: %d spec(s) from test/specs\n' "${#spec_files[@]}"
    specs=()
    for f in "${spec_files[@]}"; do specs+=("$(basename "$f" .spec)"); done
    iso=$("$PAE_PG_CONFIG" --pkglibdir)/pgxs/src/test/isolation/pg_isolation_regress
    mkdir -p test/out_iso
    rm -rf test/out_iso/results test/out_iso/regression.diffs
    run_logged "$PAE_TMP/isolation.log" \
        "$iso" --inputdir=test --outputdir=test/out_iso --bindir="$("$PAE_PG_CONFIG" --bindir)" \
        --dbname=pae_isolation --load-extension=postgis --load-extension=pgcrypto \
        --load-extension=pae_cauca "${specs[@]}"
    read_results "$PAE_TMP/isolation.log" "$rc" "${specs[@]}"
    i_ok=0 i_bad=0
    for name in "${specs[@]}"; do
        if [[ ${RESULT[$name]} == ok ]]; then
            i_ok=$((i_ok + 1))
        else
            i_bad=$((i_bad + 1))
            FAILED_NAMES+=("isolation:$name(${RESULT[$name]})")
        fi
    done
    if ((rc_extra)); then
        i_bad=$((i_bad + 1))
        FAILED_NAMES+=("isolation:exit-status-$rc")
    fi
    PASSED=$((PASSED + i_ok))
    FAILED=$((FAILED + i_bad))
    printf 'isolation: %d passed, %d failed\n' "$i_ok" "$i_bad"
    ((rc == 0 && i_bad == 0)) || show_diffs test/out_iso/regression.diffs
fi

# --- scenarios ----------------------------------------------------------------
# test/escenarios/*.sh: whole-cluster scenarios (pg_dump/pg_restore, ...), one
# test each, run against this cluster; exit status 0 is a pass.
scenario_files=(test/escenarios/*.sh)
if ((${#scenario_files[@]} > 0)); then
    printf '\n==> scenarios: %d from test/escenarios\n' "${#scenario_files[@]}"
    for f in "${scenario_files[@]}"; do
        name=$(basename "$f" .sh)
        rc=0
        PATH="$PAE_PGBIN:$PATH" bash "$f" >"$PAE_TMP/escenario_$name.log" 2>&1 || rc=$?
        if ((rc == 0)); then
            PASSED=$((PASSED + 1))
            printf 'scenario %-40s ... ok\n' "$name"
            sed 's/^/    /' "$PAE_TMP/escenario_$name.log" | tail -n 3
        else
            FAILED=$((FAILED + 1))
            FAILED_NAMES+=("scenario:$name")
            printf 'scenario %-40s ... FAILED (exit %d)\n' "$name" "$rc"
            sed 's/^/    /' "$PAE_TMP/escenario_$name.log" | tail -n 40
        fi
    done
fi

finish

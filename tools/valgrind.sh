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
# malloc-level misuse and bad frees are.  Takes a few minutes.
#
# Coverage: first the same scripts run (without valgrind) against a copy
# of the extension built with gcc --coverage (make COPT=--coverage in a
# scratch copy of the tree); gcov then prints, for every src/*.c, the share
# of its lines and functions that ran.  A C file none of whose lines ran
# fails the run: every C file's code is under valgrind.  VALGRIND_COBERTURA=0
# skips the coverage pass, VALGRIND_SOLO_COBERTURA=1 stops after it.
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
scripts=("$@")
((${#scripts[@]} > 0)) || scripts=(test/valgrind/*.sql)

# one single-user backend per script, in the order given; $1: wrapper (or '')
correr_scripts() {
    local envoltura=$1 f out rc
    for f in "${scripts[@]}"; do
        out=$PAE_TMP/$(basename "$f" .sql).${2:-valgrind}.out
        chmod 755 "$PAE_TMP" && cp "$f" "$PAE_TMP/script.sql" && chmod 644 "$PAE_TMP/script.sql"
        rc=0
        # shellcheck disable=SC2086
        (cd "$PAE_TMP" && pae_as_server_user $envoltura \
            "$PAE_PGBIN/postgres" --single -D "$PAE_PGDATA" -c client_min_messages=warning postgres \
            <"$PAE_TMP/script.sql" >"$out" 2>&1) || rc=$?
        echo "$rc" >"$out.rc"
    done
}

fallidas_en() { grep -c -E '^(backend> )*[0-9-]+ [0-9:.]+ UTC \[[0-9]+\] (ERROR|FATAL|PANIC)' "$1" || true; }

if [[ ${VALGRIND_COBERTURA:-1} != 0 ]]; then
    command -v gcov >/dev/null || { pae_err "gcov is not installed (it comes with gcc)"; exit 1; }
    pae_tree_prepare
    cob=$PAE_TMP/cobertura
    mkdir -p "$cob"
    (umask 022; tar -C "$PAE_ROOT" --exclude=./test/out --exclude=./test/out_iso --exclude='./.git' \
        -cf - Makefile pae_cauca.control src sql | tar -C "$cob" -xf -)
    (cd "$cob" && make -s clean PG_CONFIG="$PAE_PG_CONFIG" >/dev/null 2>&1 || true)
    pae_log "coverage build (make COPT=--coverage in a scratch copy)"
    (cd "$cob" && make -s -j"$(nproc 2>/dev/null || echo 2)" PG_CONFIG="$PAE_PG_CONFIG" COPT=--coverage with_llvm=no >/dev/null) ||
        { pae_err "coverage build failed"; exit 1; }
    (cd "$cob" && umask 022 && make -s install DESTDIR="$PAE_TMP/root" PG_CONFIG="$PAE_PG_CONFIG" with_llvm=no >/dev/null) ||
        { pae_err "coverage install failed"; exit 1; }
    # the backend (postgres OS user) writes the .gcda files beside the objects
    chmod -R a+rwX "$cob"
    pae_cluster_start
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
         -c 'CREATE EXTENSION pae_cauca CASCADE' >/dev/null
    pae_cluster_stop
    correr_scripts '' cobertura
    pae_log "coverage of each C file (lines run / lines; functions entered / functions)"
    sin_cubrir=0
    for c in "$cob"/src/*.c; do
        base=$(basename "$c")
        (cd "$cob/src" && gcov -n -f -o . "$base" >"$cob/$base.gcov.txt" 2>/dev/null) || true
        # "Function 'f'" / "File 'x.c'", each followed by "Lines executed:P% of N"
        read -r pct total < <(awk -v f="$base" 'BEGIN { q = sprintf("%c", 39) }
            /^File / { n = $2; gsub(q, "", n); sub(/.*\//, "", n); mine = (n == f); next }
            /^Function / { mine = 0; next }
            mine && /^Lines executed:/ { sub(/^Lines executed:/, ""); print $1, $3; exit }' "$cob/$base.gcov.txt")
        # functions of this file: the names at the start of a line of its source
        fn_total=0 fn_run=0
        while read -r nombre fpct; do
            grep -q "^${nombre}(" "$c" || continue
            fn_total=$((fn_total + 1))
            [[ $fpct == 0.00% ]] || fn_run=$((fn_run + 1))
        done < <(awk 'BEGIN { q = sprintf("%c", 39) }
            /^Function / { n = $2; gsub(q, "", n); next }
            n != "" && /^Lines executed:/ { sub(/^Lines executed:/, ""); print n, $1; n = "" }' "$cob/$base.gcov.txt")
        printf '    %-26s lines %7s of %4s   functions %3d/%-3d\n' "src/$base" "${pct:-0.00%}" "${total:-?}" "$fn_run" "$fn_total"
        [[ -z ${pct:-} || $pct == 0.00% ]] && sin_cubrir=$((sin_cubrir + 1))
    done
    for f in "${scripts[@]}"; do
        out=$PAE_TMP/$(basename "$f" .sql).cobertura.out
        n=$(fallidas_en "$out")
        if ((n > 0)) || [[ $(cat "$out.rc") != 0 ]]; then
            pae_err "coverage pass: $f had $n failed statement(s) (exit $(cat "$out.rc"))"
            grep -E '(ERROR|FATAL|PANIC)' "$out" | head -n 20 >&2
            exit 1
        fi
    done
    ((sin_cubrir == 0)) || { pae_err "$sin_cubrir C file(s) with no line run by test/valgrind"; exit 1; }
    rm -rf "$PAE_PGDATA" "$cob"
    [[ ${VALGRIND_SOLO_COBERTURA:-0} == 0 ]] || { echo "coverage only (VALGRIND_SOLO_COBERTURA=1)"; exit 0; }
fi

pae_build_install
pae_cluster_start
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
     -c 'CREATE EXTENSION pae_cauca CASCADE' >/dev/null
pae_cluster_stop

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

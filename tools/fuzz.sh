#!/usr/bin/env bash
# tools/fuzz.sh -- libFuzzer on the pure C helpers of pae_cauca.
#
#   tools/fuzz.sh [seconds per target] [target ...]     (default 20 s, every target)
#
# Targets (test/fuzz/fuzz_<target>.c, seeds in test/fuzz/corpus/<target>/):
#   geodesia          src/geodesy.c: coordinate check and the distance methods
#   jwt               src/jwt.c: base64url both ways, HMAC-SHA256, a whole HS256 token
#   sync              src/sync_item.c: the uuid and UTC-offset scanners of the item decoder
#   auditoria_canon   src/auditoria_canon.c: the canonical encoding of an audit row
#
# Each harness is built with clang -fsanitize=fuzzer,address,undefined
# (undefined behaviour aborts) into a temporary directory and run for the
# given time on a copy of its seed corpus (the repository's corpus is only
# read).  Prints `STRESS fuzz_<target>_execs N` per target.  A crash, a
# sanitizer report or a broken property fails the run; the input that
# caused it is printed (hex) and kept under $FUZZ_ARTIFACTS (default: a
# directory the script names) so that `./fuzz_<target> <file>` replays it.
# On Debian 12 -fsanitize=fuzzer needs libclang-rt-14-dev (tools/pgenv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
raiz=$PWD

segundos=${1:-20}
shift || true
objetivos=("$@")
((${#objetivos[@]} > 0)) || objetivos=(geodesia jwt sync auditoria_canon)

CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null || { echo "fuzz: $CC not found (apt-get install clang)" >&2; exit 1; }
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
inc_server=$("$PG_CONFIG" --includedir-server)
pkglib=$("$PG_CONFIG" --pkglibdir)
libdir=$("$PG_CONFIG" --libdir)

trabajo=$(mktemp -d "${TMPDIR:-/tmp}/pae_fuzz.XXXXXX")
artefactos=${FUZZ_ARTIFACTS:-$trabajo/artefactos}
mkdir -p "$artefactos"
limpiar() { rm -rf -- "$trabajo"/bin "$trabajo"/corpus; [[ -n ${FUZZ_ARTIFACTS:-} ]] || rm -rf -- "$trabajo"; }
trap limpiar EXIT
mkdir -p "$trabajo/bin" "$trabajo/corpus"

cflags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
        -Wall -Werror -Wno-unused-parameter -Wno-unused-function -Wno-ignored-attributes
        -Wno-compound-token-split-by-macro -I"$raiz/src" -I"$inc_server")

construir() { # $1 target -> $trabajo/bin/fuzz_$1
    local t=$1 extra=()
    case $t in
        geodesia) extra=("$raiz/src/geodesy.c" -lm) ;;
        jwt) extra=(-DFRONTEND "$raiz/src/jwt.c" -L"$pkglib" -L"$libdir" -lpgcommon -lpgport -lcrypto) ;;
        sync) extra=(-lm) ;;
        auditoria_canon) extra=("$raiz/src/auditoria_canon.c") ;;
        *) echo "fuzz: unknown target $t" >&2; return 1 ;;
    esac
    if ! "$CC" "${cflags[@]}" -o "$trabajo/bin/fuzz_$t" "$raiz/test/fuzz/fuzz_$t.c" "${extra[@]}" \
            2>"$trabajo/build_$t.log"; then
        cat "$trabajo/build_$t.log" >&2
        if grep -q 'libclang_rt.fuzzer\|cannot find.*fuzzer' "$trabajo/build_$t.log"; then
            echo "fuzz: clang's libFuzzer runtime is missing (Debian 12: apt-get install libclang-rt-14-dev)" >&2
        fi
        return 1
    fi
}

fallos=0
for t in "${objetivos[@]}"; do
    construir "$t" || { fallos=$((fallos + 1)); continue; }
    mkdir -p "$trabajo/corpus/$t"
    semillas=$raiz/test/fuzz/corpus/$t
    [[ -d $semillas ]] || semillas=''
    log=$trabajo/fuzz_$t.log
    rc=0
    (cd "$trabajo" && ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
        "$trabajo/bin/fuzz_$t" -max_total_time="$segundos" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artefactos/${t}-" \
        "$trabajo/corpus/$t" ${semillas:+"$semillas"} >"$log" 2>&1) || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1 || true)
    cov=$( (grep -o 'cov: [0-9]*' "$log" || true) | tail -n 1 | awk '{print $2}')
    printf 'STRESS fuzz_%s_execs %s\n' "$t" "${execs:-0}"
    printf 'STRESS fuzz_%s_coverage_edges %s\n' "$t" "${cov:-0}"
    if ((rc != 0)) || [[ -z $execs ]]; then
        fallos=$((fallos + 1))
        echo "fuzz: $t FAILED (exit $rc); last lines of its log:" >&2
        tail -n 40 "$log" >&2
        for a in "$artefactos/${t}-"*; do
            [[ -f $a ]] || continue
            echo "fuzz: input that failed ($a):" >&2
            od -A d -t x1 "$a" | head -n 20 >&2
        done
    fi
done
((fallos == 0)) || { echo "fuzz: $fallos target(s) failed; artifacts in $artefactos" >&2; FUZZ_ARTIFACTS=$artefactos; exit 1; }
echo "fuzz: ${#objetivos[@]} target(s), ${segundos}s each, no crash"

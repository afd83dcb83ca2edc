#!/usr/bin/env bash
# tools/stress.d/40-sqlsmith.sh -- random SQL (sqlsmith) against a populated
# pae_cauca database, as the superuser and as each pae_* role.
#
#   tools/stress.sh (make stress), or alone: bash tools/stress.d/40-sqlsmith.sh
#   SQLSMITH_SECONDS=<s>   time per target (default 35; 7 targets -> about 4 min)
#   SQLSMITH_SEED=<n>      first seed (default 1; each target adds its index)
#   SQLSMITH_OPTS=<opts>   more sqlsmith options (default --exclude-catalog: queries
#                          over our tables and views, not the system catalogs)
#   SQLSMITH_ONLY=<roles>  only these targets (e.g. "su admin"), to replay a seed
#   SQLSMITH_KEEP=<dir>    where the server log and sqlsmith's output are kept when the
#                          run fails (default /tmp/pae_sqlsmith_fallo)
#
# A throwaway cluster gets the extension and tools/demo_datos.sql, plus one
# person for the roles the demo has none of (admin, bi).  For every group
# role pae_* a LOGIN role member of it is created and tied to a person of
# that role (pae.usuarios.login_db), so that sessions without a JWT act as
# that person and row-level security, the actor checks and the triggers
# judge what sqlsmith sends; statement_timeout bounds every query.  sqlsmith
# (--verbose prints one character per query: '.' ok, 'e' error, 'C' lost
# connection, 't' timeout) runs for SQLSMITH_SECONDS per target.  The run
# fails when the server log says a backend was terminated by a signal or
# exited abnormally (a crash), when the server is not up at the end, or
# when more connections broke than generated pg_terminate_backend() calls
# ended (random pids sometimes hit the session's own backend).  Prints
# STRESS lines: queries, errors and broken connections per target, crashes.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/pgenv.sh
trap pae_cleanup EXIT

segundos=${SQLSMITH_SECONDS:-35}
semilla=${SQLSMITH_SEED:-1}
command -v sqlsmith >/dev/null || { pae_err "sqlsmith is not installed (apt-get install sqlsmith)"; exit 1; }

pae_ensure_packages
pae_build_install
# the SQLSTATE of every logged error, to count internal errors (XX000)
PAE_CLUSTER_CONF="${PAE_CLUSTER_CONF:-}
log_line_prefix = '%m [%p] %e '"
pae_cluster_start
export PGDATABASE=pae_smith
createdb pae_smith
q() { psql -X -q -v ON_ERROR_STOP=1 -P pager=off "$@"; }
q -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pae_cauca CASCADE'
pae_log "loading tools/demo_datos.sql"
q -f tools/demo_datos.sql >/dev/null

# one LOGIN role per group role, tied to a person of that role
mapfile -t grupos < <(q -At -c "SELECT rolname FROM pg_roles WHERE rolname LIKE 'pae\_%' AND NOT rolcanlogin ORDER BY 1")
q <<'SQL'
SET client_min_messages = warning;
SELECT pae.crear_usuario('admin.smith@pae.cauca.gov.co', 'Admin Smith', 'admin', 'clave-smith-admin');
SELECT pae.crear_usuario('bi.smith@pae.cauca.gov.co', 'BI Smith', 'bi', 'clave-smith-bi');
CREATE ROLE smith_su LOGIN SUPERUSER;
ALTER ROLE smith_su SET statement_timeout = '3s';
SQL
objetivos=(smith_su)
for g in "${grupos[@]}"; do
    r=smith_${g#pae_}
    q -v r="$r" -v g="$g" <<'SQL'
CREATE ROLE :"r" LOGIN IN ROLE :"g";
ALTER ROLE :"r" SET statement_timeout = '3s';
UPDATE pae.usuarios SET login_db = :'r'
 WHERE id = (SELECT id FROM pae.usuarios WHERE rol = substr(:'g', 5) AND login_db IS NULL ORDER BY correo LIMIT 1);
SQL
    objetivos+=("$r")
done

if [[ -n ${SQLSMITH_ONLY:-} ]]; then
    elegidos=()
    for r in "${objetivos[@]}"; do
        [[ " $SQLSMITH_ONLY " == *" ${r#smith_} "* ]] && elegidos+=("$r")
    done
    objetivos=("${elegidos[@]}")
fi
fallos=0
total_c=0
total_q=0
total_e=0
i=0
for r in "${objetivos[@]}"; do
    out=$PAE_TMP/sqlsmith_$r.out
    pae_log "sqlsmith as $r for ${segundos}s (seed $((semilla + i)))"
    rc=0
    timeout --signal=INT --kill-after=20 "$segundos" \
        sqlsmith --target="host=$PGHOST port=$PGPORT dbname=pae_smith user=$r" --verbose \
                 --seed=$((semilla + i)) --max-queries=100000000 ${SQLSMITH_OPTS---exclude-catalog} \
                 >/dev/null 2>"$out" || rc=$?
    # progress lines: only the characters of the query outcomes
    marcas=$(grep -E '^[.eCSt]+$' "$out" | tr -d '\n' || true)
    n=${#marcas}
    e=$(tr -cd 'e' <<<"$marcas" | wc -c)
    c=$(tr -cd 'C' <<<"$marcas" | wc -c)
    printf 'STRESS sqlsmith_%s_queries %d\n' "${r#smith_}" "$n"
    printf 'STRESS sqlsmith_%s_errors %d\n' "${r#smith_}" "$e"
    # 'C': the query broke the connection (sqlsmith's own mark), checked
    # against the server log below
    printf 'STRESS sqlsmith_%s_broken_connections %d\n' "${r#smith_}" "$c"
    total_c=$((total_c + c))
    if ((n == 0)); then
        pae_err "sqlsmith as $r ran no query (exit $rc)"; tail -n 20 "$out" >&2
        fallos=$((fallos + 1))
    fi
    total_q=$((total_q + n)); total_e=$((total_e + e))
    i=$((i + 1))
done

# a backend that dies abnormally: the postmaster says so and restarts them all
caidas=$(grep -c -E 'terminated by signal|exited with exit code' "$PAE_TMP/server.log" || true)
# a broken connection is explained only by a generated pg_terminate_backend(n)
# that hit the session's own pid (a role may end its own backends)
terminadas=$(grep -c 'terminating connection due to administrator command' "$PAE_TMP/server.log" || true)
printf 'STRESS sqlsmith_broken_connections %d\n' "$total_c"
printf 'STRESS sqlsmith_self_terminations %d\n' "$terminadas"
if ((total_c > terminadas)); then
    pae_err "sqlsmith lost $total_c connection(s), only $terminadas by pg_terminate_backend"
    fallos=$((fallos + 1))
fi
printf 'STRESS sqlsmith_queries %d\n' "$total_q"
printf 'STRESS sqlsmith_errors %d\n' "$total_e"
printf 'STRESS sqlsmith_crashes %d\n' "$caidas"
if ((caidas > 0)); then
    grep -B2 -A5 -E 'terminated by signal|exited with exit code' "$PAE_TMP/server.log" | head -n 60 >&2
    fallos=$((fallos + 1))
fi
# internal errors: reported (PostgreSQL's own may show up on random SQL), listed
internos=$(grep -c -E '\] XX000 (ERROR|FATAL|PANIC):' "$PAE_TMP/server.log" || true)
printf 'STRESS sqlsmith_internal_errors %d\n' "$internos"
if ((internos > 0)); then
    pae_log "internal errors (XX000) in the server log"
    grep -E '\] XX000 (ERROR|FATAL|PANIC):' "$PAE_TMP/server.log" | sed -E 's/^.*XX000 //' | sort | uniq -c | sort -rn | head -n 10
fi
pg_isready -q || { pae_err "the server is not up after sqlsmith"; fallos=$((fallos + 1)); }
q -At -c 'SELECT 1' >/dev/null || { pae_err "the database does not answer after sqlsmith"; fallos=$((fallos + 1)); }
# the most frequent errors of the server (what the roles were refused)
pae_log "most frequent server errors"
grep -E ' (ERROR|FATAL|PANIC): ' "$PAE_TMP/server.log" | sed -E 's/^.*(ERROR|FATAL|PANIC): +//' |
    sed -E 's/"[^"]*"/"…"/g; s/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -n 15 || true
if ((fallos > 0)); then
    guardar=${SQLSMITH_KEEP:-/tmp/pae_sqlsmith_fallo}
    mkdir -p "$guardar" && cp "$PAE_TMP/server.log" "$PAE_TMP"/sqlsmith_*.out "$guardar"/ 2>/dev/null || true
    pae_err "sqlsmith: $fallos problem(s); server log and sqlsmith output kept in $guardar"
    exit 1
fi
echo "sqlsmith: ${#objetivos[@]} targets, $total_q queries, $total_e errors, no crash"

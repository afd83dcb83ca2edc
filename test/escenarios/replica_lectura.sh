#!/usr/bin/env bash
# Scenario: a hot standby for BI and read traffic (issue 14, item 7).
#
# A database of the test cluster gets visits in every state with answers,
# evidence, history and alerts, one person of each role (the fixture of the
# state-machine tests) and a sealed audit trail.  `pg_basebackup -R` copies the cluster into a new directory, started
# as a streaming replica on another port (as the server's OS user, like
# tools/pgenv.sh runs the primary).  After more writes on the primary and
# their replay on the standby:
#  - every pae_api view answers each staff role, and every pae_reportes view
#    answers pae_bi, with the same rows (count and md5 of the rows) on the
#    standby as on the primary, through the PostgREST emulation of a GET:
#    BEGIN READ ONLY, role, claims, headers, method, pae.db_pre_request();
#  - every table of schema pae holds the same rows on both;
#  - pae.verificar_auditoria() is clean on the standby;
#  - the write paths fail there cleanly with 25006 (login before it reads the
#    password), never with an internal error.
# The standby is stopped and its directory removed at the end.
#
# Runs against the cluster of tools/test.sh (PGHOST, PGPORT, PGUSER, PAE_TMP,
# PAE_PGBIN exported).
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -n ${PAE_TMP:-} && -n ${PAE_PGBIN:-} ]] || { echo "run through tools/test.sh (PAE_TMP, PAE_PGBIN)" >&2; exit 1; }
raiz=$PWD
origen=pae_replica_origen
dir=$(mktemp -d "$PAE_TMP/replica.XXXXXX")
chmod 755 "$dir"
[[ $(id -u) -ne 0 ]] || chown postgres: "$dir"

como_servidor() { # the server's OS user, from a directory it can read
    if [[ $(id -u) -eq 0 ]]; then (cd "$dir" && runuser -u postgres -- "$@"); else (cd "$dir" && "$@"); fi
}
limpiar() {
    local rc=$?
    set +e
    if [[ -f $dir/data/postmaster.pid ]]; then
        como_servidor "$PAE_PGBIN/pg_ctl" -D "$dir/data" -s -m fast -w -t 30 stop >/dev/null 2>&1 ||
            como_servidor "$PAE_PGBIN/pg_ctl" -D "$dir/data" -s -m immediate -w -t 30 stop >/dev/null 2>&1
    fi
    if ((rc != 0)) && [[ -f $dir/replica.log ]]; then
        echo "--- last lines of the standby's log ---"; tail -n 20 "$dir/replica.log"
    fi
    rm -rf -- "$dir"
    dropdb --if-exists "$origen" >/dev/null 2>&1
    exit "$rc"
}
trap limpiar EXIT

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

dropdb --if-exists "$origen" >/dev/null 2>&1 || true
createdb "$origen"
psql_q -d "$origen" -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pae_cauca CASCADE'
# every visit state, answers, evidence, history, alerts, one person per role
# (the state-machine tests' fixture), a JWT secret, a sealed trail
psql_q -d "$origen" >/dev/null <<'SQL'
SET client_min_messages = warning;
\i test/fixtures/visitas_y_personas.sql
SELECT pg_temp.nueva_visita(('00000000-0000-4000-8000-0000000000a' || n)::uuid,
                            p_fecha => ('2026-0' || (n % 3 + 4) || '-1' || n || ' 08:00-05')::timestamptz)
  FROM generate_series(0, 7) n;
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a1', 'en_curso');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a2', 'cerrada');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a3', 'aprobada');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a4', 'devuelta');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a5', 'cancelada');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a6', 'cerrada');
SELECT pae.fijar_secreto_jwt('secreto-de-la-replica-con-mas-de-32-bytes');
SELECT pae.sellar_auditoria();
SQL

# the standby
puerto=''
for p in $(seq 54320 54999 | shuf); do
    [[ -e $PAE_TMP/.s.PGSQL.$p || -e /tmp/.s.PGSQL.$p || -e /var/run/postgresql/.s.PGSQL.$p ]] && continue
    puerto=$p; break
done
[[ -n $puerto ]] || { echo "replica_lectura: no free port" >&2; exit 1; }
como_servidor "$PAE_PGBIN/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -D "$dir/data" -R -X stream -c fast
como_servidor "$PAE_PGBIN/pg_ctl" -D "$dir/data" -l "$dir/replica.log" -w -t 120 -s \
    -o "-p $puerto -k $dir -c hot_standby=on" start
espejo=(-h "$dir" -p "$puerto")
[[ $(psql -X -At "${espejo[@]}" -d "$origen" -c 'SELECT pg_is_in_recovery()') == t ]] ||
    { echo "replica_lectura: the copy is not a standby" >&2; exit 1; }

# more writes after the copy, which the standby must replay: a visit moved
# by its visitador through the PostgREST emulation, a new seal
psql_q -d "$origen" >/dev/null <<'SQL'
SET client_min_messages = warning;
BEGIN;
SELECT set_config('role', 'pae_coordinador', true),
       set_config('request.jwt.claims', json_build_object('sub', id, 'role', 'pae_coordinador',
                  'iat', extract(epoch FROM now())::bigint + 1)::text, true),
       set_config('request.headers', '{"user-agent":"replica"}', true),
       set_config('request.method', 'POST', true)
  FROM pae.usuarios WHERE rol = 'coordinador' ORDER BY correo LIMIT 1;
SELECT pae.db_pre_request();
SELECT pae_api.transicion(v.id, 'cancelada', 'prueba de réplica')
  FROM pae_api.visitas v WHERE v.estado = 'programada' ORDER BY v.id LIMIT 1;
COMMIT;
SELECT pae.sellar_auditoria();
SQL
lsn=$(psql -X -At -d "$origen" -c 'SELECT pg_current_wal_lsn()')
for _ in $(seq 1 600); do
    listo=$(psql -X -At "${espejo[@]}" -d "$origen" -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")
    [[ $listo == t ]] && break
    sleep 0.1
done
[[ $listo == t ]] || { echo "replica_lectura: the standby did not replay up to $lsn in 60 s" >&2; exit 1; }

# every read, as every role, through a GET; and every table as the superuser
lecturas() { # $@: connection options; prints sorted lines
    psql -X -q -At -v ON_ERROR_STOP=1 "$@" -d "$origen" 2>&1 <<'SQL' | sed -n 's/^NOTICE:  //p' | sort
BEGIN READ ONLY;
DO $$
DECLARE p record; v record; n bigint; h text;
BEGIN
  FOR p IN SELECT DISTINCT ON (u.rol) u.rol, u.id FROM pae.usuarios u WHERE u.activo ORDER BY u.rol, u.correo LOOP
    FOR v IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('v', 'm')
                AND ((p.rol = 'bi' AND n.nspname = 'pae_reportes') OR (p.rol <> 'bi' AND n.nspname = 'pae_api'))
              ORDER BY 1, 2 LOOP
      BEGIN
        PERFORM set_config('role', 'pae_' || p.rol, true);
        PERFORM set_config('request.jwt.claims', json_build_object('sub', p.id, 'role', 'pae_' || p.rol,
                    'iat', extract(epoch FROM now())::bigint + 1, 'exp', extract(epoch FROM now())::bigint + 3600)::text, true);
        PERFORM set_config('request.headers', '{"user-agent":"bi-replica"}', true);
        PERFORM set_config('request.method', 'GET', true);
        PERFORM pae.db_pre_request();
        EXECUTE format('SELECT count(*), md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM %I.%I t',
                       v.nspname, v.relname) INTO n, h;
        PERFORM set_config('role', 'none', true);
        RAISE NOTICE 'vista % %.% % %', p.rol, v.nspname, v.relname, n, h;
      EXCEPTION WHEN OTHERS THEN
        PERFORM set_config('role', 'none', true);
        RAISE NOTICE 'vista % %.% ERROR %', p.rol, v.nspname, v.relname, SQLSTATE;
      END;
    END LOOP;
  END LOOP;
  FOR v IN SELECT c.oid::regclass AS rel FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
            WHERE s.nspname = 'pae' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1 LOOP
    EXECUTE format('SELECT count(*), md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM %s t', v.rel)
       INTO n, h;
    RAISE NOTICE 'tabla % % %', v.rel, n, h;
  END LOOP;
  SELECT count(*) INTO n FROM pae.verificar_auditoria();
  RAISE NOTICE 'verificar_auditoria %', n;
END $$;
COMMIT;
SQL
}
primario=$(lecturas)
replica=$(lecturas "${espejo[@]}")
if [[ $primario != "$replica" ]]; then
    echo "replica_lectura: the standby does not answer as the primary (- primary, + standby):"
    diff <(echo "$primario") <(echo "$replica") | head -n 40 || true
    exit 1
fi
vistas=$(grep -c '^vista ' <<<"$replica" || true)
errores=$(grep '^vista .* ERROR ' <<<"$replica" | grep -v ' ERROR 42501$' || true)
if [[ -n $errores ]]; then
    echo "replica_lectura: reads failed on the standby (other than a role's 42501):"
    echo "$errores"
    exit 1
fi
if ((vistas < 20)) || ! grep -q '^verificar_auditoria 0$' <<<"$replica" ||
   ! grep -q '^tabla pae.visitas [1-9]' <<<"$replica"; then
    echo "replica_lectura: the standby answered too little ($vistas view reads) or the audit does not verify:"
    echo "$replica" | head -n 20
    exit 1
fi

# the write paths refuse cleanly on the standby
salida=$(psql -X -At "${espejo[@]}" -d "$origen" 2>&1 <<'SQL'
\set VERBOSITY verbose
\set SHOW_CONTEXT never
SET ROLE pae_anon;
SELECT pae_api.login('adm1@prueba.gov.co', 'clave-larga-6');
RESET ROLE;
SELECT pae.sellar_auditoria();
BEGIN;
SELECT set_config('role', 'pae_coordinador', true),
       set_config('request.jwt.claims', json_build_object('sub', id, 'role', 'pae_coordinador',
                  'iat', extract(epoch FROM now())::bigint + 1)::text, true)
  FROM pae.usuarios WHERE rol = 'coordinador' ORDER BY correo LIMIT 1 \g /dev/null
SELECT pae.db_pre_request() \g /dev/null
SELECT pae_api.transicion(v.id, 'cancelada', 'en la réplica') FROM pae_api.visitas v WHERE v.estado = 'programada' LIMIT 1;
ROLLBACK;
SQL
) || true
if [[ $(grep -c '^ERROR:  25006: ' <<<"$salida") -ne 3 ]] || grep -q 'XX000' <<<"$salida" ||
   ! grep -q '^ERROR:  25006: pae_api.login necesita una transacción de lectura y escritura' <<<"$salida"; then
    echo "replica_lectura: the write paths on the standby did not all fail with 25006:"
    echo "$salida"
    exit 1
fi
if grep -E 'PANIC|terminated by signal' "$dir/replica.log" >/dev/null; then
    echo "replica_lectura: the standby's log shows a crash:"; grep -E 'PANIC|terminated by signal' "$dir/replica.log"
    exit 1
fi
tablas=$(grep -c '^tabla ' <<<"$replica")
echo "replica_lectura: standby on port $puerto replayed to $lsn: $vistas view reads as $(grep '^vista ' <<<"$replica" | awk '{print $2}' | sort -u | wc -l) roles and $tablas tables identical to the primary"
echo "replica_lectura: audit verifies on the standby; login, sealing and a transition refused there with 25006"

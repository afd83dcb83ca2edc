#!/usr/bin/env bash
# Scenario: the event relay (pae_cauca preloaded, src/relay.c) copes with
# what a server lives through, on a throwaway cluster of its own (it crashes
# that cluster on purpose, which servidor_sin_caidas would report on the
# suite's):
#   1. an event is announced (the cursor moves in the transaction that sends
#      the NOTIFY: ultimo_anunciado, pendientes 0);
#   2. DROP EXTENSION + CREATE EXTENSION: the new outbox is announced from 1;
#      TRUNCATE pae.eventos RESTART IDENTITY: a listener gets the new id 1;
#   3. a transaction that wrote events cannot be PREPAREd (0A000);
#   4. DROP DATABASE right after a commit succeeds (the worker leaves when
#      idle, within DROP DATABASE's wait for other sessions);
#   5. a crash (the worker killed while an event waits for it): after the
#      restart the launcher announces it with no new commit.
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${PAE_TMP:?run by tools/test.sh}" "${PAE_PGBIN:?run by tools/test.sh}"
# shellcheck source=tools/pgenv.sh
. tools/pgenv.sh
suite_tmp=$PAE_TMP
PAE_TMP=$(mktemp -d /tmp/pae_cauca.XXXXXX)
chmod 755 "$PAE_TMP"
ln -s "$suite_tmp/root" "$PAE_TMP/root"
PAE_PGDATA=$PAE_TMP/data
# synchronous_commit on: a commit acknowledged before the crash must survive it
PAE_CLUSTER_CONF="shared_preload_libraries = 'pae_cauca'
synchronous_commit = on"
trap 'pae_cluster_stop; rm -rf -- "$PAE_TMP"' EXIT
pae_cluster_start >/dev/null

fallo() {
    echo "eventos_relay_recuperacion: $*" >&2
    grep -E 'relay|FATAL|ERROR' "$PAE_TMP/server.log" | tail -n 20 >&2 || true
    exit 1
}
q() { local db=$1; shift; psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@"; }

preparar() { # $1: database with pae_cauca, a visitador and visits 1..9
    q "$1" -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS pae_cauca CASCADE" -c "
        INSERT INTO pae.instituciones (codigo, nombre, municipio) VALUES ('119001900001', 'IE Prueba', '19001');
        INSERT INTO pae.sedes (codigo, nombre, institucion, municipio, ubicacion, geocerca_estricta)
        VALUES ('119001900101', 'Sede Centro', '119001900001', '19001', 'SRID=4326;POINT(-76.6128 2.4442)', false);
        INSERT INTO pae.operadores (nit, nombre) VALUES ('900123456-7', 'Operador de Prueba SAS');
        INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia)
        VALUES ('PAE-T-001', '900123456-7', daterange('2025-01-01', '2027-01-01'), 200);
        INSERT INTO pae.contrato_sedes VALUES ('PAE-T-001', '119001900101');
        INSERT INTO pae.usuarios (id, correo, nombre, rol)
        VALUES ('00000000-0000-4000-a000-000000000001', 'vis1@prueba.gov.co', 'Visitadora', 'visitador');
        INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita)
        SELECT ('00000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid, '119001900101', 'PAE-T-001',
               '00000000-0000-4000-a000-000000000001', '2026-06-01 08:00-05'::timestamptz + g * interval '1 day'
          FROM generate_series(1, 9) g;" >/dev/null
}
# $1 db, $2 visit number: one check-in through pae.transicion, as its visitador
transicion_sql() {
    printf "%s\n" "SELECT set_config('request.jwt.claims', '{\"sub\":\"00000000-0000-4000-a000-000000000001\",\"role\":\"pae_visitador\"}', true) IS NULL;" \
        "SET LOCAL ROLE pae_visitador;" \
        "SELECT (pae.transicion('00000000-0000-4000-8000-00000000000$2', 'en_curso', NULL, 2.4443, -76.6128, 5)).estado;"
}
transicion() { q "$1" -c "BEGIN; $(transicion_sql "$1" "$2") COMMIT;" >/dev/null; }
# waits (up to 60 s) until every committed event of $1 up to id $2 is announced
esperar_anunciado() {
    local i r
    for ((i = 0; i < 600; i++)); do
        r=$(q "$1" -c "SELECT coalesce(ultimo_anunciado, 0) >= $2 AND pendientes = 0 FROM pae.relay_estado()" 2>/dev/null || true)
        [[ $r == t ]] && return 0
        sleep 0.1
    done
    fallo "database $1: event $2 not announced within 60 s ($(q "$1" -c 'SELECT * FROM pae.relay_estado()' 2>&1))"
}
pid_relay() { # the relay worker of database $1, if it runs
    q postgres -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pae_cauca relay' AND datname = '$1'"
}

# 1. announced
createdb r1
preparar r1
[[ $(q r1 -c "SELECT modo FROM pae.relay_estado()") == relay ]] || fallo "relay_estado() is not in relay mode with the preload"
transicion r1 1
esperar_anunciado r1 1
echo "1. event 1 announced by the relay"

# 2. the extension dropped and created again: a new outbox, from id 1
q r1 -c "SET client_min_messages = warning" -c "DROP EXTENSION pae_cauca CASCADE"
preparar r1
transicion r1 2
[[ $(q r1 -c "SELECT max(id) FROM pae.eventos") == 1 ]] || fallo "the new outbox should start at id 1"
esperar_anunciado r1 1
echo "2. after DROP/CREATE EXTENSION the new event 1 is announced"

# 2b. TRUNCATE ... RESTART IDENTITY: ids start again below the horizon; a
#     listener must get the new event 1
q r1 -c "TRUNCATE pae.eventos RESTART IDENTITY"
PGAPPNAME=oyente psql -X -d r1 -c "LISTEN pae_eventos" -c "
    DO \$\$ BEGIN
      FOR i IN 1..600 LOOP
        EXIT WHEN EXISTS (SELECT FROM pae.eventos) AND (SELECT pendientes FROM pae.relay_estado()) = 0;
        PERFORM pg_sleep(0.1);
      END LOOP;
      PERFORM pg_sleep(0.3);
    END \$\$" -c "SELECT 'fin'" >"$PAE_TMP/oyente.out" 2>&1 &
oy=$!
for ((i = 0; i < 600; i++)); do
    [[ $(q postgres -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'oyente' AND query LIKE '%DO%'") == 1 ]] && break
    sleep 0.1
done
transicion r1 5
wait "$oy" || fallo "the listener failed: $(cat "$PAE_TMP/oyente.out")"
grep -q 'payload "{"id": 1, "tipo": "visita.en_curso", "visita": "00000000-0000-4000-8000-000000000005"}"' "$PAE_TMP/oyente.out" ||
    fallo "after TRUNCATE ... RESTART IDENTITY the new event 1 was not announced: $(cat "$PAE_TMP/oyente.out")"
echo "2b. after TRUNCATE ... RESTART IDENTITY the new event 1 is announced"

# 3. no PREPARE TRANSACTION for a transaction that wrote events
err=$(q r1 -c "BEGIN; $(transicion_sql r1 3) PREPARE TRANSACTION 'pae_relay';" 2>&1 >/dev/null || true)
grep -q 'no se puede preparar (PREPARE TRANSACTION)' <<<"$err" || fallo "PREPARE TRANSACTION was not refused: $err"
[[ $(q r1 -c "SELECT count(*) FROM pg_prepared_xacts") == 0 ]] || fallo "a transaction was prepared"
echo "3. PREPARE TRANSACTION refused: $(head -n 1 <<<"$err")"

# 4. DROP DATABASE while its worker has just worked
transicion r1 4
dropdb r1 || fallo "DROP DATABASE failed with the relay running"
echo "4. DROP DATABASE right after a commit: ok"

# 5. a crash while an event waits: the worker stopped, an event committed,
#    the worker killed (the postmaster restarts the cluster)
createdb r2
preparar r2
pid=''
for ((i = 1; i <= 5 && ${#pid} == 0; i++)); do
    transicion r2 "$i"
    pid=$(pid_relay r2)
    if [[ -n $pid ]] && kill -STOP "$pid" 2>/dev/null; then
        [[ -n $(pid_relay r2) ]] || { kill -CONT "$pid" 2>/dev/null || true; pid=''; }
    else
        pid=''
    fi
done
[[ -n $pid ]] || fallo "could not catch the relay worker of r2 running"
transicion r2 6
esperado=$(q r2 -c "SELECT max(id) FROM pae.eventos")
pend=$(q r2 -c "SELECT pendientes FROM pae.relay_estado()")
((pend >= 1)) || fallo "with the worker stopped an event should be pending (pendientes = $pend)"
kill -KILL "$pid"
for ((i = 0; i < 600; i++)); do
    sleep 0.1
    q postgres -c "SELECT 1" >/dev/null 2>&1 && grep -q 'all server processes terminated; reinitializing' "$PAE_TMP/server.log" && break
done
grep -q 'all server processes terminated; reinitializing' "$PAE_TMP/server.log" || fallo "the cluster did not restart after the crash"
esperar_anunciado r2 "$esperado"
echo "5. after a crash with $pend event(s) pending, the launcher announced up to id $esperado with no new commit"
echo "eventos_relay_recuperacion: ok"

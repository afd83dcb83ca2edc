#!/usr/bin/env bash
# Scenario: pg_dump / pg_restore keeps every row of pae_cauca.
#
# A database with the demo data (every visit state, answers, evidence,
# history, events and alerts, made through the state machine) is dumped (-Fc) and restored into a new database the documented way:
#   PGOPTIONS='-c session_replication_role=replica' pg_restore --single-transaction
# (the extension's rule triggers must not re-judge historic rows while they
# are loaded).  Then every table of schema pae must hold exactly the same
# rows, the sequences must continue past the restored ids, and the rules
# must be enforced again in the restored database.
#
# Runs against the cluster of tools/test.sh (PGHOST, PGPORT, PGUSER set).
set -euo pipefail
cd "$(dirname "$0")/../.."

origen=pae_dump_origen
destino=pae_dump_destino
dump=$(mktemp)
trap 'rm -f "$dump"; dropdb --if-exists "$origen" >/dev/null 2>&1 || true; dropdb --if-exists "$destino" >/dev/null 2>&1 || true' EXIT

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

dropdb --if-exists "$origen" >/dev/null 2>&1 || true
dropdb --if-exists "$destino" >/dev/null 2>&1 || true
createdb "$origen"
psql_q -d "$origen" -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pae_cauca CASCADE'
psql_q -d "$origen" -f tools/demo_datos.sql >/dev/null
psql_q -At -d "$origen" -c "SELECT 'origen: ' || string_agg(estado || '=' || n, ' ' ORDER BY estado) FROM (SELECT estado, count(*) n FROM pae.visitas GROUP BY 1) x"

# the event relay (pae_cauca preloaded) moves pae.relay_cursor after commit:
# let it catch up, so that the dump and the original hold the same row
if [[ $(psql_q -At -d "$origen" -c "SELECT to_regprocedure('pae.relay_estado()') IS NOT NULL") == t ]]; then
    for ((i = 0; i < 600; i++)); do
        [[ $(psql_q -At -d "$origen" -c "SELECT e.pendientes = 0 AND coalesce(cardinality(c.anunciados), 0) = 0
                                            FROM pae.relay_estado() e LEFT JOIN pae.relay_cursor c ON true") == t ]] && break
        sleep 0.1
    done
fi
pg_dump -Fc -f "$dump" "$origen"
createdb "$destino"
PGOPTIONS='-c session_replication_role=replica' pg_restore --single-transaction --exit-on-error -d "$destino" "$dump"

huellas() { # one line per table of schema pae: name, rows, md5 of the rows in a stable order
    psql_q -At -d "$1" <<'SQL'
DO $$
DECLARE t record; n bigint; h text;
BEGIN
  CREATE TEMP TABLE huellas (tabla text, filas bigint, md5 text);
  FOR t IN SELECT c.oid::regclass AS rel FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
            WHERE s.nspname = 'pae' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  LOOP
    EXECUTE format('SELECT count(*), md5(string_agg(x::text, E''\n'' ORDER BY x::text)) FROM %s x', t.rel)
       INTO n, h;
    INSERT INTO huellas VALUES (t.rel::text, n, h);
  END LOOP;
END $$;
SELECT tabla || ' ' || filas || ' ' || coalesce(md5, '-') FROM huellas ORDER BY tabla;
SQL
}

a=$(huellas "$origen")
b=$(huellas "$destino")
if [[ "$a" != "$b" ]]; then
    echo "dump_restore: the restored database differs from the original:"
    diff <(echo "$a") <(echo "$b") || true
    exit 1
fi
filas=$(echo "$a" | awk '{s += $2} END {print s}')
echo "dump_restore: $(echo "$a" | wc -l) tables, $filas rows identical after pg_dump/pg_restore"

# the restored database enforces the rules again and its sequences go on
psql_q -At -d "$destino" <<'SQL' >/dev/null
DO $$
DECLARE estado text;
BEGIN
  BEGIN
    INSERT INTO pae.visitas (sede, contrato, visitador, fecha_visita)
    SELECT '999999999999', c.numero, u.id, '2025-06-02 08:00-05'
      FROM pae.contratos c, pae.usuarios u WHERE u.rol = 'visitador' LIMIT 1;
    RAISE EXCEPTION 'a visit to an unknown sede was accepted after restore';
  EXCEPTION WHEN SQLSTATE 'PV004' THEN NULL;
  END;
  IF (SELECT max(id) FROM pae.transiciones) >= nextval('pae.transiciones_id_seq') THEN
    RAISE EXCEPTION 'pae.transiciones_id_seq was not restored';
  END IF;
  IF (SELECT count(*) FROM pae.visitas_default) <> 0 THEN
    RAISE EXCEPTION 'rows landed in the default partition';
  END IF;
END $$;
SQL
echo "dump_restore: rules enforced and sequences continue in the restored database"

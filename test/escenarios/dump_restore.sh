#!/usr/bin/env bash
# Scenario: pg_dump / pg_restore keeps every row of pae_cauca.
#
# A database where every table of schema pae holds rows -- visits in every
# state over several months with answers, evidence, history, events and
# alerts made through the state machine, a sync batch, login attempts, the
# JWT secret, a user-added checklist item, a sealed audit trail and an
# archived (detached) audit month -- is dumped (-Fc) and restored into a new
# database the documented way:
#   PGOPTIONS='-c session_replication_role=replica' pg_restore --single-transaction
# (the extension's rule triggers must not re-judge historic rows while they
# are loaded).  Then every table of schema pae (the extension's data tables,
# the shipped reference data, the audit trail and its seals, the detached
# month) must hold exactly the same rows (count and md5 of the rows), every
# sequence the same value, pae.verificar_auditoria() must be clean on both
# sides, the sequences must continue past the restored ids, and the rules
# (visit validation, the append-only trail, the audit of new changes) must be
# enforced again in the restored database.
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
psql_q -d "$origen" >/dev/null <<'SQL'
SET client_min_messages = warning;
\i test/fixtures/visitas_y_personas.sql
\i test/fixtures/intentar.sql
\i test/fixtures/sincronizar.sql
-- visits in every state, over three months
SELECT pg_temp.nueva_visita(('00000000-0000-4000-8000-0000000000a' || n)::uuid,
                            p_fecha => ('2026-0' || (n % 3 + 4) || '-1' || n || ' 08:00-05')::timestamptz)
  FROM generate_series(0, 7) n;
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a1', 'en_curso');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a2', 'cerrada');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a3', 'aprobada');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a4', 'devuelta');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a5', 'cancelada');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a6', 'cerrada');
-- a check-in outside the fence (an alert), by the visitador, as PostgREST
SELECT pg_temp.nueva_visita('00000000-0000-4000-8000-0000000000c1', '119001900103', '2026-06-20 08:00-05');
SELECT pg_temp.como('visitador');
SELECT pae.transicion('00000000-0000-4000-8000-0000000000c1', 'en_curso', NULL, 2.4443, -76.6128, 5);
-- a sync batch (pae.sincronizaciones, a 'sincronizacion' event)
SELECT pg_temp.sinc('visitador', pg_temp.lote(pg_temp.item('00000000-0000-4000-8000-0000000000b1', 'cerrada', '2026-05-25 08:00-05')));
SELECT pg_temp.como(NULL, NULL);
-- a user-added checklist item (dumped: only the shipped ones come back with CREATE EXTENSION)
INSERT INTO pae.checklist_items (codigo, categoria, texto, obligatorio, peso)
SELECT 'LOC-01', categoria, 'Ítem agregado por el departamento', false, 1 FROM pae.checklist_items LIMIT 1;
-- the JWT secret and login attempts
SELECT pae.fijar_secreto_jwt('secreto-del-respaldo-con-mas-de-32-bytes');
SELECT pg_temp.como('pae_anon', NULL);
SELECT pae_api.login('vis1@prueba.gov.co', 'clave-equivocada');
SELECT pae_api.login('vis1@prueba.gov.co', 'clave-larga-1');
SELECT pg_temp.como(NULL, NULL);
-- the trail sealed, and last month's partition archived (detached: it
-- stays in the database as a plain table until it is backed up and dropped)
SELECT pae.crear_particion_mes('pae.auditoria', (date_trunc('month', now() AT TIME ZONE 'America/Bogota') - interval '1 month')::date);
SELECT pae.sellar_auditoria();
SELECT pae.archivar_auditoria(date_trunc('month', now() AT TIME ZONE 'America/Bogota')::date);
SQL
psql_q -At -d "$origen" -c "SELECT 'origen: ' || string_agg(estado || '=' || n, ' ' ORDER BY estado) FROM (SELECT estado, count(*) n FROM pae.visitas GROUP BY 1) x"
# every state, every table of the product filled, an archived month
vacias=$(psql_q -At -d "$origen" 2>&1 <<'SQL'
SELECT 'state ' || e FROM unnest(enum_range(NULL::pae.estado_visita)) e
 WHERE NOT EXISTS (SELECT 1 FROM pae.visitas v WHERE v.estado = e);
SELECT 'no archived audit month' WHERE NOT EXISTS (SELECT 1 FROM pae.auditoria_archivos);
DO $$
DECLARE t text; n bigint;
BEGIN
  FOREACH t IN ARRAY ARRAY['municipios', 'instituciones', 'sedes', 'operadores', 'contratos', 'contrato_sedes',
      'usuarios', 'usuario_municipios', 'checklist_items', 'visitas_id', 'visitas', 'visitas_dia', 'visitas_checkin',
      'visita_respuestas', 'evidencias', 'transiciones', 'alertas', 'eventos', 'auditoria', 'auditoria_sellos',
      'auditoria_archivos', 'sincronizaciones', 'secreto_jwt', 'intentos_login'] LOOP
    EXECUTE format('SELECT count(*) FROM pae.%I', t) INTO n;
    IF n = 0 THEN RAISE NOTICE 'vacia %', t; END IF;
  END LOOP;
END $$;
SQL
)
vacias+=$(psql_q -At -d "$origen" -c "SELECT 'verificar_auditoria before the dump: ' || count(*) FROM pae.verificar_auditoria() HAVING count(*) > 0")
if [[ -n $vacias ]]; then
    echo "dump_restore: the database to dump is not populated as it should be: $vacias"
    exit 1
fi

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

huellas() { # one line per table of schema pae: name, rows, md5 of the rows in a stable order;
            # one per sequence of pae: its value; the audit check
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
  FOR t IN SELECT c.oid::regclass AS rel FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
            WHERE s.nspname = 'pae' AND c.relkind = 'S'
  LOOP
    EXECUTE format('SELECT last_value, is_called::text FROM %s', t.rel) INTO n, h;
    INSERT INTO huellas VALUES ('secuencia ' || t.rel::text, n, h);
  END LOOP;
  INSERT INTO huellas SELECT 'verificar_auditoria', count(*), string_agg(tipo, ',') FROM pae.verificar_auditoria();
END $$;
SELECT tabla || ' ' || filas || ' ' || coalesce(md5, '-') FROM huellas ORDER BY tabla;
SQL
}

# Two tables are left out of dumps on purpose (sql/1.1/80-login.sql): the
# JWT secret (an administrator sets it again after a restore) and the login
# attempts (short-lived security state).  They must come back empty; every
# other table must come back identical.
fuera='^(pae\.secreto_jwt|pae\.intentos_login|secuencia pae\.intentos_login_id_seq) '
a_todo=$(huellas "$origen")
b_todo=$(huellas "$destino")
a=$(grep -v -E "$fuera" <<<"$a_todo")
b=$(grep -v -E "$fuera" <<<"$b_todo")
if [[ $(grep -E "$fuera" <<<"$b_todo" | awk '$1 ~ /^pae/ {print $1, $2}' | tr '\n' ' ') != 'pae.intentos_login 0 pae.secreto_jwt 0 ' ]]; then
    echo "dump_restore: the JWT secret or the login attempts were restored (they must never be in a dump):"
    grep -E "$fuera" <<<"$b_todo"
    exit 1
fi
if [[ "$a" != "$b" ]]; then
    echo "dump_restore: the restored database differs from the original:"
    diff <(echo "$a") <(echo "$b") || true
    exit 1
fi
filas=$(grep -v -E '^(secuencia|verificar_auditoria) ' <<<"$a" | awk '{s += $2} END {print s}')
if ! grep -q '^verificar_auditoria 0 -$' <<<"$b" || ! grep -q '^pae.auditoria_p[0-9_]* [0-9]' <<<"$b"; then
    echo "dump_restore: the restored audit trail does not verify, or the archived month is missing:"
    grep -E '^(verificar_auditoria|pae.auditoria)' <<<"$b"
    exit 1
fi
echo "dump_restore: $(grep -c -v -E '^(secuencia|verificar_auditoria) ' <<<"$a") tables (the archived audit month among them), $filas rows and $(grep -c '^secuencia ' <<<"$a") sequences identical after pg_dump/pg_restore; the audit trail verifies"

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
  -- a cerrada visit is frozen, an aprobada one final
  BEGIN
    UPDATE pae.visitas SET observaciones = 'cambiada tras restaurar' WHERE id = '00000000-0000-4000-8000-0000000000a3';
    RAISE EXCEPTION 'an aprobada visit was changed after restore';
  EXCEPTION WHEN SQLSTATE 'PV002' THEN NULL;
  END;
  -- the trail is append-only again
  BEGIN
    DELETE FROM pae.auditoria WHERE id = (SELECT min(id) FROM pae.auditoria);
    RAISE EXCEPTION 'an audit row was deleted after restore';
  EXCEPTION WHEN SQLSTATE 'PV009' THEN NULL;
  END;
END $$;
-- a change after the restore is audited, sealed and verified
CREATE TEMP TABLE antes AS SELECT count(*) AS n FROM pae.auditoria;
UPDATE pae.sedes SET nombre = nombre || ' (restaurada)' WHERE codigo = '119001900101';
SELECT pae.sellar_auditoria();
DO $$
BEGIN
  IF (SELECT count(*) FROM pae.auditoria) <> (SELECT n + 1 FROM antes) THEN
    RAISE EXCEPTION 'a change after restore was not audited';
  END IF;
  IF EXISTS (SELECT 1 FROM pae.verificar_auditoria()) THEN
    RAISE EXCEPTION 'the trail does not verify after restore and a new seal';
  END IF;
END $$;
SQL
echo "dump_restore: rules enforced (validation, frozen visits, append-only trail), new changes audited and sealed, sequences continue in the restored database"

#!/usr/bin/env bash
# Scenario: every released version reaches the current one by
# ALTER EXTENSION pae_cauca UPDATE, and the upgraded catalog equals a fresh
# install of the current version.
#
# 1. A database gets CREATE EXTENSION pae_cauca VERSION '1.0' and data made
#    under 1.0 through its state machine (test/fixtures/visitas_y_personas.sql:
#    visits in every state, answers, evidence, history, alerts, audit).
# 2. ALTER EXTENSION pae_cauca UPDATE.
# 3. Another database gets a fresh CREATE EXTENSION pae_cauca (default_version).
# 4. The catalogs are compared line by line (test/escenarios/catalogo.sql:
#    every member object, definitions, COMMENTs, privileges, policies,
#    triggers, sequences, config-dump registrations).
#    The same by pg_dump: a schema-only dump of both in binary-upgrade mode
#    (every member object, with privileges), normalized, line by line.
# 5. The 1.0 data survived (same rows in every table of schema pae, bar
#    the audit rows the upgrade itself is not allowed to write) and obeys the
#    rules of the new version.
#
# Runs against the cluster of tools/test.sh (PGHOST, PGPORT, PGUSER set).
set -euo pipefail
cd "$(dirname "$0")/../.."

actual=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" pae_cauca.control)
viejo=pae_upg_viejo
nuevo=pae_upg_nuevo
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --if-exists "$viejo" >/dev/null 2>&1 || true; dropdb --if-exists "$nuevo" >/dev/null 2>&1 || true' EXIT

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

conteos() { # rows of every table of schema pae, and a fingerprint of the visits
    psql_q -At -d "$1" <<'SQL'
DO $$
DECLARE t record; n bigint;
BEGIN
  CREATE TEMP TABLE conteos (tabla text, filas bigint);
  FOR t IN SELECT c.oid::regclass AS rel FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
            WHERE s.nspname = 'pae' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  LOOP
    EXECUTE format('SELECT count(*) FROM %s', t.rel) INTO n;
    INSERT INTO conteos VALUES (t.rel::text, n);
  END LOOP;
END $$;
SELECT tabla || ' ' || filas FROM conteos ORDER BY tabla;
SELECT 'visitas ' || md5(string_agg(id::text || estado::text || version::text || coalesce(distancia_m::text, ''), ',' ORDER BY id)) FROM pae.visitas;
SQL
}

for db in "$viejo" "$nuevo"; do dropdb --if-exists "$db" >/dev/null 2>&1 || true; createdb "$db"; done

# the path from every released version: today only 1.0
psql_q -d "$viejo" -c 'SET client_min_messages = warning' -c "CREATE EXTENSION pae_cauca VERSION '1.0' CASCADE"
psql_q -d "$viejo" >/dev/null <<'SQL'
\i test/fixtures/visitas_y_personas.sql
SELECT pg_temp.nueva_visita(('00000000-0000-4000-8000-0000000000a' || n)::uuid, p_fecha => ('2026-06-1' || n || ' 08:00-05')::timestamptz)
  FROM generate_series(0, 5) n;
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a1', 'en_curso');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a2', 'cerrada');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a3', 'aprobada');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a4', 'devuelta');
SELECT pg_temp.llevar('00000000-0000-4000-8000-0000000000a5', 'cancelada');
SELECT pae.sellar_auditoria();
SQL
antes=$(conteos "$viejo")
psql_q -d "$viejo" -c 'ALTER EXTENSION pae_cauca UPDATE'
version=$(psql_q -At -d "$viejo" -c "SELECT extversion FROM pg_extension WHERE extname = 'pae_cauca'")
if [[ $version != "$actual" ]]; then
    echo "actualizacion: ALTER EXTENSION UPDATE left version $version, expected $actual"
    exit 1
fi
# tables the upgrade adds are compared only for being empty (they hold no 1.0 data),
# bar the reports' rollup (pae.resumen_*): the upgrade builds it from the 1.0
# visits, so the reports must equal a raw GROUP BY of them
despues_todo=$(conteos "$viejo")
despues=$(awk 'NR == FNR { k[$1]; next } $1 in k' <(echo "$antes") <(echo "$despues_todo"))
nuevas=$(awk 'NR == FNR { k[$1]; next } !($1 in k) && $2 != "0" && $1 !~ /^pae\.resumen_/' <(echo "$antes") <(echo "$despues_todo"))
if [[ -n $nuevas ]]; then
    echo "actualizacion: tables added by the upgrade are not empty: $nuevas"
    exit 1
fi
reportes=$(psql_q -At -d "$viejo" <<'SQL'
CREATE TEMP VIEW verdad AS
SELECT date_trunc('month', v.fecha_visita AT TIME ZONE 'America/Bogota')::date AS mes, s.municipio, m.nombre,
       o.nit, o.nombre AS operador_nombre, v.contrato, count(*) AS programadas,
       count(*) FILTER (WHERE v.estado IN ('cerrada', 'aprobada', 'devuelta')) AS realizadas,
       count(*) FILTER (WHERE v.estado = 'aprobada') AS aprobadas, count(*) FILTER (WHERE v.estado = 'devuelta') AS devueltas,
       count(*) FILTER (WHERE v.estado = 'cancelada') AS canceladas, count(*) FILTER (WHERE NOT v.dentro_geocerca) AS fuera,
       coalesce(sum(v.raciones_programadas), 0) AS rp, coalesce(sum(v.raciones_entregadas), 0) AS re
  FROM pae.visitas v JOIN pae.sedes s ON s.codigo = v.sede JOIN pae.municipios m ON m.codigo = s.municipio
  JOIN pae.contratos c ON c.numero = v.contrato JOIN pae.operadores o ON o.nit = c.operador
 GROUP BY 1, 2, 3, 4, 5, 6;
CREATE TEMP VIEW verdad_cumplimiento AS
SELECT date_trunc('month', v.fecha_visita AT TIME ZONE 'America/Bogota')::date AS mes, c.operador,
       count(r.item) FILTER (WHERE r.valor IN ('cumple', 'no_cumple')) AS evaluados, count(r.item) FILTER (WHERE r.valor = 'cumple') AS cumplen
  FROM pae.visitas v JOIN pae.contratos c ON c.numero = v.contrato LEFT JOIN pae.visita_respuestas r ON r.visita = v.id
 WHERE v.estado IN ('cerrada', 'aprobada', 'devuelta') GROUP BY 1, 2;
SELECT 'filas ' || (SELECT count(*) FROM pae_reportes.visitas_mensual) || ' ' || (SELECT count(*) FROM verdad)
       || ' diferencias ' || (SELECT count(*) FROM ((SELECT * FROM pae_reportes.visitas_mensual EXCEPT ALL SELECT * FROM verdad)
                                                  UNION ALL (SELECT * FROM verdad EXCEPT ALL SELECT * FROM pae_reportes.visitas_mensual)) x)
       || ' ' || (SELECT count(*) FROM ((SELECT mes, operador, items_evaluados, items_cumplen FROM pae_reportes.cumplimiento_operador EXCEPT ALL SELECT * FROM verdad_cumplimiento)
                                        UNION ALL (SELECT * FROM verdad_cumplimiento EXCEPT ALL SELECT mes, operador, items_evaluados, items_cumplen FROM pae_reportes.cumplimiento_operador)) x);
SQL
)
if [[ ! $reportes =~ ^filas\ ([1-9][0-9]*)\ \1\ diferencias\ 0\ 0$ ]]; then
    echo "actualizacion: the reports built by the upgrade do not equal the 1.0 visits: $reportes"
    exit 1
fi

psql_q -d "$nuevo" -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pae_cauca CASCADE'

psql_q -d "$viejo" -f test/escenarios/catalogo.sql >"$tmp/actualizada.txt"
psql_q -d "$nuevo" -f test/escenarios/catalogo.sql >"$tmp/nueva.txt"
if ! diff -u "$tmp/nueva.txt" "$tmp/actualizada.txt" >"$tmp/diff.txt"; then
    echo "actualizacion: the catalog after 1.0 -> $actual differs from a fresh $actual install (- fresh, + upgraded):"
    head -n 80 "$tmp/diff.txt"
    exit 1
fi
# The same comparison by pg_dump itself: a schema-only dump in binary-upgrade
# mode (the mode pg_upgrade uses) writes out every member object of the
# extension, with its privileges and initial privileges, where a plain dump
# writes only CREATE EXTENSION.  Normalized: OIDs, relfilenodes, frozen xids,
# the dump's \restrict key, the order of the required extensions and the
# instant stored as the missing value of a column added with DEFAULT now()
# and the sequences' values (data: the upgraded database holds 1.0's rows);
# the monthly partitions the data created at run time are left out (they are
# not part of the extension).
esquema() { # $1 database
    pg_dump --schema-only --binary-upgrade -T 'pae.visitas_p[0-9]*' -T 'pae.auditoria_p[0-9]*' -d "$1" |
        grep -v -E 'binary_upgrade_set_next_|^\\(un)?restrict |relfrozenxid|^WHERE oid = |^-- Dependencies:' |
        perl -pe "s/'\{[0-9,]+\}'/'{oids}'/g;
                  s/ARRAY\[('[a-z_]+'(?:,'[a-z_]+')*)\]/'ARRAY[' . join(',', sort split(m{,}, \$1)) . ']'/ge;
                  s/(pg_catalog\.setval\('[a-z_.]+'), [0-9]+, (true|false)\)/\$1, valor)/;
                  s/(binary_upgrade_set_missing_value\(.*,)'\{\"[0-9: .+-]+\"\}'\)/\$1'{instante}')/"
}
esquema "$nuevo" >"$tmp/nueva_dump.sql"
esquema "$viejo" >"$tmp/actualizada_dump.sql"
if ! diff -u "$tmp/nueva_dump.sql" "$tmp/actualizada_dump.sql" >"$tmp/diff_dump.txt"; then
    echo "actualizacion: pg_dump --schema-only --binary-upgrade differs after 1.0 -> $actual from a fresh install (- fresh, + upgraded):"
    head -n 80 "$tmp/diff_dump.txt"
    exit 1
fi
miembros_dump=$(grep -c '^ALTER EXTENSION pae_cauca ADD ' "$tmp/nueva_dump.sql" || true)
miembros_cat=$(psql_q -At -d "$nuevo" -c "SELECT count(*) FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
    WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'pae_cauca' AND d.deptype = 'e'")
if ((miembros_dump == 0 || miembros_dump != miembros_cat)); then
    echo "actualizacion: the binary-upgrade dump adds $miembros_dump objects to pae_cauca, the catalog has $miembros_cat members"
    exit 1
fi
if [[ $antes != "$despues" ]]; then
    echo "actualizacion: the upgrade changed the data written under 1.0:"
    diff <(echo "$antes") <(echo "$despues") || true
    exit 1
fi

# the 1.0 data obeys the new version's rules
salida=$(psql_q -At -d "$viejo" 2>&1 <<'SQL'
\set ON_ERROR_STOP 0
DELETE FROM pae.visitas WHERE id = '00000000-0000-4000-8000-0000000000a1';
\set ON_ERROR_STOP 1
SELECT 'verificar ' || count(*) FROM pae.verificar_auditoria();
SELECT 'estado ' || estado FROM pae.visitas WHERE id = '00000000-0000-4000-8000-0000000000a1';
SQL
) || true
if ! grep -q 'no se puede borrar la visita' <<<"$salida" || ! grep -q 'verificar 0' <<<"$salida" ||
   ! grep -q 'estado en_curso' <<<"$salida"; then
    echo "actualizacion: rules or audit after the upgrade are not as expected:"
    echo "$salida"
    exit 1
fi
echo "actualizacion: 1.0 -> $actual by ALTER EXTENSION UPDATE: $(wc -l <"$tmp/nueva.txt") catalog lines identical to a fresh install"
echo "actualizacion: pg_dump --schema-only --binary-upgrade of both: $(wc -l <"$tmp/nueva_dump.sql") lines ($miembros_dump member objects) identical"
echo "actualizacion: $(echo "$antes" | awk '{s += $2} END {print s}') rows written under 1.0 kept; rules enforced, audit verifies"

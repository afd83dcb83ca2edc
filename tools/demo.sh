#!/usr/bin/env bash
# tools/demo.sh -- pae_cauca demo on a throwaway local cluster.
#
#   tools/demo.sh            (also: make demo)
#
# Installs missing system packages (as root; otherwise says what to run),
# builds the extension and installs it into a private copy of the
# PostgreSQL tree, starts a private cluster on a unix socket in a temp dir,
# runs CREATE EXTENSION pae_cauca CASCADE, loads tools/demo_datos.sql
# (deterministic demo data: ~300 sedes in the 42 municipios, contracts,
# staff, ~600 visits of 2025, half of them checked in) and prints what a
# coordinator looks at.  The cluster and the temp dir are removed at the end.
# Set PAE_DEMO_KEEP=1 to keep the cluster up until you press Enter (the
# script prints how to connect to it with psql).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=tools/pgenv.sh
. tools/pgenv.sh

pae_ensure_packages || exit 1
pae_build_install || exit 1
pae_cluster_start || exit 1

export PGDATABASE=pae_demo PGTZ=America/Bogota
createdb pae_demo

psql_demo() { psql -X -q -v ON_ERROR_STOP=1 -P pager=off -P footer=off "$@"; }

pae_log "CREATE EXTENSION pae_cauca CASCADE"
psql_demo -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pae_cauca CASCADE' ||
    { pae_err "CREATE EXTENSION pae_cauca CASCADE failed"; exit 1; }
pae_log "loading tools/demo_datos.sql"
psql_demo -P footer=on -f tools/demo_datos.sql ||
    { pae_err "loading the demo data (tools/demo_datos.sql) failed"; exit 1; }

psql_demo <<'SQL' || { pae_err "a demo report failed"; exit 1; }
\echo
\echo '================================================================'
\echo ' Municipios del Cauca cargados (pae.municipios) y sus sedes'
\echo '================================================================'
SELECT m.codigo, m.nombre,
       round(ST_Y(m.ubicacion::geometry)::numeric, 4) AS lat,
       round(ST_X(m.ubicacion::geometry)::numeric, 4) AS lon,
       count(s.codigo) AS sedes,
       coalesce(sum(s.matricula), 0) AS matricula
  FROM pae.municipios m
  LEFT JOIN pae.sedes s ON s.municipio = m.codigo
 GROUP BY m.codigo, m.nombre, m.ubicacion
 ORDER BY m.codigo;
SELECT count(*) AS total_municipios FROM pae.municipios;

\echo
\echo '================================================================'
\echo ' Lista de chequeo del acta de visita, por categoría'
\echo '================================================================'
SELECT categoria,
       count(*) AS items,
       count(*) FILTER (WHERE obligatorio) AS obligatorios,
       sum(peso) AS peso_total,
       string_agg(codigo, ' ' ORDER BY orden, codigo) AS codigos
  FROM pae.checklist_items
 GROUP BY categoria
 ORDER BY min(orden), categoria;

\echo
\echo '================================================================'
\echo ' Visitas por municipio y estado (2025)'
\echo '================================================================'
SELECT m.nombre AS municipio,
       count(*) AS total,
       count(*) FILTER (WHERE v.estado = 'programada') AS programada,
       count(*) FILTER (WHERE v.estado = 'en_curso')   AS en_curso,
       count(*) FILTER (WHERE v.estado = 'cerrada')    AS cerrada,
       count(*) FILTER (WHERE v.estado = 'aprobada')   AS aprobada,
       count(*) FILTER (WHERE v.estado = 'devuelta')   AS devuelta,
       count(*) FILTER (WHERE v.estado = 'cancelada')  AS cancelada,
       count(*) FILTER (WHERE v.dentro_geocerca = false) AS fuera_geocerca
  FROM pae.visitas v
  JOIN pae.sedes s ON s.codigo = v.sede
  JOIN pae.municipios m ON m.codigo = s.municipio
 GROUP BY ROLLUP (m.nombre)
 ORDER BY m.nombre NULLS LAST;

\echo
\echo '================================================================'
\echo ' Visitas por mes y estado'
\echo '================================================================'
SELECT to_char(date_trunc('month', v.fecha_visita), 'YYYY-MM') AS mes,
       count(*) AS total,
       count(*) FILTER (WHERE v.estado = 'programada') AS programada,
       count(*) FILTER (WHERE v.estado = 'en_curso')   AS en_curso,
       count(*) FILTER (WHERE v.dentro_geocerca = false) AS fuera_geocerca
  FROM pae.visitas v
 GROUP BY 1
 ORDER BY 1;

\echo
\echo '================================================================'
\echo ' Check-ins fuera de la geocerca (distancia a la sede)'
\echo '================================================================'
SELECT to_char(v.fecha_visita, 'YYYY-MM-DD HH24:MI') AS fecha,
       m.nombre AS municipio,
       v.sede,
       left(s.nombre, 48) AS sede_nombre,
       u.nombre AS visitador,
       round(v.distancia_m::numeric) AS distancia_m,
       s.radio_geocerca_m AS radio_m,
       v.checkin_precision_m AS precision_m
  FROM pae.visitas v
  JOIN pae.sedes s ON s.codigo = v.sede
  JOIN pae.municipios m ON m.codigo = s.municipio
  JOIN pae.usuarios u ON u.id = v.visitador
 WHERE v.dentro_geocerca = false
 ORDER BY v.distancia_m DESC;
SELECT count(*) FILTER (WHERE dentro_geocerca) AS checkins_dentro,
       count(*) FILTER (WHERE NOT dentro_geocerca) AS checkins_fuera,
       round(max(distancia_m) FILTER (WHERE dentro_geocerca)::numeric, 1) AS max_dist_dentro_m,
       round(min(distancia_m) FILTER (WHERE NOT dentro_geocerca)::numeric, 1) AS min_dist_fuera_m
  FROM pae.visitas
 WHERE checkin_en IS NOT NULL;

\echo
\echo '================================================================'
\echo ' Alertas por tipo'
\echo '================================================================'
SELECT a.tipo, count(*) AS alertas,
       count(*) FILTER (WHERE a.cerrada_en IS NULL) AS abiertas
  FROM pae.alertas a
 GROUP BY a.tipo
 ORDER BY a.tipo;

\echo
\echo '================================================================'
\echo ' Cumplimiento de la lista de chequeo por operador (visitas realizadas)'
\echo '================================================================'
SELECT o.nombre AS operador,
       count(DISTINCT v.id) AS visitas_realizadas,
       count(*) FILTER (WHERE r.valor IN ('cumple', 'no_cumple')) AS items_evaluados,
       count(*) FILTER (WHERE r.valor = 'cumple') AS items_cumplen,
       round(100.0 * count(*) FILTER (WHERE r.valor = 'cumple')
             / nullif(count(*) FILTER (WHERE r.valor IN ('cumple', 'no_cumple')), 0), 1) AS cumplimiento_pct,
       sum(v.raciones_entregadas) FILTER (WHERE r.item = 'RAC-01') AS raciones_entregadas,
       sum(v.raciones_programadas) FILTER (WHERE r.item = 'RAC-01') AS raciones_programadas
  FROM pae.visita_respuestas r
  JOIN pae.visitas v ON v.id = r.visita
  JOIN pae.contratos c ON c.numero = v.contrato
  JOIN pae.operadores o ON o.nit = c.operador
 WHERE v.estado IN ('cerrada', 'aprobada', 'devuelta')
 GROUP BY o.nombre
 ORDER BY o.nombre;

\echo
\echo '================================================================'
\echo ' Pendientes de revisión del supervisor (cerradas) y devueltas'
\echo '================================================================'
SELECT m.nombre AS municipio,
       count(*) FILTER (WHERE v.estado = 'cerrada') AS por_revisar,
       count(*) FILTER (WHERE v.estado = 'devuelta') AS devueltas
  FROM pae.visitas v
  JOIN pae.sedes s ON s.codigo = v.sede
  JOIN pae.municipios m ON m.codigo = s.municipio
 WHERE v.estado IN ('cerrada', 'devuelta')
 GROUP BY m.nombre
 ORDER BY por_revisar DESC, m.nombre
 LIMIT 15;

\echo
\echo '================================================================'
\echo ' Visitadores: visitas asignadas y check-ins'
\echo '================================================================'
SELECT u.nombre AS visitador,
       (SELECT string_agg(um.municipio, ' ' ORDER BY um.municipio)
          FROM pae.usuario_municipios um WHERE um.usuario = u.id) AS municipios,
       count(v.id) AS visitas,
       count(v.checkin_en) AS con_checkin,
       count(*) FILTER (WHERE v.dentro_geocerca = false) AS fuera_geocerca
  FROM pae.usuarios u
  LEFT JOIN pae.visitas v ON v.visitador = u.id
 WHERE u.rol = 'visitador'
 GROUP BY u.id, u.nombre
 ORDER BY u.nombre;

SELECT to_regclass('pae_reportes.cobertura_sedes') IS NOT NULL AS hay_cobertura \gset
\if :hay_cobertura
\echo
\echo '================================================================'
\echo ' pae_reportes.cobertura_sedes (vista para BI)'
\echo '================================================================'
SELECT * FROM pae_reportes.cobertura_sedes ORDER BY 1, 2 LIMIT 30;
\endif
SQL

if [[ ${PAE_DEMO_KEEP:-0} == 1 && -t 0 ]]; then
    printf '\nThe demo cluster is still up. In another terminal:\n'
    printf '    PGHOST=%s PGPORT=%s PGUSER=%s %s/psql pae_demo\n' "$PGHOST" "$PGPORT" "$PGUSER" "$PAE_PGBIN"
    read -r -p 'Press Enter to stop it and clean up... ' _
fi
pae_log "demo finished; stopping the cluster and removing $PAE_TMP"

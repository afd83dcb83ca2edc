#!/usr/bin/env bash
# tools/demo.sh -- pae_cauca demo: a coordinator's monthly report, on a
# throwaway local cluster.
#
#   tools/demo.sh            (also: make demo)
#
# Installs missing system packages (as root; otherwise says what to run),
# builds the extension and installs it into a private copy of the
# PostgreSQL tree, starts a private cluster on a unix socket in a temp dir
# with pg_cron (and pae_cauca) preloaded, runs CREATE EXTENSION pae_cauca
# CASCADE and pg_cron, sets up the authenticator role and the JWT secret as
# for PostgREST, calls pae.programar_mantenimiento() when this version has
# it, loads tools/demo_datos.sql (deterministic demo data: ~300 sedes in
# the 42 municipios, contracts, staff, ~700 visits of 2025 moved through the
# state machine by the people themselves, every alert type) and prints, in
# Spanish, the report a coordinator reads: the last month with field work
# and the whole period, from the pae_reportes views as the read-only role
# pae_bi; then seals and verifies the audit trail, shows the pg_cron jobs
# and pae.salud() (when present) and ends with a short summary.
# The cluster and the temp dir are removed at the end.  Set PAE_DEMO_KEEP=1
# to keep the cluster up until you press Enter (the script prints how to
# connect to it with psql).
#
# Every line it prints is Spanish: the progress lines of tools/pgenv.sh
# (English, for developers) go to a log in the temp dir, shown on failure.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=tools/pgenv.sh
. tools/pgenv.sh

paso() { printf '==> %s\n' "$*"; }
falla() { printf 'pae_cauca: %s\n' "$*" >&2; }

# Runs a step of tools/pgenv.sh in this shell with its output in a log;
# on failure prints the Spanish message $1 and the end of the log.
en_silencio() {
    local mensaje=$1 log=$2
    shift 2
    if ! "$@" >>"$log" 2>&1; then
        falla "$mensaje"
        tail -n 40 "$log" >&2
        return 1
    fi
}

mapfile -t faltan < <(pae_missing_packages)
if ((${#faltan[@]} > 0)); then
    paso "Instalando los paquetes del sistema que faltan: ${faltan[*]}"
    registro_apt=$(mktemp /tmp/pae_demo_apt.XXXXXX)
    if ! pae_ensure_packages >"$registro_apt" 2>&1; then
        falla "no se pudieron instalar los paquetes del sistema: ${faltan[*]}"
        cat "$registro_apt" >&2
        rm -f "$registro_apt"
        exit 1
    fi
    rm -f "$registro_apt"
fi

pae_tree_prepare || exit 1
registro=$PAE_TMP/demo.log
paso "Compilando pae_cauca e instalándolo en una copia privada de PostgreSQL 15 ($PAE_TMP)"
en_silencio "la compilación o la instalación de pae_cauca falló" "$registro" pae_build_install || exit 1

demo_db=pae_demo
# pg_cron for the maintenance jobs; pae_cauca too, for what it runs in the
# server itself (the event relay of 1.1, when built in)
PAE_CLUSTER_CONF="shared_preload_libraries = 'pg_cron,pae_cauca'
cron.database_name = '$demo_db'
cron.use_background_workers = on
cron.timezone = 'America/Bogota'"
paso "Iniciando un servidor temporal (socket en $PAE_TMP) con pg_cron precargado"
en_silencio "el servidor temporal no arrancó" "$registro" pae_cluster_start || exit 1

export PGDATABASE=$demo_db PGTZ=America/Bogota
createdb "$demo_db"

psql_demo() { psql -X -q -v ON_ERROR_STOP=1 -P pager=off -P footer=off "$@"; }

paso "Creando la extensión pae_cauca (con PostGIS y pgcrypto) y pg_cron en la base $demo_db"
psql_demo -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pae_cauca CASCADE' >>"$registro" 2>&1 ||
    { falla "CREATE EXTENSION pae_cauca CASCADE falló"; tail -n 20 "$registro" >&2; exit 1; }
psql_demo -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS pg_cron' >>"$registro" 2>&1 ||
    { falla "CREATE EXTENSION pg_cron falló"; tail -n 20 "$registro" >&2; exit 1; }
paso "Configurando el acceso de PostgREST como en producción: rol authenticator y secreto JWT"
psql_demo >>"$registro" 2>&1 <<SQL || { falla "la configuración del rol authenticator o del secreto JWT falló"; tail -n 20 "$registro" >&2; exit 1; }
SET client_min_messages = warning;
CREATE ROLE authenticator LOGIN NOINHERIT;
GRANT pae_anon, pae_visitador, pae_supervisor, pae_coordinador, pae_admin, pae_bi TO authenticator;
ALTER DATABASE $demo_db SET pae.rol_autenticador = 'authenticator';
SELECT pae.fijar_secreto_jwt(encode(gen_random_bytes(32), 'hex'));
SQL
if [[ $(psql_demo -At -c "SELECT to_regclass('pae_reportes.visitas_mensual') IS NULL
                            OR to_regclass('pae_reportes.cobertura_sedes') IS NULL
                            OR to_regclass('pae_reportes.cumplimiento_operador') IS NULL
                            OR to_regclass('pae_reportes.alertas') IS NULL") == t ]]; then
    falla "esta versión de pae_cauca no trae las vistas de pae_reportes (visitas_mensual, cobertura_sedes," \
          "cumplimiento_operador, alertas) en las que se basa el informe"
    exit 1
fi

# scheduled before the data load, so that pg_cron may already have run
# something by the end of the report
if [[ $(psql_demo -At -c "SELECT to_regprocedure('pae.programar_mantenimiento()') IS NOT NULL") == t ]]; then
    paso "Programando el mantenimiento con pg_cron: pae.programar_mantenimiento()"
    psql_demo -c 'SET client_min_messages = warning' \
              -c 'DO $$ BEGIN PERFORM pae.programar_mantenimiento(); END $$' >>"$registro" 2>&1 ||
        { falla "pae.programar_mantenimiento() falló"; tail -n 20 "$registro" >&2; exit 1; }
else
    paso "Esta versión no trae pae.programar_mantenimiento(): no se programan tareas en pg_cron"
fi

paso "Cargando los datos de demostración (tools/demo_datos.sql): sedes, contratos, personal y visitas de 2025"
paso "    cada visita pasa por la máquina de estados como la haría cada persona; tarda alrededor de un minuto"
psql_demo -f tools/demo_datos.sql >>"$registro" 2>&1 ||
    { falla "la carga de los datos de demostración (tools/demo_datos.sql) falló"; tail -n 20 "$registro" >&2; exit 1; }
# what the daily job does (pg_cron runs it at night): the months ahead for
# visits, rollups and audit, and the rows that landed in a default partition
# moved into their month
paso "Mantenimiento de particiones, como lo hace la tarea diaria: pae.mantener_particiones()"
psql_demo -c 'SET client_min_messages = warning' -c 'SELECT pae.mantener_particiones()' >>"$registro" 2>&1 ||
    { falla "pae.mantener_particiones() falló"; tail -n 20 "$registro" >&2; exit 1; }
psql_demo -At <<'SQL'
SELECT '==> Datos cargados: ' || (SELECT count(*) FROM pae.municipios) || ' municipios, '
       || (SELECT count(*) FROM pae.sedes) || ' sedes de ' || (SELECT count(*) FROM pae.instituciones)
       || ' instituciones, ' || (SELECT count(*) FROM pae.contratos) || ' contratos, '
       || (SELECT count(*) FROM pae.usuarios) || ' personas, ' || (SELECT count(*) FROM pae.visitas)
       || ' visitas y ' || (SELECT count(*) FROM pae.alertas) || ' alertas';
SQL

psql_demo <<'SQL' || { falla "una consulta del informe falló"; exit 1; }
-- The report reads only pae_reportes, as the BI role does.
SET ROLE pae_bi;
\pset null ''

CREATE FUNCTION pg_temp.mes_es(d date) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT (ARRAY['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto',
                  'septiembre', 'octubre', 'noviembre', 'diciembre'])[extract(month FROM d)::int]
           || ' de ' || extract(year FROM d)
$$;
CREATE FUNCTION pg_temp.alerta_es(tipo text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE tipo
        WHEN 'fuera_geocerca'      THEN 'Check-in fuera de la geocerca de la sede'
        WHEN 'viaje_imposible'     THEN 'Viaje imposible entre dos check-ins'
        WHEN 'raciones_faltantes'  THEN 'Raciones entregadas por debajo del 90 %'
        WHEN 'duracion_sospechosa' THEN 'Visita de menos de 10 minutos'
        WHEN 'foto_reutilizada'    THEN 'La misma foto en otra visita'
        ELSE tipo END
$$;
CREATE FUNCTION pg_temp.pct(a numeric, b numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT round(100.0 * a / nullif(b, 0), 1)
$$;

-- the month of the report: the last one with field work done
SELECT max(mes) AS mes FROM pae_reportes.visitas_mensual WHERE realizadas > 0 \gset
SELECT pg_temp.mes_es(:'mes') AS mes_nombre,
       pg_temp.mes_es(min(mes)) AS desde, pg_temp.mes_es(max(mes)) AS hasta,
       to_char(now() AT TIME ZONE 'America/Bogota', 'YYYY-MM-DD "a las" HH24:MI') AS ahora
  FROM pae_reportes.visitas_mensual \gset

\echo
\echo '=========================================================================='
\echo ' Programa de Alimentación Escolar del Cauca'
\echo ' Informe mensual de la coordinación:' :mes_nombre
\echo '=========================================================================='
\echo ' Generado el' :ahora '(hora de Colombia) con las vistas pae_reportes,'
\echo ' las mismas que leen Metabase, Power BI o QGIS, con el rol de solo lectura pae_bi.'

\echo
\echo '1. Cobertura de sedes y visitas por municipio,' :mes_nombre
\echo '   Cobertura: sedes activas con al menos una visita realizada en el mes.'
\echo '   Realizadas: cerradas, aprobadas o devueltas. Por revisar: cerradas que el supervisor aún no revisa.'
WITH v AS (
    SELECT municipio_codigo, sum(programadas) AS programadas, sum(realizadas) AS realizadas,
           sum(aprobadas) AS aprobadas, sum(devueltas) AS devueltas, sum(canceladas) AS canceladas,
           sum(fuera_geocerca) AS fuera_geocerca
      FROM pae_reportes.visitas_mensual WHERE mes = :'mes' GROUP BY municipio_codigo
)
SELECT coalesce(c.municipio_nombre, 'Total Cauca') AS "Municipio",
       sum(c.sedes_activas) AS "Sedes activas",
       sum(c.sedes_visitadas) AS "Sedes visitadas",
       pg_temp.pct(sum(c.sedes_visitadas), sum(c.sedes_activas)) AS "Cobertura %",
       coalesce(sum(v.programadas), 0) AS "Programadas",
       coalesce(sum(v.realizadas), 0) AS "Realizadas",
       coalesce(sum(v.aprobadas), 0) AS "Aprobadas",
       coalesce(sum(v.realizadas - v.aprobadas - v.devueltas), 0) AS "Por revisar",
       coalesce(sum(v.devueltas), 0) AS "Devueltas",
       coalesce(sum(v.canceladas), 0) AS "Canceladas",
       coalesce(sum(v.fuera_geocerca), 0) AS "Fuera de geocerca"
  FROM pae_reportes.cobertura_sedes c
  LEFT JOIN v USING (municipio_codigo)
 WHERE c.mes = :'mes'
 GROUP BY GROUPING SETS ((c.municipio_nombre), ())
 ORDER BY grouping(c.municipio_nombre), c.municipio_nombre COLLATE "es-CO-x-icu";

\echo
\echo '2. Raciones por operador y contrato,' :mes_nombre
SELECT coalesce(operador_nombre, 'Total Cauca') AS "Operador",
       coalesce(contrato, '') AS "Contrato",
       sum(programadas) AS "Visitas programadas",
       sum(realizadas) AS "Visitas realizadas",
       sum(raciones_programadas) AS "Raciones programadas",
       sum(raciones_entregadas) AS "Raciones entregadas"
  FROM pae_reportes.visitas_mensual
 WHERE mes = :'mes'
 GROUP BY GROUPING SETS ((operador_nombre, contrato), ())
 ORDER BY grouping(operador_nombre), operador_nombre COLLATE "es-CO-x-icu", contrato;
\echo '   Raciones programadas: las de todas las visitas del mes; entregadas: las que constan en las visitas'
\echo '   realizadas (se registran al cerrar la visita). Las entregas por debajo del 90 % son alertas (sección 4).'

\echo
\echo '3. Cumplimiento de la lista de chequeo por operador,' :mes_nombre
\echo '   Sobre las respuestas de las visitas realizadas: ítems que cumplen entre los evaluados (sin los "no aplica").'
SELECT coalesce(operador_nombre, 'Total Cauca') AS "Operador",
       coalesce(operador, '') AS "NIT",
       sum(items_evaluados) AS "Ítems evaluados",
       sum(items_cumplen) AS "Ítems que cumplen",
       pg_temp.pct(sum(items_cumplen), sum(items_evaluados)) AS "Cumplimiento %"
  FROM pae_reportes.cumplimiento_operador
 WHERE mes = :'mes'
 GROUP BY GROUPING SETS ((operador_nombre, operador), ())
 ORDER BY grouping(operador_nombre), operador_nombre COLLATE "es-CO-x-icu";

\echo
\echo '4. Alertas abiertas por tipo'
SELECT CASE WHEN grouping(tipo) = 1 THEN 'Total Cauca' ELSE pg_temp.alerta_es(tipo) END AS "Alerta",
       coalesce(tipo, '') AS "Código",
       count(*) AS "Abiertas",
       count(*) FILTER (WHERE mes = :'mes') AS "Del mes",
       count(DISTINCT municipio_codigo) AS "Municipios",
       count(DISTINCT sede) AS "Sedes"
  FROM pae_reportes.alertas
 GROUP BY GROUPING SETS ((tipo), ())
 ORDER BY grouping(tipo), count(*) DESC, tipo;

\echo
\echo '5. Alertas abiertas por municipio y sede, visitas de' :mes_nombre
SELECT municipio_nombre AS "Municipio",
       sede_nombre AS "Sede",
       pg_temp.alerta_es(tipo) AS "Alerta",
       CASE tipo
           WHEN 'fuera_geocerca' THEN
               'check-in a ' || round((detalle->>'distancia_m')::numeric) || ' m de la sede'
           WHEN 'viaje_imposible' THEN
               round((detalle->>'distancia_m')::numeric / 1000) || ' km en '
               || round((detalle->>'horas')::numeric * 60) || ' minutos ('
               || coalesce(round((detalle->>'velocidad_kmh')::numeric) || ' km/h', 'sin tiempo') || ')'
           WHEN 'raciones_faltantes' THEN
               'entregó ' || (detalle->>'entregadas') || ' de ' || (detalle->>'programadas')
               || ' raciones (' || round((detalle->>'porcentaje')::numeric) || ' %)'
           WHEN 'duracion_sospechosa' THEN
               'duró ' || round((detalle->>'minutos')::numeric) || ' minutos'
           WHEN 'foto_reutilizada' THEN 'la misma huella SHA-256 está en otra visita'
           ELSE detalle::text END AS "Detalle"
  FROM pae_reportes.alertas
 WHERE mes = :'mes'
 ORDER BY municipio_nombre COLLATE "es-CO-x-icu", sede_nombre COLLATE "es-CO-x-icu", tipo;

\echo
\echo '6. Evolución del periodo, de' :desde 'a' :hasta
WITH v AS (
    SELECT mes, sum(programadas) AS programadas, sum(realizadas) AS realizadas,
           sum(aprobadas) AS aprobadas, sum(devueltas) AS devueltas, sum(canceladas) AS canceladas,
           sum(fuera_geocerca) AS fuera_geocerca
      FROM pae_reportes.visitas_mensual GROUP BY mes
), c AS (
    SELECT mes, sum(sedes_visitadas) AS visitadas, sum(sedes_activas) AS activas
      FROM pae_reportes.cobertura_sedes GROUP BY mes
), k AS (
    SELECT mes, sum(items_cumplen) AS cumplen, sum(items_evaluados) AS evaluados
      FROM pae_reportes.cumplimiento_operador GROUP BY mes
)
SELECT CASE WHEN grouping(v.mes) = 1 THEN 'Total Cauca' ELSE pg_temp.mes_es(v.mes) END AS "Mes",
       sum(v.programadas) AS "Programadas",
       sum(v.realizadas) AS "Realizadas",
       sum(v.aprobadas) AS "Aprobadas",
       sum(v.devueltas) AS "Devueltas",
       sum(v.canceladas) AS "Canceladas",
       sum(v.fuera_geocerca) AS "Fuera de geocerca",
       pg_temp.pct(sum(c.visitadas), sum(c.activas)) AS "Cobertura %",
       pg_temp.pct(sum(k.cumplen), sum(k.evaluados)) AS "Cumplimiento %"
  FROM v LEFT JOIN c USING (mes) LEFT JOIN k USING (mes)
 GROUP BY GROUPING SETS ((v.mes), ())
 ORDER BY grouping(v.mes), v.mes;
\echo '   En la fila Total Cauca, la cobertura es la media de los meses ponderada por sedes activas.'

\echo
\echo '7. Visitas del periodo por municipio, de' :desde 'a' :hasta
SELECT coalesce(municipio_nombre, 'Total Cauca') AS "Municipio",
       sum(programadas) AS "Programadas",
       sum(realizadas) AS "Realizadas",
       sum(aprobadas) AS "Aprobadas",
       sum(devueltas) AS "Devueltas",
       sum(canceladas) AS "Canceladas",
       sum(fuera_geocerca) AS "Fuera de geocerca",
       pg_temp.pct(sum(realizadas), sum(programadas)) AS "Realizadas %"
  FROM pae_reportes.visitas_mensual
 GROUP BY GROUPING SETS ((municipio_nombre), ())
 ORDER BY grouping(municipio_nombre), municipio_nombre COLLATE "es-CO-x-icu";
RESET ROLE;
SQL

psql_demo <<'SQL' || { falla "el sellado, la verificación o el mantenimiento falló"; exit 1; }
\pset null ''
\echo
\echo '8. Registro de auditoría: sellado y verificación'
SELECT pae.sellar_auditoria() AS sellado \gset
SELECT count(*) AS filas FROM pae.auditoria \gset
SELECT count(*) AS fallas FROM pae.verificar_auditoria() \gset
\echo '   pae.sellar_auditoria() selló' :sellado 'filas nuevas; el registro tiene' :filas 'filas en total.'
SELECT :fallas = 0 AS integra \gset
\if :integra
\echo '   pae.verificar_auditoria() no devolvió ninguna fila: la cadena de sellos está íntegra,'
\echo '   ninguna fila de auditoría fue cambiada, borrada ni reordenada.'
\else
\echo '   ATENCIÓN: pae.verificar_auditoria() encontró filas o sellos que no coinciden:'
SELECT tipo AS "Problema", auditoria_id AS "Fila", sello_id AS "Sello", detalle AS "Detalle"
  FROM pae.verificar_auditoria();
\endif

\echo
\echo '9. Mantenimiento programado en pg_cron'
SELECT to_regclass('cron.job') IS NOT NULL AS hay_cron \gset
\if :hay_cron
SELECT count(*) AS tareas FROM cron.job \gset
SELECT :tareas > 0 AS hay_tareas \gset
\if :hay_tareas
SELECT jobid AS "Tarea", jobname AS "Nombre", schedule AS "Programación (cron)",
       command AS "Orden", CASE WHEN active THEN 'sí' ELSE 'no' END AS "Activa"
  FROM cron.job ORDER BY jobid;
SELECT count(*) AS corridas FROM cron.job_run_details \gset
SELECT :corridas > 0 AS hay_corridas \gset
\if :hay_corridas
\echo '   Últimas ejecuciones:'
SELECT d.jobid AS "Tarea", j.jobname AS "Nombre",
       to_char(d.start_time AT TIME ZONE 'America/Bogota', 'YYYY-MM-DD HH24:MI:SS') AS "Inicio",
       CASE d.status WHEN 'succeeded' THEN 'terminó bien' WHEN 'failed' THEN 'falló'
                     WHEN 'running' THEN 'en curso' ELSE d.status END AS "Estado",
       d.return_message AS "Respuesta"
  FROM cron.job_run_details d LEFT JOIN cron.job j USING (jobid)
 ORDER BY d.start_time DESC, d.runid DESC LIMIT 10;
\else
\echo '   pg_cron todavía no ha ejecutado ninguna de estas tareas: la demostración dura pocos minutos'
\echo '   y cada tarea corre a la hora que indica su programación.'
\endif
\else
\echo '   No hay tareas en cron.job: esta versión no trae pae.programar_mantenimiento().'
\endif
\else
\echo '   pg_cron no está instalado en esta base.'
\endif

\echo
\echo '10. Salud de la base: pae.salud()'
SELECT to_regprocedure('pae.salud()') IS NOT NULL AS hay_salud \gset
\if :hay_salud
SELECT chequeo AS "Chequeo", estado AS "Estado", detalle AS "Detalle", sugerencia AS "Sugerencia"
  FROM pae.salud();
\else
\echo '   Esta versión no trae pae.salud(): no se evalúa la salud de la base.'
\endif
SQL

psql_demo -At <<'SQL' || { falla "el resumen final falló"; exit 1; }
SET ROLE pae_bi;
SELECT max(mes) AS mes FROM pae_reportes.visitas_mensual WHERE realizadas > 0 \gset
\echo
\echo 'Resumen para la coordinación'
\echo '----------------------------'
WITH v AS (
    SELECT sum(programadas) AS programadas, sum(realizadas) AS realizadas, sum(aprobadas) AS aprobadas,
           sum(devueltas) AS devueltas
      FROM pae_reportes.visitas_mensual WHERE mes = :'mes'
), c AS (
    SELECT sum(sedes_visitadas) AS visitadas, sum(sedes_activas) AS activas,
           count(*) FILTER (WHERE sedes_visitadas = 0) AS sin_visita
      FROM pae_reportes.cobertura_sedes WHERE mes = :'mes'
), k AS (
    SELECT round(100.0 * sum(items_cumplen) / nullif(sum(items_evaluados), 0)) AS pct
      FROM pae_reportes.cumplimiento_operador WHERE mes = :'mes'
), a AS (
    SELECT count(*) AS abiertas, count(*) FILTER (WHERE mes = :'mes') AS del_mes,
           count(*) FILTER (WHERE tipo = 'viaje_imposible') AS viajes,
           (SELECT tipo FROM pae_reportes.alertas GROUP BY tipo ORDER BY count(*) DESC, tipo LIMIT 1) AS frecuente
      FROM pae_reportes.alertas
)
SELECT format('En %s de %s se realizaron %s de las %s visitas programadas (%s %%), %s aprobadas y %s devueltas;'
              || ' quedan %s por revisar.',
              (ARRAY['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre',
                     'octubre', 'noviembre', 'diciembre'])[extract(month FROM :'mes'::date)::int],
              extract(year FROM :'mes'::date), v.realizadas, v.programadas,
              round(100.0 * v.realizadas / nullif(v.programadas, 0)), v.aprobadas, v.devueltas,
              v.realizadas - v.aprobadas - v.devueltas)
       || E'\n' ||
       format('Se visitaron %s de las %s sedes activas del Cauca (cobertura del %s %%); %s municipios no tuvieron'
              || ' ninguna sede visitada.',
              c.visitadas, c.activas, round(100.0 * c.visitadas / nullif(c.activas, 0)), c.sin_visita)
       || E'\n' ||
       format('Los operadores cumplieron el %s %% de los ítems evaluados de la lista de chequeo.',
              coalesce(k.pct::text, '-'))
       || E'\n' ||
       format('Hay %s alertas abiertas, %s de ellas de visitas del mes; la más frecuente: %s.'
              || ' Alertas de viaje imposible, que piden revisar al visitador: %s.',
              a.abiertas, a.del_mes,
              lower(CASE a.frecuente
                        WHEN 'fuera_geocerca' THEN 'check-in fuera de la geocerca de la sede'
                        WHEN 'viaje_imposible' THEN 'viaje imposible entre dos check-ins'
                        WHEN 'raciones_faltantes' THEN 'raciones entregadas por debajo del 90 %'
                        WHEN 'duracion_sospechosa' THEN 'visita de menos de 10 minutos'
                        WHEN 'foto_reutilizada' THEN 'la misma foto en otra visita'
                        ELSE coalesce(a.frecuente, 'ninguna') END),
              a.viajes)
  FROM v, c, k, a;
RESET ROLE;
SELECT count(*) = 0 AS integra FROM pae.verificar_auditoria() \gset
\if :integra
\echo 'La auditoría quedó sellada y verificada: ninguna fila fue alterada.'
\else
\echo 'ATENCIÓN: la verificación de la auditoría encontró alteraciones (ver la sección 8).'
\endif
SELECT to_regprocedure('pae.salud()') IS NOT NULL AS hay_salud \gset
\if :hay_salud
SELECT CASE WHEN count(*) FILTER (WHERE estado <> 'ok') = 0
            THEN format('Salud de la base: los %s chequeos de pae.salud() están en ok.', count(*))
            ELSE format('Salud de la base: %s de %s chequeos %s atención (%s); ver la sección 10.',
                        count(*) FILTER (WHERE estado <> 'ok'), count(*),
                        CASE WHEN count(*) FILTER (WHERE estado <> 'ok') = 1 THEN 'pide' ELSE 'piden' END,
                        string_agg(chequeo, ', ' ORDER BY chequeo) FILTER (WHERE estado <> 'ok'))
       END
  FROM pae.salud();
\endif
SQL

if [[ ${PAE_DEMO_KEEP:-0} == 1 && -t 0 ]]; then
    printf '\nEl servidor de la demostración sigue arriba. En otra terminal:\n'
    printf '    PGHOST=%s PGPORT=%s PGUSER=%s %s/psql %s\n' "$PGHOST" "$PGPORT" "$PGUSER" "$PAE_PGBIN" "$demo_db"
    read -r -p 'Pulse Enter para detenerlo y borrar todo... ' _
fi
echo
paso "Demostración terminada: se detiene el servidor y se borra $PAE_TMP"

#!/usr/bin/env bash
# Scenario: pg_cron runs the maintenance that pae.programar_mantenimiento()
# schedules, and pae.salud() watches it (issue 13, items 2-3).
#
# In the database pg_cron works in (cron.database_name = 'pae_cron' on the
# test cluster, tools/pgenv.sh): CREATE EXTENSION pg_cron and pae_cauca;
# pae.salud() says error while the jobs are missing; programar_mantenimiento()
# creates the four jobs, a second call changes nothing, a changed job is put
# back; audited rows are written and, within at most 90 s (the seal job
# runs every minute), cron.job_run_details shows a succeeded run of the seal
# job and those rows are sealed; pae.salud()'s pg_cron check is then ok, and
# an error for a missing job, an inactive job and a failed last run (made
# inside a transaction and rolled back).  Both extensions are dropped at the
# end, their jobs with pae_cauca's unscheduled first.
#
# Runs against the cluster of tools/test.sh (PGHOST, PGPORT, PGUSER set).
set -euo pipefail
cd "$(dirname "$0")/../.."

db=pae_cron
q() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" "$@"; }
falla() { printf 'FALLA: %s\n' "$*" >&2; exit 1; }
limpiar() {
    q -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname LIKE 'pae\_%'" >/dev/null 2>&1 || true
    q -c 'DROP EXTENSION IF EXISTS pae_cauca CASCADE' -c 'DROP EXTENSION IF EXISTS pg_cron' >/dev/null 2>&1 || true
}
trap limpiar EXIT

[[ $(psql -X -qAt -d postgres -c "SELECT current_setting('cron.database_name', true)") == "$db" ]] ||
    falla "the test cluster must run pg_cron in database $db (PAE_CLUSTER_CONF, tools/pgenv.sh)"
limpiar
q -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pg_cron' -c 'CREATE EXTENSION pae_cauca CASCADE'
q -c 'SELECT pae.mantener_particiones() >= 0' >/dev/null

# pg_cron here but no job yet: error
estado=$(q -c "SELECT estado || ': ' || detalle FROM pae.salud() WHERE chequeo = 'pg_cron'")
echo "before scheduling: $estado"
[[ $estado == 'error: pae_sellar_auditoria no existe; '* ]] || falla "pg_cron check without jobs: $estado"

# schedule; again; repair a changed job
got=$(q -c "SELECT string_agg(trabajo || '=' || accion, ' ' ORDER BY trabajo) FROM pae.programar_mantenimiento()")
echo "first call: $got"
[[ $got == 'pae_mantener_particiones=creado pae_purgar_eventos=creado pae_purgar_intentos_login=creado pae_sellar_auditoria=creado' ]] ||
    falla "first pae.programar_mantenimiento(): $got"
got=$(q -c "SELECT string_agg(DISTINCT accion, ' ') FROM pae.programar_mantenimiento()")
[[ $got == 'sin cambios' ]] || falla "second pae.programar_mantenimiento(): $got"
q -c "SELECT cron.alter_job(jobid, schedule => '0 0 1 1 *') FROM cron.job WHERE jobname = 'pae_purgar_eventos'" >/dev/null
got=$(q -c "SELECT string_agg(trabajo || '=' || accion, ' ' ORDER BY trabajo) FROM pae.programar_mantenimiento() WHERE accion <> 'sin cambios'")
[[ $got == 'pae_purgar_eventos=actualizado' ]] || falla "pae.programar_mantenimiento() after a change: $got"
got=$(q -c "SELECT string_agg(jobname || ' ' || schedule || ' ' || command || ' ' || database || ' ' || active, '; ' ORDER BY jobname) FROM cron.job")
echo "jobs: $got"
[[ $(q -c "SELECT count(*) FROM cron.job WHERE jobname LIKE 'pae\_%'") == 4 ]] || falla "not 4 jobs: $got"

# audited rows, then wait for a scheduled seal that covers them
t0=$(q -c 'SELECT clock_timestamp()')
q -c "INSERT INTO pae.operadores (nit, nombre) VALUES ('900555001-1', 'Operador Cron Uno'), ('900555002-2', 'Operador Cron Dos')"
ultimo=$(q -c "SELECT max(id) FROM pae.auditoria WHERE tabla = 'operadores'")
[[ -n $ultimo ]] || falla "no audit rows were written"
echo "audit rows written up to id $ultimo at $t0; waiting for the scheduled seal (at most 90 s)"
ok=''
for ((i = 0; i < 45; i++)); do
    got=$(q -c "SELECT count(*) FILTER (WHERE d.status = 'succeeded') || ' ' || count(*) FILTER (WHERE d.status = 'failed')
                  FROM cron.job_run_details d JOIN cron.job j ON j.jobid = d.jobid
                 WHERE j.jobname = 'pae_sellar_auditoria' AND d.start_time >= '$t0'")
    sellado=$(q -c "SELECT coalesce(max(hasta_id), 0) >= $ultimo FROM pae.auditoria_sellos")
    [[ ${got#* } == 0 ]] || falla "the scheduled seal failed: $(q -c "SELECT return_message FROM cron.job_run_details ORDER BY runid DESC LIMIT 1")"
    if [[ ${got%% *} -ge 1 && $sellado == t ]]; then ok=1; break; fi
    sleep 2
done
[[ -n $ok ]] || falla "no succeeded run of pae_sellar_auditoria sealing id $ultimo within 90 s (runs: $got, sealed: $sellado)"
echo "sealed by pg_cron after about $((i * 2)) s: $(q -c "SELECT 'run ' || d.runid || ' ' || d.status || ' ' || d.return_message
    FROM cron.job_run_details d JOIN cron.job j ON j.jobid = d.jobid WHERE j.jobname = 'pae_sellar_auditoria' ORDER BY d.runid DESC LIMIT 1")"
[[ $(q -c 'SELECT filas_sin_sellar FROM pae.metricas_auditoria') == 0 ]] || falla "pae.metricas_auditoria still shows unsealed rows"

# health: ok now; error for a missing job, an inactive job, a failed run
estado=$(q -c "SELECT estado || ': ' || detalle FROM pae.salud() WHERE chequeo = 'pg_cron'")
echo "after the seal: $estado"
[[ $estado == ok:* ]] || falla "pg_cron check with the jobs running: $estado"
estado=$(q -c 'BEGIN' -c "SELECT cron.unschedule('pae_purgar_eventos')" \
           -c "SELECT estado || ': ' || detalle FROM pae.salud() WHERE chequeo = 'pg_cron'" -c 'ROLLBACK' | tail -n 1)
[[ $estado == 'error: pae_purgar_eventos no existe' ]] || falla "pg_cron check with a job missing: $estado"
estado=$(q -c 'BEGIN' -c "UPDATE cron.job SET active = false WHERE jobname = 'pae_mantener_particiones'" \
           -c "SELECT estado || ': ' || detalle FROM pae.salud() WHERE chequeo = 'pg_cron'" -c 'ROLLBACK')
[[ $estado == 'error: pae_mantener_particiones está inactivo' ]] || falla "pg_cron check with a job inactive: $estado"
estado=$(q -c 'BEGIN' -c "INSERT INTO cron.job_run_details (jobid, status, return_message, start_time, end_time)
                          SELECT jobid, 'failed', 'ERROR:  prueba de falla', now(), now() FROM cron.job WHERE jobname = 'pae_sellar_auditoria'" \
           -c "SELECT estado || ': ' || detalle FROM pae.salud() WHERE chequeo = 'pg_cron'" -c 'ROLLBACK')
[[ $estado == 'error: la última ejecución de pae_sellar_auditoria falló ('*'): ERROR:  prueba de falla' ]] ||
    falla "pg_cron check after a failed run: $estado"
echo "pg_cron check: error for a missing job, an inactive job and a failed last run"
echo "pg_cron sealed the audit trail on schedule; pae.salud() watches the jobs"

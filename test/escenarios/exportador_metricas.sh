#!/usr/bin/env bash
# Scenario: Debian's prometheus-postgres-exporter serves pae_cauca's metrics
# (issue 13, item 4) with the query file tools/prometheus/pae_cauca.yaml.
#
# A database with pae_cauca and known activity (visits, login failures, an
# audited change); a login role granted only pae_monitor and pg_monitor, as
# the README says; the exporter started against it through the unix socket
# of the test cluster, on a free loopback port.  Its /metrics page must hold
# every metric family of the query file, values equal to what SQL says, and
# no error of our queries; then the exporter is stopped.
#
# Runs against the cluster of tools/test.sh (PGHOST, PGPORT, PGUSER set).
set -euo pipefail
cd "$(dirname "$0")/../.."

db=pae_metricas
rol=pae_exportador_prueba
consultas=$PWD/tools/prometheus/pae_cauca.yaml
exportador=$(command -v prometheus-postgres-exporter || true)
[[ -n $exportador ]] || { echo "prometheus-postgres-exporter is not installed (tools/pgenv.sh lists it)" >&2; exit 1; }
tmp=$(mktemp -d)
pid=''
q() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" "$@"; }
falla() { printf 'FALLA: %s\n' "$*" >&2; [[ -f $tmp/exporter.log ]] && tail -n 20 "$tmp/exporter.log" >&2; exit 1; }
limpiar() {
    local rc=$?
    if [[ -n $pid ]]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $rol" >/dev/null 2>&1 || true
    rm -rf "$tmp"
    exit "$rc"
}
trap limpiar EXIT

dropdb --if-exists "$db" >/dev/null 2>&1 || true
createdb "$db"
q -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pae_cauca CASCADE'
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP ROLE IF EXISTS $rol" -c "CREATE ROLE $rol LOGIN IN ROLE pae_monitor, pg_monitor"
# activity: visits of today (the fixture of the pgTAP tests, committed here),
# one taken to en_curso, failed logins, an unsealed audited change
q -c 'SELECT pae.mantener_particiones() >= 0' -f test/fixtures/visitas_y_personas.sql \
  -c "SELECT pg_temp.nueva_visita(('00000000-0000-4000-8000-00000000c00' || k)::uuid, '11900190010' || k, now())
        FROM generate_series(1, 3) k" \
  -c "SELECT pg_temp.llevar('00000000-0000-4000-8000-00000000c001', 'en_curso')" \
  -c "INSERT INTO pae.alertas (visita, tipo) VALUES ('00000000-0000-4000-8000-00000000c002', 'fuera_geocerca')" >/dev/null
q -c "INSERT INTO pae.intentos_login (correo, resultado)
      SELECT pae.correo_digesto('x' || k || '@prueba.gov.co'), 'fallo' FROM generate_series(1, 7) k"
q -c 'SELECT pae.sellar_auditoria() >= 0' >/dev/null
q -c "INSERT INTO pae.operadores (nit, nombre) VALUES ('900777001-1', 'Operador Exportador')"

# a free loopback port
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
DATA_SOURCE_NAME="host=$PGHOST port=$PGPORT user=$rol dbname=$db sslmode=disable" \
    "$exportador" --web.listen-address="127.0.0.1:$port" --extend.query-path="$consultas" \
    --log.level=warn >"$tmp/exporter.log" 2>&1 &
pid=$!
echo "exporter pid $pid on 127.0.0.1:$port, as role $rol"
ok=''
for ((i = 0; i < 60; i++)); do
    if curl -fsS "http://127.0.0.1:$port/metrics" -o "$tmp/metrics" 2>/dev/null && grep -q '^pae_salud_estado' "$tmp/metrics"; then
        ok=1; break
    fi
    kill -0 "$pid" 2>/dev/null || falla "the exporter exited"
    sleep 0.5
done
[[ -n $ok ]] || falla "no pae_ metrics on http://127.0.0.1:$port/metrics within 30 s"
# a second scrape: the values are read fresh (pae_salud is cached 60 s)
curl -fsS "http://127.0.0.1:$port/metrics" -o "$tmp/metrics"

# the exporter adds a label server="<host>:<port>" to every line: drop it
sed -E 's/,server="[^"]*"//; s/\{server="[^"]*",/{/; s/\{server="[^"]*"\}//' "$tmp/metrics" >"$tmp/metrics.sin_server"
metrica() { # value of the metric line $1 (name{labels}, labels in name order) or empty
    awk -v m="$1" '$1 == m { print $2 }' "$tmp/metrics.sin_server"
}
# every family of the query file
for familia in pae_visitas_cantidad pae_transiciones_ultima_hora pae_transiciones_ultimas_24h \
               pae_sincronizacion_visitas_24h pae_sincronizacion_lotes_24h pae_login_ultima_hora \
               pae_auditoria_filas_sin_sellar pae_auditoria_sin_sellar_antiguedad_s pae_relay_pendientes \
               pae_relay_ultimo_evento pae_salud_estado pae_alertas_abiertas; do
    grep -q "^$familia[{ ]" "$tmp/metrics" || falla "metric $familia missing from /metrics"
done
echo "every metric family present: $(grep -c '^pae_' "$tmp/metrics") pae_ lines"

# values equal to SQL
declare -A esperado=(
    ['pae_login_ultima_hora{resultado="fallo"}']="SELECT ultima_hora FROM pae.metricas_login WHERE resultado = 'fallo'"
    ['pae_auditoria_filas_sin_sellar']="SELECT filas_sin_sellar FROM pae.metricas_auditoria"
    ['pae_relay_ultimo_evento{modo="en_transaccion"}']="SELECT CASE WHEN modo = 'en_transaccion' THEN ultimo_evento END FROM pae.metricas_relay"
    ['pae_salud_estado{chequeo="version_biblioteca"}']="SELECT CASE estado WHEN 'ok' THEN 0 WHEN 'aviso' THEN 1 ELSE 2 END FROM pae.salud() WHERE chequeo = 'version_biblioteca'"
)
mes=$(q -c "SELECT to_char(date_trunc('month', now() AT TIME ZONE pae.regla('zona_horaria')), 'YYYY-MM')")
esperado["pae_visitas_cantidad{estado=\"programada\",mes=\"$mes\"}"]="SELECT visitas FROM pae.metricas_visitas WHERE estado = 'programada' AND to_char(mes, 'YYYY-MM') = '$mes'"
esperado['pae_alertas_abiertas{tipo="fuera_geocerca"}']="SELECT abiertas FROM pae.metricas_alertas WHERE tipo = 'fuera_geocerca'"
esperado["pae_transiciones_ultima_hora{hacia=\"en_curso\"}"]="SELECT ultima_hora FROM pae.metricas_transiciones WHERE hacia = 'en_curso'"
for m in "${!esperado[@]}"; do
    sql=$(q -c "${esperado[$m]}")
    [[ -z $sql ]] && continue    # e.g. the relay's mode label differs on a relay build
    got=$(metrica "$m")
    [[ -n $got ]] || falla "no line $m on /metrics"
    [[ $(awk -v a="$got" -v b="$sql" 'BEGIN { print (a + 0 == b + 0) ? "t" : "f" }') == t ]] ||
        falla "$m is $got on /metrics but $sql in SQL"
    echo "$m = $got (SQL: $sql)"
done
[[ $(metrica 'pae_login_ultima_hora{resultado="fallo"}') == 7 ]] || falla "the 7 failed logins are not seen"
[[ $(metrica pae_auditoria_filas_sin_sellar) -ge 1 ]] || falla "the unsealed audit row is not seen"
[[ $(metrica "pae_visitas_cantidad{estado=\"programada\",mes=\"$mes\"}") == 2 ]] || falla "the 2 programada visits are not seen"
[[ $(metrica 'pae_transiciones_ultima_hora{hacia="en_curso"}') == 1 ]] || falla "the transition to en_curso is not seen"
# no query failed (the exporter logs level=error for any failed query)
grep -q 'level=error' "$tmp/exporter.log" && falla "the exporter logged errors: $(grep 'level=error' "$tmp/exporter.log" | head -n 3)"
[[ $(awk '$1 == "pg_exporter_last_scrape_error" { print $2 }' "$tmp/metrics") == 0 ]] || falla "pg_exporter_last_scrape_error is not 0"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=''
echo "prometheus-postgres-exporter served pae_cauca's metrics with the values SQL gives"

#!/usr/bin/env bash
# make stress, part 20: the soak (issue 14, item 8).
#
# pgbench, SOAK_CLIENTES clients (16) for SOAK_SECONDS (600), each client
# one visitador's day of PostgREST requests, every request one transaction
# as PostgREST makes it (SET LOCAL ROLE, claims, headers, method,
# pae.db_pre_request(), the call), mixed by weight:
#   sincronizar (3)  POST /rpc/sincronizar: two new visits, checked in, answered, with a photo
#   cerrar      (3)  POST /rpc/transicion: the visitador closes their oldest open visit
#   responder   (2)  POST /rpc/responder: an answer corrected on the next open visit
#   revisar     (2)  POST /rpc/transicion as the supervisor: approve, or return one in five
#   reportes    (2)  GET (BEGIN READ ONLY) as pae_bi of every pae_reportes view, or, without
#                    them, as the coordinador of pae_api.visitas grouped by state
#   login       (1)  POST /rpc/login with the visitador's password (bcrypt)
# while pae.sellar_auditoria() runs every 5 s, as a scheduler would.
# Every request must succeed: a rejected sync item or a missing token raises,
# and pgbench (PG 15) stops a client at its first error that is not a
# serialization or deadlock failure, which it counts (--failures-detailed).
# At the end: no client stopped, no failed transaction, no deadlock or other
# ERROR in the server log (they are classified by SQLSTATE), the visits per
# state agree with the history and the outbox (tools/consistencia.sql and the
# path each state implies), one sync event per sync request; and p50, p95,
# p99 of each request kind from pgbench's per-transaction log.
set -euo pipefail
cd "$(dirname "$0")/../.."
unset PAE_TMP PAE_PGBIN
segundos=${SOAK_SECONDS:-600}
clientes=${SOAK_CLIENTES:-16}
export PAE_CLUSTER_CONF="${PAE_CLUSTER_CONF:-}
log_line_prefix = '%m [%p] %e '
max_connections = 60
shared_buffers = 256MB"
. tools/pgenv.sh
pae_ensure_packages
pae_build_install
pae_cluster_start
dir=$PAE_TMP/soak
mkdir -p "$dir"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d soak "$@"; }
createdb soak
q -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pae_cauca CASCADE'
q -v clientes="$clientes" >/dev/null <<'SQL'
SET client_min_messages = warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticator') THEN
    CREATE ROLE authenticator LOGIN NOINHERIT;
  END IF;
END $$;
GRANT pae_anon, pae_visitador, pae_supervisor, pae_coordinador, pae_bi TO authenticator;
SELECT pae.fijar_secreto_jwt('secreto-del-soak-de-mas-de-32-bytes-de-largo');
INSERT INTO pae.instituciones (codigo, nombre, municipio) VALUES ('119001900001', 'IE Soak', '19001');
INSERT INTO pae.sedes (codigo, nombre, institucion, municipio, zona, ubicacion)
SELECT '1190019001' || lpad(i::text, 2, '0'), 'Sede ' || i, '119001900001', '19001', 'urbana',
       ST_SetSRID(ST_MakePoint(-76.6128, 2.30 + i * 0.01), 4326)::geography
  FROM generate_series(1, 40) i;
INSERT INTO pae.operadores (nit, nombre) VALUES ('900000002-2', 'Operador Soak SAS');
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia, modalidad)
VALUES ('PAE-S-2025', '900000002-2', daterange('2025-01-01', '2027-01-01'), 200, 'RPS');
INSERT INTO pae.contrato_sedes (contrato, sede) SELECT 'PAE-S-2025', codigo FROM pae.sedes WHERE codigo LIKE '1190019001%';
CREATE TABLE public.gente (clave text PRIMARY KEY, id uuid NOT NULL, rol_db text NOT NULL);
INSERT INTO public.gente
SELECT k, pae.crear_usuario(k || '@soak.gov.co', 'Persona ' || k, r, 'clave-larga-soak', ARRAY['19001']::char(5)[]), 'pae_' || r
  FROM (SELECT 'v' || i, 'visitador' FROM generate_series(1, :clientes) i
        UNION ALL VALUES ('sup', 'supervisor'), ('coo', 'coordinador'), ('bi', 'bi')) g(k, r);
GRANT SELECT ON public.gente TO PUBLIC;
CREATE FUNCTION public.claims(p_clave text) RETURNS text LANGUAGE sql STABLE AS $f$
    SELECT json_build_object('sub', id, 'role', rol_db, 'iat', extract(epoch FROM now())::bigint + 5,
                             'exp', extract(epoch FROM now())::bigint + 3600)::text
      FROM public.gente WHERE clave = p_clave $f$;
-- slot s of visitador c: a sede, a time 20 minutes after the previous slot
-- (40 a day, next sede ~1.1 km away), an id
CREATE FUNCTION public.soak_visita(c int, s int)
RETURNS TABLE (id uuid, sede text, fecha timestamptz, lat float8, lon float8) LANGUAGE sql IMMUTABLE AS $f$
    SELECT md5(format('soak-%s-%s', c, s))::uuid, '1190019001' || lpad((s % 40 + 1)::text, 2, '0'),
           '2025-01-02 06:00-05'::timestamptz + make_interval(days => s / 40, mins => 20 * (s % 40)),
           2.30 + (s % 40 + 1) * 0.01, -76.6128 $f$;
CREATE FUNCTION public.soak_lote(c int, s int, n int) RETURNS jsonb LANGUAGE sql STABLE AS $f$
    SELECT jsonb_build_object('dispositivo', format('soak-%s', c), 'visitas', jsonb_agg(jsonb_build_object(
        'id', v.id, 'version_base', 0, 'sede', v.sede, 'contrato', 'PAE-S-2025',
        'fecha_visita', v.fecha, 'estado', 'en_curso',
        'checkin', jsonb_build_object('lat', v.lat, 'lon', v.lon, 'precision_m', 8, 't', v.fecha + interval '5 minutes'),
        'respuestas', (SELECT jsonb_agg(jsonb_build_object('item', i.codigo, 'valor', 'cumple') ORDER BY i.codigo)
                         FROM pae.checklist_items i WHERE i.obligatorio AND i.activo),
        'evidencias', jsonb_build_array(jsonb_build_object(
            'id', md5(v.id::text || 'foto')::uuid, 'tipo', 'foto',
            'sha256', encode(sha256(convert_to(v.id::text, 'UTF8')), 'hex'), 'bytes', 183020,
            'mime', 'image/jpeg', 'lat', v.lat, 'lon', v.lon, 'tomada_en', v.fecha + interval '30 minutes'))
        ) ORDER BY x))
      FROM generate_series(s, s + n - 1) x, public.soak_visita(c, x) v $f$;
-- an answer that is not what the request expects is an error (pgbench stops the client)
CREATE FUNCTION public.exigir(p_ok boolean, p_que text, p_respuesta jsonb) RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
    IF p_ok IS NOT TRUE THEN
        RAISE EXCEPTION 'soak: % inesperado: %', p_que, left(p_respuesta::text, 500);
    END IF;
    RETURN true;
END $f$;
SQL
item=$(q -c "SELECT codigo FROM pae.checklist_items WHERE activo ORDER BY codigo LIMIT 1")
reportes=$(q -c "SELECT string_agg(format('(SELECT count(*) FROM pae_reportes.%I)', c.relname), ' + ' ORDER BY c.relname)
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = 'pae_reportes' AND c.relkind IN ('v', 'm')")

pedido() { # $1 role, $2 claims expression, $3 method: the PostgREST prologue of one request
    printf '%s\n' "SET LOCAL ROLE $1;" \
        "SELECT set_config('request.jwt.claims', $2, true), set_config('request.headers', '{\"user-agent\":\"soak\"}', true), set_config('request.method', '$3', true);" \
        "SELECT pae.db_pre_request();"
}
{
    echo '\set c :client_id + 1'
    echo 'BEGIN;'
    pedido pae_visitador "public.claims('v' || :c)" POST
    echo "SELECT public.exigir((r->>'aceptadas')::int = 2, 'resultado de sincronizar', r) FROM (SELECT pae_api.sincronizar(public.soak_lote(:c, :ks, 2)) AS r) x;"
    echo 'COMMIT;'
    echo '\set ks :ks + 2'
} >"$dir/sincronizar.sql"
{
    echo '\set c :client_id + 1'
    echo '\if :kc < :ks'
    echo 'BEGIN;'
    pedido pae_visitador "public.claims('v' || :c)" POST
    echo "SELECT (pae_api.transicion(x.id, 'cerrada', NULL, x.lat, x.lon, 5)).version FROM public.soak_visita(:c, :kc) x;"
    echo 'COMMIT;'
    echo '\set kc :kc + 1'
    echo '\endif'
} >"$dir/cerrar.sql"
{
    echo '\set c :client_id + 1'
    echo '\if :kc < :ks'
    echo 'BEGIN;'
    pedido pae_visitador "public.claims('v' || :c)" POST
    echo "SELECT (pae_api.responder(x.id, '$item', 'cumple', 'revisado en el soak')).valor FROM public.soak_visita(:c, :kc) x;"
    echo 'COMMIT;'
    echo '\endif'
} >"$dir/responder.sql"
{
    echo '\set c :client_id + 1'
    echo '\if :ka < :kc'
    echo 'BEGIN;'
    pedido pae_supervisor "public.claims('sup')" POST
    echo "SELECT (pae_api.transicion(x.id, CASE WHEN :ka % 5 = 4 THEN 'devuelta' ELSE 'aprobada' END::pae.estado_visita,"
    echo "                           CASE WHEN :ka % 5 = 4 THEN 'faltan firmas' END)).version FROM public.soak_visita(:c, :ka) x;"
    echo 'COMMIT;'
    echo '\set ka :ka + 1'
    echo '\endif'
} >"$dir/revisar.sql"
{
    echo 'BEGIN READ ONLY;'
    if [[ -n $reportes ]]; then
        pedido pae_bi "public.claims('bi')" GET
        echo "SELECT $reportes;"
    else
        pedido pae_coordinador "public.claims('coo')" GET
        echo "SELECT estado, count(*) FROM pae_api.visitas GROUP BY estado;"
    fi
    echo 'COMMIT;'
} >"$dir/reportes.sql"
{
    echo '\set c :client_id + 1'
    echo 'BEGIN;'
    pedido pae_anon "''" POST
    echo "SELECT public.exigir(r ? 'token', 'resultado de login', r) FROM (SELECT pae_api.login('v' || :c || '@soak.gov.co', 'clave-larga-soak') AS r) x;"
    echo 'COMMIT;'
} >"$dir/login.sql"
clases=(sincronizar cerrar responder revisar reportes login)
pesos=(3 3 2 2 2 1)
args=()
for i in "${!clases[@]}"; do args+=(-f "$dir/${clases[$i]}.sql@${pesos[$i]}"); done

# the scheduler's sealing, every 5 s
( while [[ ! -e $dir/fin ]]; do
      psql -X -q -At -d soak -c 'SET client_min_messages = error' -c 'SELECT pae.sellar_auditoria()' >/dev/null 2>&1 || true
      sleep 5
  done ) &
sellador=$!

pae_log "soak: $clientes clients for ${segundos}s ($(date -u +%H:%M:%S) UTC)"
lineas_log=$(wc -l <"$PAE_TMP/server.log")
rc=0
(cd "$dir" && pgbench -n -U authenticator -c "$clientes" -j 2 -T "$segundos" -D ks=0 -D kc=0 -D ka=0 \
     --failures-detailed -l --log-prefix="$dir/tx" "${args[@]}" soak) >"$dir/pgbench.out" 2>"$dir/pgbench.err" || rc=$?
touch "$dir/fin"
wait "$sellador" || true
cat "$dir/pgbench.out"
grep -v '^pgbench: client [0-9]* receiving$' "$dir/pgbench.err" | head -n 20 || true
q -c 'SELECT pae.sellar_auditoria()' >/dev/null

problemas=()
((rc == 0)) || problemas+=("pgbench exited with status $rc")
if grep -q 'aborted' "$dir/pgbench.err" "$dir/pgbench.out"; then
    problemas+=("clients were stopped by an error: $(grep -h 'aborted' "$dir/pgbench.err" "$dir/pgbench.out" | head -n 3)")
fi
fallidas=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$dir/pgbench.out")
interbloqueos=$(sed -n 's/^number of deadlock failures: \([0-9]*\).*/\1/p' "$dir/pgbench.out")
[[ ${fallidas:-x} == 0 ]] || problemas+=("failed transactions: ${fallidas:-unknown}")
# every ERROR the server logged during the run, by SQLSTATE
tail -n +"$((lineas_log + 1))" "$PAE_TMP/server.log" | sed -n 's/^[0-9-]* [0-9:.]* UTC \[[0-9]*\] \([0-9A-Z]\{5\}\) ERROR: .*/\1/p' |
    sort | uniq -c >"$dir/errores.txt" || true
errores=$(awk '{s += $1} END {print s + 0}' "$dir/errores.txt")
deadlocks_log=$(tail -n +"$((lineas_log + 1))" "$PAE_TMP/server.log" | grep -c 'deadlock detected' || true)
((errores == 0)) || problemas+=("the server logged $errores errors: $(tr '\n' ' ' <"$dir/errores.txt")")
((deadlocks_log == 0)) || problemas+=("$deadlocks_log deadlocks")

# counts: states vs history vs outbox, one sync event per sync request
inconsistencias=$(psql -X -q -At -v ON_ERROR_STOP=1 -d soak -f tools/consistencia.sql)
[[ -z $inconsistencias ]] || problemas+=("$inconsistencias")
caminos=$(q <<'SQL'
SELECT format('visit %s is %s after %s transitions', v.id, v.estado, count(t.id))
  FROM pae.visitas v LEFT JOIN pae.transiciones t ON t.visita = v.id
 GROUP BY v.id, v.estado
HAVING count(t.id) <> CASE v.estado WHEN 'en_curso' THEN 1 WHEN 'cerrada' THEN 2 ELSE 3 END
 LIMIT 5;
SQL
)
[[ -z $caminos ]] || problemas+=("$caminos")
por_script() { # $1 = script file name: its transaction count from pgbench's per-script report
    awk -v f="$1" '$0 ~ "^SQL script [0-9]+: " && index($0, f) {hit = 1; next}
                   hit && /transactions \(/ {sub(/^ *- */, ""); print $1; exit}' "$dir/pgbench.out"
}
n_sync=$(por_script sincronizar.sql)
ev_sync=$(q -c "SELECT count(*) FROM pae.eventos WHERE tipo = 'sincronizacion'")
visitas=$(q -c "SELECT count(*) FROM pae.visitas")
[[ ${n_sync:-x} == "$ev_sync" && $visitas == $((2 * ${n_sync:-0})) ]] ||
    problemas+=("sync requests $n_sync, sync events $ev_sync, visits $visitas (expected 2 per request)")

# latency per request kind, from the per-transaction log:
# client_id transaction_no time_us script_no epoch epoch_us
cat "$dir"/tx.* >"$dir/tx_todas"
for i in "${!clases[@]}"; do
    awk -v s="$i" '$4 == s {print $3}' "$dir/tx_todas" | sort -n >"$dir/lat_$i"
    n=$(wc -l <"$dir/lat_$i")
    if ((n == 0)); then printf 'STRESS soak_%s_n 0\n' "${clases[$i]}"; continue; fi
    for p in 50 95 99; do
        k=$(( (n * p + 99) / 100 )); ((k >= 1)) || k=1
        v=$(sed -n "${k}p" "$dir/lat_$i")
        printf 'STRESS soak_%s_p%s_ms %s\n' "${clases[$i]}" "$p" "$(awk -v x="$v" 'BEGIN {printf "%.1f", x / 1000}')"
    done
    printf 'STRESS soak_%s_n %d\n' "${clases[$i]}" "$n"
done
printf 'STRESS soak_segundos %s\n' "$segundos"
printf 'STRESS soak_clientes %s\n' "$clientes"
printf 'STRESS soak_tps %s\n' "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$dir/pgbench.out" | head -n 1)"
printf 'STRESS soak_transacciones_fallidas %s\n' "${fallidas:-?}"
printf 'STRESS soak_interbloqueos %s\n' "$(( ${interbloqueos:-0} + deadlocks_log ))"
printf 'STRESS soak_errores_servidor %s\n' "$errores"
q <<'SQL' | sed 's/^/STRESS soak_visitas_/'
SELECT estado || ' ' || count(*) FROM pae.visitas GROUP BY estado ORDER BY estado;
SQL
printf 'STRESS soak_transiciones %s\n' "$(q -c 'SELECT count(*) FROM pae.transiciones')"
printf 'STRESS soak_eventos %s\n' "$(q -c 'SELECT count(*) FROM pae.eventos')"
printf 'STRESS soak_filas_auditoria %s\n' "$(q -c 'SELECT count(*) FROM pae.auditoria')"
if ((${#problemas[@]} > 0)); then
    printf 'soak: FALLO: %s\n' "${problemas[@]}" >&2
    exit 1
fi
echo "soak: $clientes clients, ${segundos}s: no error, no deadlock, every count agrees"

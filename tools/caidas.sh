#!/usr/bin/env bash
# tools/caidas.sh -- crash and restart harness of pae_cauca (issue 14, item 1).
#
#   bash tools/caidas.sh CICLOS
#
# Needs a private PostgreSQL tree with pae_cauca installed (PAE_TMP and
# PAE_PGBIN exported, as tools/test.sh and tools/pgenv.sh's
# pae_build_install leave them).  It makes a cluster of its own in a new
# directory under $PAE_TMP (own port, own socket, own server log: the
# cluster of the test run is never touched), and then, CICLOS times:
#
#  1. starts, all at once, on one database:
#     (a) sync clients: PostgREST requests POST /rpc/sincronizar (SET LOCAL
#         ROLE, claims, headers, method, pae.db_pre_request(), the call) from
#         the authenticator role, one psql per request; each client logs a
#         batch as sent before the request and as committed only when psql
#         reported the COMMIT done;
#     (b) pgbench: visitadores checking in (programada -> en_curso) and a
#         coordinador cancelling (programada -> cancelada), as PostgREST
#         requests;
#     (c) a loop of pae.sellar_auditoria();
#     (d) pae.mantener_particiones() moving a few thousand visits out of
#         pae.visitas_default (the month's partition was dropped and its
#         visits inserted before the cycle);
#  2. waits until all four are running in pg_stat_activity (at most
#     CAIDAS_ESPERA_S seconds), then SIGKILLs the postmaster and every
#     child of it at the same instant (the postmaster is stopped first so it
#     cannot fork in between);
#  3. restarts the cluster (crash recovery) and checks:
#     - every batch a client saw committed is there whole (its visits
#       cerrada with their answers, photo, two transitions, sync record and
#       one 'sincronizacion' event); a batch in doubt (sent, connection lost
#       before the answer) is whole or absent; no other visit of the sync
#       clients exists;
#     - the outbox holds exactly one 'visita.<estado>' event per transition
#       and each visit's state is its last transition's;
#     - pae.verificar_auditoria() returns nothing, and again after a new seal;
#     - pae.visitas_id, pae.visitas_dia and pae.visitas_checkin equal what
#       the visits say;
#     - the visits of the month being moved are all there (moved or still in
#       the default partition), and a new pae.mantener_particiones() empties
#       the default partition;
#     - pae_reportes.visitas_mensual (when present) equals a GROUP BY of the
#       visits.
# The server runs with synchronous_commit = on (a COMMIT is answered after
# its WAL reached the kernel) and fsync = off: a killed process loses nothing
# the kernel holds; only a power loss would, and that is not what is tested.
#
# Prints `STRESS caidas_* <value>` lines; exit status 0 when every cycle's
# checks passed.  Knobs: CAIDAS_CLIENTES_SYNC (2), CAIDAS_LOTE (4 visits a
# batch), CAIDAS_DEFAULT (3000 visits to move), CAIDAS_POOL_CICLO (250
# programada visits per pgbench visitador and cycle), CAIDAS_CALENTAR_S (2 s
# of load before the partition upkeep starts), CAIDAS_ESPERA_S (20).
set -euo pipefail

ciclos=${1:-3}
nsync=${CAIDAS_CLIENTES_SYNC:-2}
lote=${CAIDAS_LOTE:-4}
ndefault=${CAIDAS_DEFAULT:-3000}
pool_ciclo=${CAIDAS_POOL_CICLO:-250}
espera_s=${CAIDAS_ESPERA_S:-20}
calentar_s=${CAIDAS_CALENTAR_S:-2}

[[ -n ${PAE_TMP:-} && -n ${PAE_PGBIN:-} && -x ${PAE_PGBIN:-}/postgres ]] || {
    echo "caidas: PAE_TMP and PAE_PGBIN must name a private tree with pae_cauca installed" >&2; exit 1; }
((ciclos >= 1 && ciclos <= 24)) || { echo "caidas: 1..24 cycles (one month of 2023-2024 is moved per cycle)" >&2; exit 1; }

raiz=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# helpers only (pae_as_server_user, pae_free_port): its EXIT trap would
# remove the caller's tree, so it is replaced below
# shellcheck source=tools/pgenv.sh
. "$raiz/tools/pgenv.sh"
export PATH=$PAE_PGBIN:$PATH

dir=$(mktemp -d "$PAE_TMP/caidas.XXXXXX")
chmod 755 "$dir"
pae_is_root && chown postgres: "$dir"
datos=$dir/data
log=$dir/server.log
trabajo=$dir/trabajo          # client logs and scripts (ours, not the server's)
mkdir -p "$trabajo"
hijos=()

limpiar() {
    local rc=$?
    set +e
    touch "$trabajo/parar" 2>/dev/null
    for p in "${hijos[@]}"; do kill -TERM "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [[ -f $datos/postmaster.pid ]]; then
        pae_as_server_user "$PAE_PGBIN/pg_ctl" -D "$datos" -s -m immediate -w -t 30 stop >/dev/null 2>&1
    fi
    if ((rc != 0)) && [[ -f $log ]]; then
        echo "--- last lines of the crash cluster's log ($log) ---"
        tail -n 30 "$log"
    fi
    rm -rf -- "$dir"
    exit "$rc"
}
trap limpiar EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fallo() { printf 'caidas: FALLO: %s\n' "$*" >&2; exit 1; }

pae_as_server_user "$PAE_PGBIN/initdb" -D "$datos" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; fallo "initdb"; }
cat >>"$datos/postgresql.conf" <<EOF
# tools/caidas.sh
listen_addresses = ''
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = on
full_page_writes = off
timezone = 'UTC'
log_timezone = 'UTC'
max_connections = 60
max_locks_per_transaction = 256
restart_after_crash = off
EOF
port=$(pae_free_port) || fallo "no free port"
arrancar() {
    pae_as_server_user "$PAE_PGBIN/pg_ctl" -D "$datos" -l "$log" -w -t 180 -s -o "-p $port -k $dir" start ||
        fallo "the server did not start"
}
arrancar
export PGHOST=$dir PGPORT=$port PGUSER=postgres PGDATABASE=caidas
unset PGPASSWORD PGSERVICE PGHOSTADDR
createdb caidas
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

q -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pae_cauca CASCADE'
q <<'SQL' >/dev/null
SET client_min_messages = warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticator') THEN
    CREATE ROLE authenticator LOGIN NOINHERIT;
  END IF;
END $$;
GRANT pae_anon, pae_visitador, pae_supervisor, pae_coordinador TO authenticator;
INSERT INTO pae.instituciones (codigo, nombre, municipio) VALUES ('119001900001', 'IE Caídas', '19001');
-- 40 sedes about 1.1 km apart
INSERT INTO pae.sedes (codigo, nombre, institucion, municipio, zona, ubicacion)
SELECT '1190019001' || lpad(i::text, 2, '0'), 'Sede ' || i, '119001900001', '19001', 'urbana',
       ST_SetSRID(ST_MakePoint(-76.6128, 2.30 + i * 0.01), 4326)::geography
  FROM generate_series(1, 40) i;
INSERT INTO pae.operadores (nit, nombre) VALUES ('900000001-1', 'Operador Caídas SAS');
INSERT INTO pae.contratos (numero, operador, vigencia, raciones_dia, modalidad) VALUES
    ('PAE-C-2023', '900000001-1', daterange('2023-01-01', '2025-01-01'), 200, 'RPS'),
    ('PAE-C-2025', '900000001-1', daterange('2025-01-01', '2027-01-01'), 200, 'RPS');
INSERT INTO pae.contrato_sedes (contrato, sede)
SELECT c, codigo FROM pae.sedes, unnest(ARRAY['PAE-C-2023', 'PAE-C-2025']) c WHERE codigo LIKE '1190019001%';
-- vs1..: sync clients; vb1, vb2: pgbench check-ins; vb3: the pool the
-- coordinador cancels; vd1..vd4: the visits of the default partition
CREATE TABLE public.gente (clave text PRIMARY KEY, id uuid NOT NULL, rol_db text NOT NULL);
INSERT INTO public.gente
SELECT k, pae.crear_usuario(k || '@caidas.gov.co', 'Persona ' || k, r, 'clave-larga-caidas', ARRAY['19001']::char(5)[]), 'pae_' || r
  FROM (VALUES ('vs1', 'visitador'), ('vs2', 'visitador'), ('vs3', 'visitador'), ('vs4', 'visitador'),
               ('vb1', 'visitador'), ('vb2', 'visitador'), ('vb3', 'visitador'),
               ('vd1', 'visitador'), ('vd2', 'visitador'), ('vd3', 'visitador'), ('vd4', 'visitador'),
               ('coo', 'coordinador')) g(k, r);
GRANT SELECT ON public.gente TO PUBLIC;
-- the claims of one person, as PostgREST sets them from a valid token
CREATE FUNCTION public.claims(p_clave text) RETURNS text LANGUAGE sql STABLE AS $f$
    SELECT json_build_object('sub', id, 'role', rol_db, 'iat', extract(epoch FROM now())::bigint + 5,
                             'exp', extract(epoch FROM now())::bigint + 3600)::text
      FROM public.gente WHERE clave = p_clave $f$;
-- the visits of batch k of sync client c in cycle n: ids, sedes and days
-- derive from (n, c, k, j), so the checker rebuilds them
CREATE FUNCTION public.lote_visitas(n int, c int, k int, m int)
RETURNS TABLE (j int, id uuid, sede text, fecha timestamptz, lat float8, lon float8) LANGUAGE sql IMMUTABLE AS $f$
    SELECT j, md5(format('caida-%s-%s-%s-%s', n, c, k, j))::uuid,
           '1190019001' || lpad((((n * 100 + k) % 10) * 4 + j)::text, 2, '0'),
           ('2025-01-02 07:00-05'::timestamptz + make_interval(days => (n * 100 + k) / 10, hours => 2 * j)),
           2.30 + (((n * 100 + k) % 10) * 4 + j) * 0.01, -76.6128
      FROM generate_series(1, m) j $f$;
CREATE FUNCTION public.lote(n int, c int, k int, m int) RETURNS jsonb LANGUAGE sql STABLE AS $f$
    SELECT jsonb_build_object('dispositivo', format('c%s-s%s-b%s', n, c, k), 'visitas', jsonb_agg(jsonb_build_object(
        'id', v.id, 'version_base', 0, 'sede', v.sede, 'contrato', 'PAE-C-2025',
        'fecha_visita', v.fecha, 'estado', 'cerrada',
        'checkin', jsonb_build_object('lat', v.lat, 'lon', v.lon, 'precision_m', 8, 't', v.fecha + interval '5 minutes'),
        'checkout', jsonb_build_object('lat', v.lat, 'lon', v.lon, 'precision_m', 9, 't', v.fecha + interval '65 minutes'),
        'raciones_entregadas', 195, 'observaciones', 'sin novedad',
        'respuestas', (SELECT jsonb_agg(jsonb_build_object('item', i.codigo, 'valor', 'cumple') ORDER BY i.codigo)
                         FROM pae.checklist_items i WHERE i.obligatorio AND i.activo),
        'evidencias', jsonb_build_array(jsonb_build_object(
            'id', md5(v.id::text || 'foto')::uuid, 'tipo', 'foto',
            'sha256', encode(sha256(convert_to(v.id::text, 'UTF8')), 'hex'), 'bytes', 183020,
            'mime', 'image/jpeg', 'lat', v.lat, 'lon', v.lon, 'tomada_en', v.fecha + interval '30 minutes'))
        ) ORDER BY v.j))
      FROM public.lote_visitas(n, c, k, m) v $f$;
GRANT EXECUTE ON FUNCTION public.lote(int, int, int, int), public.claims(text) TO PUBLIC;
-- what the sync clients logged (loaded by the checker)
CREATE TABLE public.lotes_log (ciclo int, cliente int, k int, estado text, PRIMARY KEY (ciclo, cliente, k));
-- programada visits the pgbench clients move, in order n
CREATE TABLE public.pool (visitador int, n int, id uuid, lat float8, lon float8, PRIMARY KEY (visitador, n));
GRANT SELECT ON public.pool TO PUBLIC;
SQL

# pool of programada visits for pgbench: visitadores 1..3, in 2025 and 2026,
# on distinct (sede, day)
pool_total=$((ciclos * pool_ciclo + 200))
((pool_total <= 14500)) || pool_total=14500   # 2025 only: 40 sedes a day
q <<SQL >/dev/null
SET client_min_messages = warning;
INSERT INTO public.pool
SELECT vb, n, md5(format('pool-%s-%s', vb, n))::uuid, 2.30 + (n % 40 + 1) * 0.01, -76.6128
  FROM generate_series(1, 3) vb, generate_series(0, $pool_total - 1) n;
INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
SELECT p.id, '1190019001' || lpad((p.n % 40 + 1)::text, 2, '0'), 'PAE-C-2025', g.id,
       '2025-01-02 06:00-05'::timestamptz + make_interval(days => p.n / 40, mins => 20 * p.visitador), 200
  FROM public.pool p JOIN public.gente g ON g.clave = 'vb' || p.visitador;
SELECT pae.sellar_auditoria();
SQL

# pgbench: clients 0 and 1 check in their visitador's next visit, client 2
# is the coordinador cancelling vb3's next one; :base is where this cycle
# starts in the pool (n), :k counts the client's transactions
cat >"$trabajo/transicion.sql" <<'PGB'
\set k :k + 1
\set n :base + :k
\if :client_id < 2
\set vb :client_id + 1
BEGIN;
SET LOCAL ROLE pae_visitador;
SELECT set_config('request.jwt.claims', public.claims('vb' || :vb), true), set_config('request.headers', '{"user-agent":"pgbench"}', true), set_config('request.method', 'POST', true);
SELECT pae.db_pre_request();
SELECT (pae_api.transicion(p.id, 'en_curso', NULL, p.lat, p.lon, 5)).version FROM public.pool p WHERE p.visitador = :vb AND p.n = :n;
COMMIT;
\else
BEGIN;
SET LOCAL ROLE pae_coordinador;
SELECT set_config('request.jwt.claims', public.claims('coo'), true), set_config('request.headers', '{"user-agent":"pgbench"}', true), set_config('request.method', 'POST', true);
SELECT pae.db_pre_request();
SELECT (pae_api.transicion(p.id, 'cancelada', 'prueba de caídas')).version FROM public.pool p WHERE p.visitador = 3 AND p.n = :n;
COMMIT;
\endif
PGB

# one sync client: batches k = 1.. of cycle $1, client $2, until told to stop
cliente_sync() {
    local n=$1 c=$2 k=0 rc out
    local logf=$trabajo/sync_${n}_${c}.log
    while [[ ! -e $trabajo/parar ]] && ((k < 99)); do
        k=$((k + 1))
        echo "$n $c $k enviado" >>"$logf"
        rc=0
        out=$(psql -X -q -At -v ON_ERROR_STOP=1 -U authenticator -1 2>&1 <<SQL
SET LOCAL ROLE pae_visitador;
SELECT set_config('request.jwt.claims', public.claims('vs$c'), true),
       set_config('request.headers', '{"user-agent":"caidas-sync"}', true),
       set_config('request.method', 'POST', true) \g /dev/null
SELECT pae.db_pre_request() \g /dev/null
SELECT 'aceptadas=' || (pae_api.sincronizar(public.lote($n, $c, $k, $lote))->>'aceptadas');
SQL
) || rc=$?
        if ((rc == 0)); then
            echo "$n $c $k confirmado" >>"$logf"
            [[ $out == *"aceptadas=$lote"* ]] || { echo "$n $c $k rechazado $out" >>"$logf"; }
        else
            echo "$n $c $k fallido$rc" >>"$logf"
            # an SQL error (3) while the server was up is a failure; a lost
            # connection (2) is the crash
            ((rc == 2)) || printf '%s\n' "$out" >>"$trabajo/errores_sync.log"
            break
        fi
    done
}

bucle_sellado() {
    while [[ ! -e $trabajo/parar ]]; do
        psql -X -q -At -c 'SET client_min_messages = error' -c 'SELECT pae.sellar_auditoria()' >/dev/null 2>&1 || break
    done
}

# the visits of cycle n that land in the default partition: the month's
# partition is dropped first (months of 2023..2024 and 2026, one per cycle)
mes_del_ciclo() { # 1.. -> YYYY-MM-01
    local n=$1 meses=(2023-{01..12} 2024-{01..12} 2026-{01..12})
    echo "${meses[$((n - 1))]}-01"
}
preparar_default() {
    local mes=$1 contrato
    if [[ $mes == 2026-* ]]; then contrato=PAE-C-2025; else contrato=PAE-C-2023; fi
    q <<SQL >/dev/null
SET client_min_messages = warning;
DROP TABLE pae.visitas_p$(date -d "$mes" +%Y_%m);
INSERT INTO pae.visitas (id, sede, contrato, visitador, fecha_visita, raciones_programadas)
SELECT md5(format('default-%s-%s', '$mes', x))::uuid,
       '1190019001' || lpad((x % 40 + 1)::text, 2, '0'), '$contrato', g.id,
       '$mes 07:00-05'::timestamptz + make_interval(days => (x / 160) % 28), 200
  FROM generate_series(0, $ndefault - 1) x
  JOIN public.gente g ON g.clave = 'vd' || ((x / 40) % 4 + 1);
SQL
}

# SIGKILL of the postmaster and all its children at one instant
matar() {
    local pm kids
    pm=$(head -n 1 "$datos/postmaster.pid")
    kill -STOP "$pm"
    mapfile -t kids < <(ps -o pid= --ppid "$pm" | tr -d ' ')
    kill -KILL "$pm" "${kids[@]}" 2>/dev/null || true
    for p in "$pm" "${kids[@]}"; do
        while kill -0 "$p" 2>/dev/null; do sleep 0.05; done
    done
}

# the checks after a restart; $1 = cycle, $2 = month moved in that cycle
verificar() {
    local n=$1 mes=$2 res
    cat "$trabajo"/sync_"$n"_*.log 2>/dev/null | awk '
        { e[$1" "$2" "$3] = $4 }
        END { for (x in e) print x, e[x] }' >"$trabajo/lotes_$n.txt"
    q -c "\\copy public.lotes_log FROM '$trabajo/lotes_$n.txt' WITH (DELIMITER ' ')"
    res=$(q <<SQL
SET client_min_messages = warning;
CREATE TEMP TABLE problemas (que text);
-- (a) batches: committed ones whole, in-doubt ones whole or absent, nothing else
CREATE TEMP TABLE lotes AS
SELECT l.ciclo, l.cliente, l.k, l.estado,
       count(v.id) AS visitas,
       count(v.id) FILTER (WHERE v.estado = 'cerrada'
            AND (SELECT count(*) FROM pae.visita_respuestas r WHERE r.visita = v.id)
                = (SELECT count(*) FROM pae.checklist_items i WHERE i.obligatorio AND i.activo)
            AND (SELECT count(*) FROM pae.evidencias e WHERE e.visita = v.id) = 1
            AND (SELECT string_agg(t.hacia::text, ',' ORDER BY t.id) FROM pae.transiciones t WHERE t.visita = v.id) = 'en_curso,cerrada'
            AND EXISTS (SELECT 1 FROM pae.sincronizaciones s WHERE s.visita = v.id)) AS enteras,
       (SELECT count(*) FROM pae.eventos e WHERE e.tipo = 'sincronizacion'
           AND e.payload->>'dispositivo' = format('c%s-s%s-b%s', l.ciclo, l.cliente, l.k)) AS eventos
  FROM public.lotes_log l
  CROSS JOIN LATERAL public.lote_visitas(l.ciclo, l.cliente, l.k, $lote) x
  LEFT JOIN pae.visitas v ON v.id = x.id
 WHERE l.ciclo = $n
 GROUP BY 1, 2, 3, 4;
INSERT INTO problemas
SELECT format('batch %s/%s/%s (%s): %s of $lote visits, %s whole, %s sync events', ciclo, cliente, k, estado, visitas, enteras, eventos)
  FROM lotes
 WHERE NOT ((visitas = $lote AND enteras = $lote AND eventos = 1)
            OR (estado <> 'confirmado' AND visitas = 0 AND eventos = 0))
    OR estado NOT IN ('confirmado', 'enviado', 'fallido2');
INSERT INTO problemas
SELECT format('%s visits of the sync clients belong to no logged batch', count(*))
  FROM pae.visitas v JOIN public.gente g ON g.id = v.visitador AND g.clave LIKE 'vs%'
 WHERE v.id NOT IN (SELECT x.id FROM public.lotes_log l CROSS JOIN LATERAL public.lote_visitas(l.ciclo, l.cliente, l.k, $lote) x)
HAVING count(*) > 0;
-- (d) the month being moved lost nothing
INSERT INTO problemas
SELECT format('month $mes: %s of $ndefault visits after the crash', count(*))
  FROM pae.visitas WHERE fecha_visita >= '$mes 00:00-05' AND fecha_visita < ('$mes'::date + interval '1 month')::timestamp AT TIME ZONE 'America/Bogota'
HAVING count(*) <> $ndefault;
SELECT que FROM problemas;
SQL
)
    res+=$(q -f "$raiz/tools/consistencia.sql")
    [[ -z $res ]] || fallo "cycle $n, after the crash:"$'\n'"$res"
}

# the checks once the cluster is up again and upkeep has run again
verificar_despues() {
    local n=$1 mes=$2 res
    res=$(q <<SQL
SET client_min_messages = warning;
SELECT pae.mantener_particiones() >= 0 AND pae.sellar_auditoria() >= 0 AS ok \gset
SELECT format('the default partition still holds %s visits', count(*)) FROM pae.visitas_default HAVING count(*) > 0;
SELECT format('month $mes: %s visits in %s', count(*), tableoid::regclass) FROM pae.visitas
 WHERE fecha_visita >= '$mes 00:00-05' AND fecha_visita < ('$mes'::date + interval '1 month')::timestamp AT TIME ZONE 'America/Bogota'
 GROUP BY tableoid HAVING count(*) <> $ndefault OR tableoid <> 'pae.visitas_p$(date -d "$mes" +%Y_%m)'::regclass;
SELECT format('%s audit rows left unsealed', count(*)) FROM pae.auditoria
 WHERE id > coalesce((SELECT max(hasta_id) FROM pae.auditoria_sellos), 0) HAVING count(*) > 0;
SELECT format('verificar_auditoria after a new seal: %s %s %s', tipo, auditoria_id, detalle) FROM pae.verificar_auditoria();
SQL
)
    [[ -z $res ]] || fallo "cycle $n, after upkeep and a new seal:"$'\n'"$res"
}

reportes=$(q -c "SELECT to_regclass('pae_reportes.visitas_mensual') IS NOT NULL")
confirmados=0
en_duda=0
duda_dentro=0
en_vuelo_total=''
for ((n = 1; n <= ciclos; n++)); do
    mes=$(mes_del_ciclo "$n")
    preparar_default "$mes"
    base=$(q -c "SELECT coalesce(max(p.n) + 1, 0) FROM public.pool p JOIN pae.visitas v ON v.id = p.id WHERE v.estado <> 'programada'")
    rm -f "$trabajo/parar"
    hijos=()
    for ((c = 1; c <= nsync; c++)); do cliente_sync "$n" "$c" & hijos+=($!); done
    pgbench -n -U authenticator -c 3 -j 1 -T 600 -D k=0 -D base="$base" -f "$trabajo/transicion.sql" caidas \
        >"$trabajo/pgbench_$n.log" 2>&1 & hijos+=($!)
    bucle_sellado & hijos+=($!)
    sleep "$calentar_s"
    psql -X -q -At -c 'SET client_min_messages = warning' -c 'SELECT pae.mantener_particiones()' \
        >"$trabajo/mantener_$n.log" 2>&1 & hijos+=($!)
    # wait until the four are in flight together (or the bound), then kill
    en_vuelo=$(q <<SQL 2>&1 | sed -n 's/.*en_vuelo=//p'
SET statement_timeout = '$((espera_s + 10))s';
DO \$\$
DECLARE t0 timestamptz := clock_timestamp(); r text;
BEGIN
  LOOP
    PERFORM pg_stat_clear_snapshot();
    SELECT string_agg(DISTINCT k, ',' ORDER BY k) INTO r FROM (
      SELECT CASE WHEN query LIKE '%sincronizar%' THEN 'a_sync' WHEN query LIKE '%transicion%' THEN 'b_transicion'
                  WHEN query LIKE '%sellar_auditoria%' THEN 'c_sellado' WHEN query LIKE '%mantener_particiones%' THEN 'd_particiones' END
        FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()) x(k) WHERE k IS NOT NULL;
    EXIT WHEN r = 'a_sync,b_transicion,c_sellado,d_particiones' OR clock_timestamp() - t0 > interval '$espera_s seconds';
    PERFORM pg_sleep(0.002);
  END LOOP;
  RAISE NOTICE 'en_vuelo=%', coalesce(r, 'nada');
END \$\$;
SQL
)
    matar
    touch "$trabajo/parar"
    for p in "${hijos[@]}"; do wait "$p" 2>/dev/null || true; done
    hijos=()
    if grep -h 'ERROR:' "$trabajo/pgbench_$n.log" >/dev/null; then
        fallo "pgbench saw errors while the server was up: $(grep -h 'ERROR:' "$trabajo/pgbench_$n.log" | head -n 3)"
    fi
    [[ ! -s $trabajo/errores_sync.log ]] || fallo "a sync request failed while the server was up:"$'\n'"$(cat "$trabajo/errores_sync.log")"
    if grep -q rechazado "$trabajo"/sync_"$n"_*.log; then
        fallo "a committed batch was not accepted whole: $(grep -h rechazado "$trabajo"/sync_"$n"_*.log | head -n 3)"
    fi
    arrancar
    verificar "$n" "$mes"
    c_ok=$(cat "$trabajo"/sync_"$n"_*.log | awk '$4 == "confirmado"' | wc -l)
    c_duda=$(q -c "SELECT count(*) FROM public.lotes_log WHERE ciclo = $n AND estado <> 'confirmado'")
    c_duda_dentro=$(q -c "SELECT count(*) FROM public.lotes_log l WHERE ciclo = $n AND estado <> 'confirmado'
                            AND EXISTS (SELECT 1 FROM pae.visitas v WHERE v.id = (SELECT x.id FROM public.lote_visitas(l.ciclo, l.cliente, l.k, 1) x))")
    duda_dentro=$((duda_dentro + c_duda_dentro))
    tx=$(q -c "SELECT count(*) FROM pae.transiciones")
    confirmados=$((confirmados + c_ok)); en_duda=$((en_duda + c_duda))
    verificar_despues "$n" "$mes"
    printf 'caidas: cycle %d: killed with %s in flight; %d batches committed, %d in doubt (%d of them found whole, the rest absent); %s transitions in all; checks ok\n' \
        "$n" "${en_vuelo:-?}" "$c_ok" "$c_duda" "$c_duda_dentro" "$tx"
    [[ $en_vuelo == 'a_sync,b_transicion,c_sellado,d_particiones' ]] && en_vuelo_total+=x
done

if grep -E 'PANIC|terminated by signal' "$log" | grep -v 'terminated by signal 9: Killed' >/dev/null; then
    fallo "the crash cluster's log shows a PANIC or a crashed backend: $(grep -E 'PANIC|terminated by signal' "$log" | head -n 3)"
fi
printf 'STRESS caidas_ciclos %d\n' "$ciclos"
printf 'STRESS caidas_ciclos_con_los_cuatro_en_vuelo %d\n' "${#en_vuelo_total}"
printf 'STRESS caidas_lotes_confirmados %d\n' "$confirmados"
printf 'STRESS caidas_lotes_en_duda %d\n' "$en_duda"
printf 'STRESS caidas_lotes_en_duda_presentes %d\n' "$duda_dentro"
printf 'STRESS caidas_transiciones %s\n' "$(q -c 'SELECT count(*) FROM pae.transiciones')"
printf 'STRESS caidas_filas_auditoria %s\n' "$(q -c 'SELECT count(*) FROM pae.auditoria')"
printf 'caidas: %d kill cycles survived (reports checked: %s)\n' "$ciclos" "$([[ $reportes == t ]] && echo yes || echo 'no: pae_reportes.visitas_mensual absent')"

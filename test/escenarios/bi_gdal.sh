#!/usr/bin/env bash
# Scenario: real GIS/BI clients read the pae_reportes views as pae_bi.
#
# A database with the demo data (tools/demo_datos.sql: every alert type,
# made through the state machine) and a LOGIN role that is only a member of
# pae_bi, reached the way the README tells BI users to connect: a
# pg_service.conf service named pae_cauca.  Through GDAL (Debian's gdal-bin,
# installed by tools/pgenv.sh):
#   1. ogr2ogr reads pae_reportes.cobertura_sedes and pae_reportes.alertas
#      into GeoJSON: as many features as the view has rows (counted in SQL as
#      the same role), every attribute and every point equal to the row's,
#      the names with their accents, no visitador id for pae_bi, and the five
#      alert types of the demo all present;
#   2. ogr2ogr reads pae_reportes.visitas_mensual (no geometry) into CSV,
#      every row and column equal to the view's;
#   3. the same role cannot read a table with personal data (pae.usuarios)
#      through GDAL: the grants above are pae_bi's, not more;
#   4. every layer of the QGIS project bi/pae_cauca.qgs is a PostGIS layer
#      whose datasource (service, table, geometry column, subset sql) opens
#      with ogrinfo as that role, with more than zero features and exactly as
#      many as SQL counts, its declared srid/type match the view's geography
#      column, and the fields its renderer, labels and categories use exist
#      (categories: the five alert types, covering every type in the data).
#
# Runs against the cluster of tools/test.sh (PGHOST, PGPORT, PGUSER set).
set -euo pipefail
cd "$(dirname "$0")/../.."

db=pae_bi_gdal
rol=pae_bi_gdal_lector
tmp=$(mktemp -d)
limpiar() {
    rm -rf "$tmp"
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    psql -X -q -d postgres -c 'SET client_min_messages = warning' -c "DROP ROLE IF EXISTS $rol" >/dev/null 2>&1 || true
}
trap limpiar EXIT

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
py=/usr/bin/python3
[[ -x $py ]] || py=python3
command -v ogr2ogr >/dev/null || { echo "bi_gdal: ogr2ogr not found (gdal-bin; tools/pgenv.sh installs it)"; exit 1; }

dropdb --if-exists "$db" >/dev/null 2>&1 || true
psql_q -d postgres -c 'SET client_min_messages = warning' -c "DROP ROLE IF EXISTS $rol"
createdb "$db"
psql_q -d "$db" -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION pae_cauca CASCADE'

psql_q -d "$db" -f tools/demo_datos.sql >/dev/null
psql_q -d "$db" -c "CREATE ROLE $rol LOGIN IN ROLE pae_bi"

# the README's way in: a service in pg_service.conf (the QGIS project names it)
cat >"$tmp/pg_service.conf" <<EOF
[pae_cauca]
host=$PGHOST
port=$PGPORT
dbname=$db
user=$rol
EOF
export PGSERVICEFILE=$tmp/pg_service.conf
quien=$(psql_q -At -d "service=pae_cauca" -c 'SELECT current_user || $$ $$ || current_database()')
[[ $quien == "$rol $db" ]] || { echo "bi_gdal: the service connects as '$quien', not '$rol $db'"; exit 1; }
pg="PG:service=pae_cauca"
# what a psql session of the BI role sees (ground truth for GDAL's copy)
psql_bi() { psql -X -q -v ON_ERROR_STOP=1 -d "service=pae_cauca" "$@"; }

# --- 1. views with geometry -> GeoJSON ----------------------------------------
for v in cobertura_sedes alertas; do
    ogr2ogr -f GeoJSON "$tmp/$v.geojson" "$pg tables=pae_reportes.$v" "pae_reportes.$v"
    psql_bi --csv -c "SELECT *, ST_X(ubicacion::geometry) AS x, ST_Y(ubicacion::geometry) AS y
                        FROM pae_reportes.$v" >"$tmp/$v.sql.csv"
done
# --- 2. a view without geometry -> CSV ----------------------------------------
ogr2ogr -f CSV "$tmp/visitas_mensual.csv" "$pg tables=pae_reportes.visitas_mensual" pae_reportes.visitas_mensual
psql_bi --csv -c "SELECT * FROM pae_reportes.visitas_mensual" >"$tmp/visitas_mensual.sql.csv"

"$py" - "$tmp" <<'PY'
import csv, json, sys, datetime
tmp = sys.argv[1]
fallos = []

def sql_rows(name):
    with open(f"{tmp}/{name}.sql.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))

def num(s):
    return None if s in (None, "") else float(s)

def ts(s):
    if s in (None, ""):
        return None
    s = s.replace("/", "-").replace("Z", "+00:00")
    if len(s) >= 3 and s[-3] in "+-" and s[-6] not in "+-":   # psql's +00 -> +00:00
        s += ":00"
    return datetime.datetime.fromisoformat(s)

def comparar(vista, clave, filas_gdal, filas_sql, columnas):
    print(f"bi_gdal: {vista}: GDAL {len(filas_gdal)} rows, SQL {len(filas_sql)} rows")
    if len(filas_sql) == 0:
        fallos.append(f"{vista}: the view is empty with the demo data")
    if len(filas_gdal) != len(filas_sql):
        fallos.append(f"{vista}: GDAL read {len(filas_gdal)} rows, SQL counts {len(filas_sql)}")
    g = {clave(r): r for r in filas_gdal}
    s = {clave(r): r for r in filas_sql}
    if len(g) != len(filas_gdal) or len(s) != len(filas_sql):
        fallos.append(f"{vista}: key {clave.__doc__} is not unique")
    for k in sorted(set(g) ^ set(s))[:5]:
        fallos.append(f"{vista}: row {k} only in {'GDAL' if k in g else 'SQL'}")
    for k in sorted(set(g) & set(s)):
        for col, tipo in columnas:
            a, b = g[k].get(col), s[k].get(col)
            if tipo == "num":
                ok = (a is None and b in (None, "")) or (a is not None and b not in (None, "")
                                                         and abs(float(a) - float(b)) <= 1e-7 * max(1, abs(float(b))))
            elif tipo == "json":
                ok = (json.loads(a) if isinstance(a, str) else a) == json.loads(b)
            elif tipo == "ts":
                ok = abs((ts(a) - ts(b)).total_seconds()) < 0.002
            elif tipo == "date":
                ok = (a or "").replace("/", "-") == b
            else:
                ok = ("" if a is None else str(a)) == b
            if not ok:
                fallos.append(f"{vista}: row {k} column {col}: GDAL {a!r}, SQL {b!r}")

def geojson(vista):
    with open(f"{tmp}/{vista}.geojson", encoding="utf-8") as f:
        doc = json.load(f)
    filas = []
    for ft in doc["features"]:
        r = dict(ft["properties"])
        geom = ft.get("geometry") or {}
        if geom.get("type") != "Point":
            fallos.append(f"{vista}: a feature without a point: {r}")
            r["x"] = r["y"] = None
        else:
            r["x"], r["y"] = geom["coordinates"][:2]
        filas.append(r)
    return filas

# cobertura_sedes: one feature per (mes, municipio), at the municipio seat
def k_cob(r):
    "(mes, municipio_codigo)"
    return (str(r["mes"]).replace("/", "-"), r["municipio_codigo"])
cob = geojson("cobertura_sedes")
comparar("cobertura_sedes", k_cob, cob, sql_rows("cobertura_sedes"),
         [("mes", "date"), ("municipio_codigo", "text"), ("municipio_nombre", "text"),
          ("sedes_activas", "num"), ("sedes_visitadas", "num"), ("cobertura_pct", "num"),
          ("x", "num"), ("y", "num")])
if not any(r["municipio_nombre"] == "Páez" for r in cob):
    fallos.append("cobertura_sedes: no feature named 'Páez' (accents lost on the way?)")

# alertas: one feature per open alert, at its sede; no visitador for pae_bi
def k_ale(r):
    "id"
    return int(r["id"])
ale = geojson("alertas")
comparar("alertas", k_ale, ale, sql_rows("alertas"),
         [("visita", "text"), ("mes", "date"), ("tipo", "text"), ("detalle", "json"),
          ("detectada_en", "ts"), ("sede", "text"), ("sede_nombre", "text"),
          ("municipio_codigo", "text"), ("municipio_nombre", "text"), ("visitador", "text"),
          ("x", "num"), ("y", "num")])
con_visitador = [r["id"] for r in ale if r.get("visitador") is not None]
if con_visitador:
    fallos.append(f"alertas: pae_bi sees the visitador of alerts {con_visitador[:5]}")
tipos = {r["tipo"] for r in ale}
esperados = {"fuera_geocerca", "viaje_imposible", "raciones_faltantes", "duracion_sospechosa", "foto_reutilizada"}
if not esperados <= tipos:
    fallos.append(f"alertas: types missing in GDAL's copy: {sorted(esperados - tipos)}")
print("bi_gdal: alertas: types " + ", ".join(f"{t}={sum(r['tipo'] == t for r in ale)}" for t in sorted(tipos)))

# visitas_mensual through the CSV driver
def k_vis(r):
    "(mes, municipio_codigo, operador, contrato)"
    return (r["mes"].replace("/", "-"), r["municipio_codigo"], r["operador"], r["contrato"])
with open(f"{tmp}/visitas_mensual.csv", encoding="utf-8") as f:
    vis = list(csv.DictReader(f))
comparar("visitas_mensual", k_vis, vis, sql_rows("visitas_mensual"),
         [("mes", "date"), ("municipio_nombre", "text"), ("operador_nombre", "text")] +
         [(c, "num") for c in ("programadas", "realizadas", "aprobadas", "devueltas", "canceladas",
                               "fuera_geocerca", "raciones_programadas", "raciones_entregadas")])

for f in fallos[:40]:
    print("bi_gdal: FAIL " + f)
sys.exit(1 if fallos else 0)
PY

# --- 3. the same role through GDAL cannot read personal data -------------------
if ogr2ogr -f CSV "$tmp/usuarios.csv" "$pg tables=pae.usuarios" pae.usuarios >"$tmp/usuarios.log" 2>&1; then
    echo "bi_gdal: FAIL: $rol (pae_bi) read pae.usuarios through GDAL"
    exit 1
fi
grep -q 'permission denied for table usuarios' "$tmp/usuarios.log" ||
    { echo "bi_gdal: FAIL: reading pae.usuarios failed, but not for lack of privilege on it:"; cat "$tmp/usuarios.log"; exit 1; }
echo "bi_gdal: pae.usuarios through GDAL as $rol: permission denied for table usuarios"

# --- 4. every layer of the QGIS project opens through GDAL --------------------
"$py" - bi/pae_cauca.qgs "$tmp" <<'PY'
import re, subprocess, sys
import xml.etree.ElementTree as ET
qgs, tmp = sys.argv[1], sys.argv[2]
fallos = []

def datasource(ds):
    """QGIS's PostgreSQL datasource: key='v' / key=v pairs, table="s"."t" (col), sql=rest"""
    out, i = {}, 0
    while i < len(ds):
        m = re.compile(r"\s*([a-zA-Z_]+)=").match(ds, i)
        if not m:
            break
        k, i = m.group(1), m.end()
        if k == "sql":
            out[k] = ds[i:].strip()
            break
        if k == "table":
            m = re.compile(r'"((?:[^"]|"")+)"\."((?:[^"]|"")+)"(?:\s*\(([^)]+)\))?').match(ds, i)
            out["schema"], out["table"], out["geom"] = m.group(1), m.group(2), m.group(3)
            i = m.end()
        elif ds[i:i + 1] == "'":
            j, v = i + 1, ""
            while ds[j] != "'":
                if ds[j] == "\\":
                    j += 1
                v += ds[j]
                j += 1
            out[k], i = v, j + 1
        else:
            m = re.compile(r"\S*").match(ds, i)
            out[k], i = m.group(0), m.end()
    return out

def psql(sql):
    return subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", "service=pae_cauca", "-c", sql],
                          check=True, capture_output=True, text=True).stdout.strip()

raiz = ET.parse(qgs).getroot()
capas = raiz.findall("./projectlayers/maplayer")
en_arbol = {n.get("id"): n.get("source") for n in raiz.iter("layer-tree-layer")}
if not capas:
    fallos.append("the project has no layers")
for capa in capas:
    lid = capa.findtext("id")
    nombre = capa.findtext("layername")
    proveedor = capa.findtext("provider")
    if proveedor != "postgres":
        fallos.append(f"layer {nombre}: provider {proveedor!r}, not postgres")
        continue
    if lid not in en_arbol:
        fallos.append(f"layer {nombre}: not in the layer tree")
    elif en_arbol[lid] != capa.findtext("datasource"):
        fallos.append(f"layer {nombre}: the layer tree's source differs from the layer's datasource")
    d = datasource(capa.findtext("datasource"))
    if d.get("service") != "pae_cauca" or "user" in d or "password" in d:
        fallos.append(f"layer {nombre}: the datasource must name service='pae_cauca' and no user/password: {d}")
    conn = "PG:" + " ".join(f"{k}={d[k]}" for k in ("service", "dbname", "host", "port", "user") if k in d)
    tabla = f'{d["schema"]}.{d["table"]}'
    conn += f' tables={tabla}({d["geom"]})' if d.get("geom") else f" tables={tabla}"
    cmd = ["ogrinfo", "-ro", "-so", conn, tabla + (f'({d["geom"]})' if d.get("geom") else "")]
    sql = d.get("sql", "")
    if sql:
        cmd[3:3] = ["-where", sql]
    r = subprocess.run(cmd, capture_output=True, text=True)
    salida = r.stdout + r.stderr
    m = re.search(r"^Feature Count: (\d+)$", salida, re.M)
    if r.returncode != 0 or "ERROR" in salida or not m:
        fallos.append(f"layer {nombre}: ogrinfo {' '.join(cmd[1:])} failed:\n{salida}")
        continue
    n = int(m.group(1))
    esperado = int(psql(f'SELECT count(*) FROM "{d["schema"]}"."{d["table"]}"' + (f" WHERE {sql}" if sql else "")))
    print(f"bi_gdal: qgs layer '{nombre}': ogrinfo {n} features, SQL {esperado}")
    if n == 0 or n != esperado:
        fallos.append(f"layer {nombre}: ogrinfo counts {n} features, SQL {esperado} (must be equal and > 0)")
    if f'Geometry Column = {d["geom"]}' not in salida or "Extent: (" not in salida:
        fallos.append(f"layer {nombre}: GDAL finds no geometry in column {d['geom']}:\n{salida}")
    geo = psql("SELECT srid || ' ' || type FROM geography_columns WHERE f_table_schema = "
               f"'{d['schema']}' AND f_table_name = '{d['table']}' AND f_geography_column = '{d['geom']}'")
    if geo != f"{d.get('srid')} {d.get('type')}":
        fallos.append(f"layer {nombre}: the project says srid={d.get('srid')} type={d.get('type')}, the view {geo!r}")
    campos = set(re.findall(r"^(\w+): \w", salida.split("Geometry Column", 1)[-1], re.M))
    usados = set()
    for rend in capa.iter("renderer-v2"):
        if rend.get("attr"):
            usados.add(rend.get("attr"))
    for ts in capa.iter("text-style"):
        if ts.get("isExpression") == "0" and ts.get("fieldName"):
            usados.add(ts.get("fieldName"))
    for c in set(re.findall(r'"(\w+)"', d.get("key", ""))) | ({d["key"]} if d.get("key", "").isidentifier() else set()):
        usados.add(c)
    for c in sorted(usados - campos):
        fallos.append(f"layer {nombre}: the project uses field {c!r}, GDAL lists only {sorted(campos)}")
    rend = capa.find("renderer-v2")
    if rend is not None and rend.get("type") == "categorizedSymbol":
        valores = {c.get("value") for c in rend.iter("category")}
        esperados = {"fuera_geocerca", "viaje_imposible", "raciones_faltantes", "duracion_sospechosa", "foto_reutilizada"}
        if valores != esperados:
            fallos.append(f"layer {nombre}: categories {sorted(valores)}, expected the five alert types")
        en_datos = set(psql(f'SELECT string_agg(DISTINCT {rend.get("attr")}, \' \') FROM "{d["schema"]}"."{d["table"]}"').split())
        if en_datos - valores:
            fallos.append(f"layer {nombre}: values {sorted(en_datos - valores)} have no category")
    if rend is not None and rend.get("type") == "graduatedSymbol":
        rangos = sorted((float(x.get("lower")), float(x.get("upper"))) for x in rend.iter("range"))
        if not rangos or rangos[0][0] > 0 or rangos[-1][1] < 100 or any(a[1] != b[0] for a, b in zip(rangos, rangos[1:])):
            fallos.append(f"layer {nombre}: graduated ranges {rangos} do not cover 0..100 without gaps")
print(f"bi_gdal: bi/pae_cauca.qgs: {len(capas)} layers checked")
for f in fallos:
    print("bi_gdal: FAIL " + f)
sys.exit(1 if fallos else 0)
PY
echo "bi_gdal: GeoJSON, CSV and every QGIS layer read through GDAL as $rol (pae_bi) match SQL"

#!/bin/sh
# Writes the install fragment of the 42 municipios from data/cauca_municipios.csv.
# Usage: tools/municipios_sql.sh > sql/install/30-municipios.sql (the 1.0 fragments, now frozen into sql/pae_cauca--1.0.sql)
set -eu
csv="$(dirname "$0")/../data/cauca_municipios.csv"
cat <<'HEAD'
-- The 42 municipios of Cauca, generated from data/cauca_municipios.csv
-- (DANE DIVIPOLA codes and names; cabecera coordinates good to a few
-- hundred metres).  Regenerate with: tools/municipios_sql.sh > sql/install/30-municipios.sql (the 1.0 fragments, now frozen into sql/pae_cauca--1.0.sql)

INSERT INTO pae.municipios (codigo, nombre, ubicacion) VALUES
HEAD
awk -F, 'NR > 1 { gsub(/'"'"'/, "'"''"'", $2);
  rows[++n] = sprintf("    ('"'"'%s'"'"', '"'"'%s'"'"', ST_SetSRID(ST_MakePoint(%.6f, %.6f), 4326)::geography)", $1, $2, $4, $3) }
  END { for (i = 1; i <= n; i++) printf "%s%s\n", rows[i], (i < n ? "," : ";") }' "$csv"

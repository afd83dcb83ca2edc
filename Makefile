# pae_cauca -- PGXS build
#
# One version, one place: default_version in pae_cauca.control.
#
# Versioned scripts (a released script never changes again):
#   sql/pae_cauca--1.0.sql        1.0 as released, frozen (committed as is)
#   sql/pae_cauca--1.0--1.1.sql   built: the fragments sql/1.1/NN-*.sql, in order
#   sql/pae_cauca--1.1.sql        built: the 1.0 script followed by the upgrade,
#                                 so a fresh 1.1 and an upgraded 1.0 are the same
#                                 catalog by construction (the \echo guard lines
#                                 are stripped by CREATE EXTENSION)
#
# Tests: PostgreSQL 15's pg_regress reads <inputdir>/sql and writes its
# output beside <inputdir>/expected; it has no --expecteddir (that is 16+).
# The product's layout keeps test sources in test/ and expected output in
# expected/, so test/expected is a symlink to ../expected, committed as such.

EXTENSION = pae_cauca
EXTVERSION := $(shell sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" $(EXTENSION).control)

MODULE_big = pae_cauca
OBJS = \
	src/pae_cauca.o \
	src/reglas.o \
	src/spi_plan.o \
	src/geodesy.o \
	src/geofence.o \
	src/sedes.o \
	src/cache.o \
	src/disparadores.o \
	src/actor.o \
	src/acceso.o \
	src/visita.o \
	src/validation.o \
	src/transitions.o \
	src/checkins.o \
	src/tiempos.o \
	src/alertas.o \
	src/fila_jsonb.o \
	src/audit.o \
	src/jwt.o \
	src/login.o \
	src/cabeceras.o \
	src/sync_item.o \
	src/sync.o \
	src/visita_alcance.o \
	src/hijos_visita.o \
	src/plan_clave.o \
	src/version.o \
	src/auditoria_canon.o \
	src/eventos.o \
	src/relay.o

UPGRADE_1_1_FRAGMENTS = $(sort $(wildcard sql/1.1/*.sql))
DATA_built = sql/$(EXTENSION)--1.0--1.1.sql sql/$(EXTENSION)--1.1.sql
DATA = sql/$(EXTENSION)--1.0.sql

# Every test file stands alone: pg_regress creates its database with the
# extensions already installed (in this order: pae_cauca needs postgis and
# pgcrypto), so any file runs alone (make installcheck REGRESS=name) or in
# any order; each file keeps its fixtures inside a transaction it rolls back.
# test/sql/00_instalar.sql proves CREATE EXTENSION pae_cauca CASCADE itself.
REGRESS = $(basename $(notdir $(sort $(wildcard test/sql/*.sql))))
REGRESS_OPTS = --inputdir=test --outputdir=test/out \
	--load-extension=postgis --load-extension=pgcrypto \
	--load-extension=pae_cauca --load-extension=pgtap

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK = -lm

EXTRA_CLEAN = $(DATA_built) test/out test/out_iso

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies unless PostgreSQL was configured with
# --enable-depend: every object depends on every project header.
$(OBJS): $(wildcard src/*.h)

# the library's own version (pae.version_biblioteca) comes from the control file
# (and into its LLVM bitcode, src/version.bc, when the server has JIT)
src/version.o src/version.bc: override CPPFLAGS += -DPAE_VERSION='"$(EXTVERSION)"'
src/version.o src/version.bc: $(EXTENSION).control

# the directory too: deleting a fragment changes its mtime, not any fragment's
sql/$(EXTENSION)--1.0--1.1.sql: $(UPGRADE_1_1_FRAGMENTS) sql/1.1
	cat $(UPGRADE_1_1_FRAGMENTS) > $@

sql/$(EXTENSION)--1.1.sql: sql/$(EXTENSION)--1.0.sql sql/$(EXTENSION)--1.0--1.1.sql
	cat $^ > $@

installcheck: test/out
test/out:
	mkdir -p $@

.PHONY: demo test bench valgrind stress
demo:
	@tools/demo.sh
test:
	tools/test.sh
bench:
	tools/bench.sh
valgrind:
	tools/valgrind.sh
stress:
	tools/stress.sh

# pae_cauca -- PGXS build
#
# One version, one place: default_version in pae_cauca.control.  The install
# script sql/pae_cauca--$(EXTVERSION).sql is built from the fragments in
# sql/install/NN-*.sql, concatenated in order.
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
	src/spi_plan.o \
	src/geodesy.o \
	src/geofence.o \
	src/sedes.o \
	src/actor.o \
	src/visita.o \
	src/validation.o \
	src/transitions.o \
	src/checkins.o \
	src/fila_jsonb.o \
	src/audit.o

INSTALL_FRAGMENTS = $(sort $(wildcard sql/install/*.sql))
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built), $(wildcard sql/$(EXTENSION)--*.sql))

REGRESS = $(basename $(notdir $(sort $(wildcard test/sql/*.sql))))
REGRESS_OPTS = --inputdir=test --outputdir=test/out --load-extension=pgtap

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK = -lm

EXTRA_CLEAN = sql/$(EXTENSION)--$(EXTVERSION).sql test/out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies unless PostgreSQL was configured with
# --enable-depend: every object depends on every project header.
$(OBJS): $(wildcard src/*.h)

sql/$(EXTENSION)--$(EXTVERSION).sql: $(INSTALL_FRAGMENTS) $(EXTENSION).control
	cat $(INSTALL_FRAGMENTS) > $@

installcheck: test/out
test/out:
	mkdir -p $@

.PHONY: demo test bench valgrind
demo:
	tools/demo.sh
test:
	tools/test.sh
bench:
	tools/bench.sh
valgrind:
	tools/valgrind.sh

# omnichannel: PGXS build, plus the project's own targets (demo, test).
#
#   make / make install      build and install into the PostgreSQL of PG_CONFIG
#   make installcheck        pg_regress + pg_isolation_regress against a running server
#   make demo                set-up, build, private cluster, demo retailer, guided tour
#   make test                set-up, build, private cluster, every test suite

EXTENSION = omnichannel
EXTVERSION = 0.1

# Prefer PostgreSQL 15 when several are installed; PG_CONFIG=... overrides.
PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)

MODULE_big = omnichannel
SRCS := $(sort $(wildcard src/*.c src/*/*.c))
OBJS = $(SRCS:.c=.o)
PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -Wall -Wmissing-prototypes -Werror

# The install script is generated from src/sql/NN_part.sql in name order;
# upgrade scripts (omnichannel--A--B.sql) are written by hand.
SQL_PARTS := $(sort $(wildcard src/sql/*.sql))
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard $(EXTENSION)--*--*.sql))

REGRESS := $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=$(EXTENSION)

ISOLATION := $(patsubst test/isolation/specs/%.spec,%,$(sort $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=$(EXTENSION)

EXTRA_CLEAN = results output_iso regression.diffs regression.out test/unit/*.bin

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(DATA_built): $(SQL_PARTS) Makefile
	( echo '-- Generated from src/sql/*.sql by the Makefile: edit those files, not this one.'; \
	  printf '%s\n' '\echo Use "CREATE EXTENSION $(EXTENSION)" to load this file. \quit'; \
	  for f in $(SQL_PARTS); do echo; echo "-- ==== $$f"; cat $$f; done ) > $@

all: $(DATA_built)

.PHONY: demo test deps unit-test torture bench fuzz crash sqlsmith

deps:
	bash scripts/install-deps.sh

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

# Plain-C unit tests of the parsers, run without a server.
unit-test:
	bash scripts/unit-test.sh

# The long torture run (make test runs a short one), on its own cluster.
torture:
	bash scripts/torture.sh

# Every benchmark under test/bench/, each printing its figures.
bench:
	for b in test/bench/*.sh; do case $$b in */lib.sh) ;; *) bash $$b || exit 1 ;; esac; done

# libFuzzer on the parsers, 10 million inputs each (make test runs a short pass).
fuzz:
	bash scripts/fuzz.sh 10000000

# Kill server processes during a torture load, recover, check every invariant.
crash:
	bash scripts/crash.sh

# sqlsmith's random queries against a loaded database: the server must survive.
sqlsmith:
	bash scripts/sqlsmith.sh

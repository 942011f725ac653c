# Sourced by the other scripts: which PostgreSQL to build against and run.
# PGVER (default 15) picks the Debian installation; PG_ROOT, when set, is a
# copy of it under another root (PostgreSQL finds its files relative to its
# binaries), so that several checkouts can install and test side by side.
PGVER=${PGVER:-15}
PG_ROOT=${PG_ROOT:-}
PGBIN=${PGBIN:-$PG_ROOT/usr/lib/postgresql/$PGVER/bin}
PG_CONFIG=${PG_CONFIG:-$PGBIN/pg_config}
export PGVER PG_ROOT PGBIN PG_CONFIG

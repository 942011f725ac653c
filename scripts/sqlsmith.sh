#!/usr/bin/env bash
# `make sqlsmith`: sqlsmith sends random queries, built from the catalogue,
# to a database loaded with the demo retailer.  They may fail as they like;
# the server must never crash.  Runs as a non-superuser that may call every
# omni function (so that random queries hit our C code with random
# arguments, not pg_terminate_backend).
#   OMNI_SQLSMITH_QUERIES (default 100000)
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/pgenv.sh
QUERIES=${OMNI_SQLSMITH_QUERIES:-100000}
export OMNI_PGPORT=${OMNI_PGPORT:-54319}
export OMNI_CLUSTER_DIR=${OMNI_CLUSTER_DIR:-/tmp/omnichannel-sqlsmith-$(id -u)}
if [ "${OMNI_SQLSMITH_NO_SETUP:-0}" != 1 ]; then
	bash scripts/install-deps.sh >/dev/null || exit 1
	bash scripts/build.sh || exit 1
fi
eval "$(bash scripts/cluster.sh env)"
trap 'bash scripts/cluster.sh stop >/dev/null' EXIT
bash scripts/cluster.sh start || exit 1

DB=omni_smith
psql -X -q -d postgres -c "CREATE DATABASE $DB" || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<'SQL' || exit 1
CREATE EXTENSION omnichannel;
\i demo/load.sql
SELECT omni.receive(p.sku, l.code, 20) FROM omni.products p, omni.locations l;
SELECT omni.reserve(p.sku, l.code, 1) FROM omni.products p, omni.locations l;
CREATE ROLE smith LOGIN;
GRANT USAGE ON SCHEMA omni TO smith;
GRANT SELECT ON ALL TABLES IN SCHEMA omni TO smith;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA omni TO smith;
ALTER ROLE smith SET statement_timeout = '2s';
SQL

start=$(date +%s)
sqlsmith --target="host=$PGHOST port=$PGPORT dbname=$DB user=smith" \
	--max-queries="$QUERIES" --seed="${OMNI_SQLSMITH_SEED:-42}" >"$OMNI_CLUSTER_DIR/sqlsmith.out" 2>&1
rc=$?
tail -n 5 "$OMNI_CLUSTER_DIR/sqlsmith.out"
crashes=$(grep -cE "terminated by signal|was terminated by exception" "$OMNI_CLUSTER_LOG" || true)
alive=$(psql -X -At -d $DB -c "SELECT 1" 2>/dev/null)
echo "sqlsmith: $QUERIES queries in $(($(date +%s) - start)) s (exit $rc), $crashes server crashes, server alive: ${alive:-no}"
if [ "$crashes" -eq 0 ] && [ "$alive" = 1 ]; then
	echo "1 passed, 0 failed"
else
	grep -B2 -A10 -E "terminated by signal" "$OMNI_CLUSTER_LOG" | head -40
	echo "0 passed, 1 failed"
	exit 1
fi

#!/usr/bin/env bash
# Inventory torture: many clients reserve, commit, release, sell, expire,
# adjust, count and re-slot at random on three scarce SKUs, while a flash
# sale sends every client at 3,000 units of one SKU; then the invariants
# are checked in SQL and the counts reported.
#
# Needs a running server (PGHOST/PGPORT/PGUSER), as in `make test`; or run
# `make torture`, which starts the private cluster and runs the long form.
#   OMNI_TORTURE_CLIENTS (default 16), OMNI_TORTURE_SECONDS (default 10)
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/pgenv.sh
CLIENTS=${OMNI_TORTURE_CLIENTS:-16}
SECONDS_RUN=${OMNI_TORTURE_SECONDS:-10}
DB=omni_torture
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "CREATE EXTENSION omnichannel" -f test/torture/stock.sql >/dev/null || exit 1

printf '\\set sku random(1, 3)\n\\set op random(1, 100)\nSELECT torture_step(:sku, :op);\n' >"$tmp/mix.sql"
printf 'SELECT flash_buy();\n' >"$tmp/flash.sql"

echo "torture: $CLIENTS clients, $SECONDS_RUN s of random stock operations on 3 scarce SKUs"
"$PGBIN/pgbench" -n -c "$CLIENTS" -j 2 -T "$SECONDS_RUN" -f "$tmp/mix.sql" $DB >"$tmp/mix.out" 2>&1 ||
	{ cat "$tmp/mix.out"; echo "0 passed, 1 failed"; exit 1; }
echo "torture: flash sale, 3,000 units, 32 clients x 150 attempts"
"$PGBIN/pgbench" -n -c 32 -j 2 -t 150 -f "$tmp/flash.sql" $DB >"$tmp/flash.out" 2>&1 ||
	{ cat "$tmp/flash.out"; echo "0 passed, 1 failed"; exit 1; }

psql -X -q -d $DB -c "SELECT op, outcome, count(*) FROM torture_log GROUP BY 1, 2 ORDER BY 1, 2"
psql -X -q -d $DB -c "SELECT count(*) FILTER (WHERE ok) AS flash_reserved, count(*) FILTER (WHERE NOT ok) AS flash_refused FROM flash_log"
psql -X -A -t -F ' ' -d $DB -f test/torture/check.sql >"$tmp/check.out" 2>&1
cat "$tmp/check.out"
passed=$(grep -c '^ok ' "$tmp/check.out")
failed=$(grep -vc '^ok ' "$tmp/check.out")
[ "$passed" -eq 0 ] && failed=$((failed + 1))
[ "${OMNI_TORTURE_KEEP:-0}" = 1 ] || psql -X -q -d postgres -c "DROP DATABASE $DB"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

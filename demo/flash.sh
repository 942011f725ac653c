#!/usr/bin/env bash
# The flash sale: OMNI_DEMO_FLASH_CLIENTS concurrent buyers (default 16)
# make OMNI_DEMO_FLASH_ATTEMPTS attempts in all (default 3200) to buy one of
# OMNI_DEMO_FLASH_UNITS units (default 300) of one SKU, with pgbench; then
# the stock must show no oversell.  Database $1 (default omnichannel).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pgenv.sh
DB=${1:-omnichannel}
CLIENTS=${OMNI_DEMO_FLASH_CLIENTS:-16}
ATTEMPTS=${OMNI_DEMO_FLASH_ATTEMPTS:-3200}
UNITS=${OMNI_DEMO_FLASH_UNITS:-300}
psql -X -q -v ON_ERROR_STOP=1 -v units="$UNITS" -d "$DB" -f demo/flash.sql
script=$(mktemp)
trap 'rm -f "$script"' EXIT
printf '%s\n' '\set i random(1, 1000000)' 'SELECT demo.flash_buy(:i);' >"$script"
echo "  $CLIENTS buyers at once, $ATTEMPTS attempts, $UNITS units of FLASH-CAMISA-2026 (pgbench):"
started=$(date +%s%N)
"$PGBIN/pgbench" -n -r -c "$CLIENTS" -j 2 -t $((ATTEMPTS / CLIENTS)) -f "$script" "$DB" 2>&1 |
	grep -E '^(number of transactions actually processed|number of failed|tps)' | sed 's/^/    /'
echo "    took $(( ($(date +%s%N) - started) / 1000000 )) ms"
psql -X -v ON_ERROR_STOP=1 -d "$DB" <<'SQL'
\pset footer off
\set ECHO queries
SELECT outcome, count(*) AS attempts FROM demo.flash_log GROUP BY 1 ORDER BY 1;
SELECT sku, location, on_hand, reserved, available FROM omni.stock_levels WHERE sku = 'FLASH-CAMISA-2026';
SELECT count(*) AS active_reservations, coalesce(sum(qty), 0) AS units_reserved
  FROM omni.reservations WHERE sku = 'FLASH-CAMISA-2026' AND status = 'active';
SELECT count(*) AS orders_with_the_shirt FROM omni.order_lines WHERE sku = 'FLASH-CAMISA-2026';
SELECT count(*) AS check_stock_problems FROM omni.check_stock();
SQL

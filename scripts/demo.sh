#!/usr/bin/env bash
# `make demo`: set-up, build, a private cluster, the demo retailer (a
# Brazilian sports chain: demo/load.sh), a short tour, the six-step customer
# journey (demo/journey.sql) with omni-listen in the background, a flash
# sale (demo/flash.sh) and identity resolution statistics; then a summary.
# The cluster is stopped at the end, also on failure; OMNI_DEMO_KEEP=1
# leaves it running to explore with psql.  Sizes: OMNI_DEMO_STORES,
# OMNI_DEMO_SKUS, OMNI_DEMO_CUSTOMERS (doc/demo.md).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pgenv.sh
now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { printf '%d.%d' $(($1 / 1000)) $((($1 % 1000) / 100)); }
t_start=$(now_ms)

bash scripts/install-deps.sh
bash scripts/build.sh

eval "$(bash scripts/cluster.sh env)"
tmp=$(mktemp -d)
chmod 755 "$tmp"
listener=
cleanup()
{
	if [ -n "$listener" ]; then
		kill "$listener" 2>/dev/null || true
		wait "$listener" 2>/dev/null || true
	fi
	rm -rf "$tmp"
	if [ "${OMNI_DEMO_KEEP:-0}" != 1 ]; then
		bash scripts/cluster.sh stop
	fi
}
trap cleanup EXIT
bash scripts/cluster.sh start

DB=omnichannel
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d "$DB")
"${PSQL[@]}" <<'SQL'
CREATE EXTENSION pg_cron;
CREATE EXTENSION omnichannel CASCADE;
SQL
t_setup=$(now_ms)

banner()
{
	echo
	echo "################################################################"
	echo "# $1"
	echo "################################################################"
}

banner "Loading the demo retailer (demo/load.sh, every write through omni.*)"
bash demo/load.sh "$DB"
t_load=$(now_ms)

banner "A short tour (demo/tour.sql)"
psql -X -d "$DB" -f demo/tour.sql

# The store screens: omni-listen prints the stock and order events from
# here on (the events worker sends them after each commit).
from=$("${PSQL[@]}" -At -c "SELECT coalesce(max(event_id), 0) FROM omni.events")
for _ in $(seq 1 60); do
	ready=$("${PSQL[@]}" -At -c "SELECT omni.events_worker_serves()")
	[ "$ready" = t ] && break
	sleep 0.5
done
"$PGBIN/omni-listen" -d "dbname=$DB" -c omni_stock -c omni_order --since "$from" >"$tmp/listen.out" 2>"$tmp/listen.err" &
listener=$!
export OMNI_DEMO_LISTEN_OUT="$tmp/listen.out"

banner "The customer journey (demo/journey.sql)"
t_journey0=$(now_ms)
psql -X -d "$DB" -f demo/journey.sql
t_journey=$(now_ms)

banner "A flash sale: many buyers, one SKU (demo/flash.sh)"
bash demo/flash.sh "$DB"
t_flash=$(now_ms)

banner "Identity resolution (demo/identity-stats.sql)"
psql -X -d "$DB" -f demo/identity-stats.sql
t_ident=$(now_ms)

kill "$listener" 2>/dev/null || true
wait "$listener" 2>/dev/null || true
listened=$(wc -l <"$tmp/listen.out")
listener=

banner "Summary"
"${PSQL[@]}" -At -F ' ' <<SQL | awk '{ printf "  %-34s %s\n", $1, $2 }'
SELECT 'stores', count(*) FROM omni.locations WHERE kind = 'store'
UNION ALL SELECT 'distribution_centres', count(*) FROM omni.locations WHERE kind = 'warehouse'
UNION ALL SELECT 'skus', count(*) FROM omni.products
UNION ALL SELECT 'stocked_sku_location_pairs', count(*) FROM omni.stock_levels
UNION ALL SELECT 'channel_records', count(*) FROM omni.identities
UNION ALL SELECT 'customers', count(*) FROM omni.customers WHERE status = 'active'
UNION ALL SELECT 'interactions', count(*) FROM omni.interactions
UNION ALL SELECT 'orders_online', count(*) FROM omni.orders WHERE channel <> 'pos'
UNION ALL SELECT 'orders_pos', count(*) FROM omni.orders WHERE channel = 'pos'
UNION ALL SELECT 'returns', count(*) FROM omni.returns
UNION ALL SELECT 'events_logged', count(*) FROM omni.events
UNION ALL SELECT 'events_printed_by_omni-listen', $listened
UNION ALL SELECT 'check_stock_problems', count(*) FROM omni.check_stock();
SQL
t_end=$(now_ms)
echo "  timings (s): set-up $(secs $((t_setup - t_start))), load $(secs $((t_load - t_setup)))," \
	"tour $(secs $((t_journey0 - t_load))), journey $(secs $((t_journey - t_journey0)))," \
	"flash sale $(secs $((t_flash - t_journey))), identity $(secs $((t_ident - t_flash)))," \
	"total $(secs $((t_end - t_start)))"
echo
echo "demo: done."
if [ "${OMNI_DEMO_KEEP:-0}" = 1 ]; then
	echo "demo: the cluster keeps running: psql -h $PGHOST -p $PGPORT -U postgres $DB"
	echo "demo: stop it with: bash scripts/cluster.sh stop"
fi

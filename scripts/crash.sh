#!/usr/bin/env bash
# `make crash`: crash safety.  Rounds of a multi-client torture load during
# which a server process is killed with SIGKILL (the postmaster then resets
# every backend and replays WAL, as after a power loss); after each round
# the server must come back and every invariant must hold: no negative
# stock, ledger = balances, slot counters = active reservations, one ledger
# sale per committed reservation.
#   OMNI_CRASH_ROUNDS (default 5), OMNI_CRASH_CLIENTS (default 16)
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/pgenv.sh
ROUNDS=${OMNI_CRASH_ROUNDS:-5}
CLIENTS=${OMNI_CRASH_CLIENTS:-16}
export OMNI_PGPORT=${OMNI_PGPORT:-54318}
export OMNI_CLUSTER_DIR=${OMNI_CLUSTER_DIR:-/tmp/omnichannel-crash-$(id -u)}
if [ "${OMNI_CRASH_NO_SETUP:-0}" != 1 ]; then
	bash scripts/install-deps.sh >/dev/null || exit 1
	bash scripts/build.sh || exit 1
fi
eval "$(bash scripts/cluster.sh env)"
trap 'bash scripts/cluster.sh stop >/dev/null' EXIT
bash scripts/cluster.sh start || exit 1
log_start=$(wc -l <"$OMNI_CLUSTER_LOG")

# The database the events worker serves (omni.events_database), so that
# published events can be checked after each recovery.
DB=omnichannel
tmp=$(mktemp -d)
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "CREATE EXTENSION omnichannel" -f test/torture/stock.sql \
	-f test/torture/orders.sql >/dev/null || exit 1
printf '\\set sku random(1, 3)\n\\set op random(1, 100)\nSELECT torture_step(:sku, :op);\n' >"$tmp/mix.sql"
printf '\\set c random(1, 20)\n\\set op random(1, 100)\nSELECT torture_order_step(:c, :op);\n' >"$tmp/orders.sql"

wait_ready()
{
	for _ in $(seq 1 120); do
		psql -X -q -At -d $DB -c "SELECT 1" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}

pass=0
fail=0
for round in $(seq 1 "$ROUNDS"); do
	"$PGBIN/pgbench" -n -c "$CLIENTS" -j 2 -T 8 -f "$tmp/mix.sql@3" -f "$tmp/orders.sql@1" $DB >"$tmp/load.$round" 2>&1 &
	load=$!
	sleep $((2 + round % 4))
	victim=$(psql -X -At -d $DB -c "SELECT pid FROM pg_stat_activity
		WHERE datname = '$DB' AND pid <> pg_backend_pid() AND state = 'active'
		ORDER BY random() LIMIT 1")
	if [ -z "$victim" ]; then
		echo "crash: round $round found no busy backend to kill"
		fail=$((fail + 1))
		wait $load
		continue
	fi
	kill -9 "$victim"
	wait $load
	if ! wait_ready; then
		echo "crash: round $round: the server did not come back"
		fail=$((fail + 1))
		break
	fi
	# let the events worker publish what committed before the crash
	psql -X -q -At -d $DB -c "SELECT omni.flush_events()" >/dev/null 2>&1
	sleep 2
	problems=$(psql -X -At -d $DB -f test/torture/crash_check.sql 2>&1 | awk -F'|' '$1 != "ok" { n++; print > "/dev/stderr" } END { print n + 0 }')
	ops=$(psql -X -At -d $DB -c "SELECT (SELECT count(*) FROM torture_log) || ' stock operations, '
		|| (SELECT count(*) FROM omni.orders) || ' orders, ' || (SELECT count(*) FROM omni.events) || ' events'")
	if [ "$problems" = 0 ]; then
		echo "crash: round $round: killed backend $victim, recovered, invariants hold ($ops so far)"
		pass=$((pass + 1))
	else
		echo "crash: round $round: $problems invariant violations after recovery"
		psql -X -d $DB -c "SELECT * FROM omni.check_stock()"
		fail=$((fail + 1))
	fi
done
resets=$(tail -n +"$log_start" "$OMNI_CLUSTER_LOG" | grep -c "terminating any other active server processes" || true)
echo "crash: $ROUNDS rounds, $resets crash resets of the server seen in its log"
rm -rf "$tmp"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

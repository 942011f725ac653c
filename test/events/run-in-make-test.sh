#!/usr/bin/env bash
# End to end: omni-listen against the events worker, under fire.
#
# In the database the events worker serves ("omnichannel"), writers keep
# reserving stock, setting prices, placing and shipping orders (and rolling
# some transactions back) while:
#   - listener 1 prints events, then is killed with SIGKILL;
#   - listener 2 starts with --since <the last id listener 1 printed>;
#   - the server is restarted with pg_ctl restart, mid-stream, then
#     crashed (pg_ctl restart -m immediate);
#   - the writers stop, listener 2 catches up and is stopped with SIGTERM.
# Then the ids printed by the two listeners, in order, must be exactly the
# ids in omni.events after the start: no gap, no duplicate, none out of
# order, nothing from a rolled-back transaction.
#
# Run by `make test` (scripts/test.sh) against its cluster; prints
# "N passed, N failed" last.  About 30 s.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/pgenv.sh
DB=omnichannel
LISTEN="$PGBIN/omni-listen"
DATA="$(dirname "$OMNI_CLUSTER_LOG")/data"
tmp=$(mktemp -d)
chmod 777 "$tmp"
. test/lib.sh
pids=()

cleanup()
{
	touch "$tmp/stop"
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

finish()
{
	if [ "$fail" -gt 0 ]; then
		for f in "$tmp"/err*; do [ -s "$f" ] && sed "s|^|# $(basename "$f"): |" "$f"; done
	fi
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
sql() { psql -X -At -q -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
as_owner()
{
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
last_printed()
{
	cat "$@" 2>/dev/null | sed -nE 's/.*"event_id": ([0-9]+).*/\1/p' | tail -n 1
}

echo "events end-to-end: two writers, listener killed and restarted, server restarted"
check "omni-listen is installed" "$([ -x "$LISTEN" ] && echo yes)" yes
[ -x "$LISTEN" ] || finish
"$LISTEN" --help >/dev/null 2>&1
check "omni-listen --help exits 0" "$?" 0
"$LISTEN" --since -3 >/dev/null 2>&1
check "omni-listen --since -3 is a usage error (2)" "$?" 2
"$LISTEN" -c 'Not A Channel' >/dev/null 2>&1
check "omni-listen -c with a bad name is a usage error (2)" "$?" 2
"$LISTEN" -d "dbname=postgres" --since 0 >/dev/null 2>&1
check "omni-listen without the extension fails (1)" "$?" 1

# the worker serves this database once it sees the extension (it looks
# every second), and with wal_level = logical once it has its slot
for _ in $(seq 1 60); do
	ready=$(sql "SELECT omni.events_worker_serves() AND (current_setting('wal_level') <> 'logical'
	             OR EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = 'omni_events'
	                         AND confirmed_flush_lsn IS NOT NULL))" 2>/dev/null)
	[ "$ready" = t ] && break
	sleep 0.25
done
check "the events worker serves database $DB" "$ready" t
mode=$(sql "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = 'omni_events') THEN 'decoding' ELSE 'queue' END")
echo "# mode: $mode"

sql "SELECT omni.add_location('e2e', 'E2E warehouse', 'warehouse', 0, 0);
     SELECT omni.add_product('E2E-' || g, 'e2e ' || g) FROM generate_series(1, 20) g;
     SELECT omni.add_product('E2E-RB', 'rolled back');
     SELECT omni.receive('E2E-' || g, 'e2e', 1000000) FROM generate_series(1, 20) g;
     SELECT omni.receive('E2E-RB', 'e2e', 1000000);
     CREATE TABLE e2e_orders (order_id bigint PRIMARY KEY, status text NOT NULL);
     CREATE TRIGGER e2e_orders_events AFTER INSERT OR UPDATE OF status ON e2e_orders
         FOR EACH ROW EXECUTE FUNCTION omni.order_event();
     CREATE SEQUENCE e2e_order_ids;" >/dev/null
sleep 0.5
base=$(sql "SELECT coalesce(max(event_id), 0) FROM omni.events")

cat >"$tmp/reserve.sql" <<'SQL'
\set n random(1, 20)
SELECT omni.reserve('E2E-' || :n, 'e2e', 1);
SQL
cat >"$tmp/price.sql" <<'SQL'
\set n random(1, 20)
\set p random(100, 999)
SELECT omni.set_price('E2E-' || :n, :p / 10.0);
SQL
cat >"$tmp/order.sql" <<'SQL'
INSERT INTO e2e_orders SELECT nextval('e2e_order_ids'), 'placed';
UPDATE e2e_orders SET status = 'shipped' WHERE order_id = currval('e2e_order_ids');
SQL
cat >"$tmp/rollback.sql" <<'SQL'
BEGIN;
SELECT omni.reserve('E2E-RB', 'e2e', 1);
SELECT omni.set_price('E2E-RB', 1);
ROLLBACK;
SQL
# a writer survives the restart: pgbench again after each interruption
writer()
{
	while [ ! -e "$tmp/stop" ]; do
		"$PGBIN/pgbench" -n -c 1 -T 2 -R "$1" -f "$tmp/reserve.sql@6" -f "$tmp/price.sql@2" \
			-f "$tmp/order.sql@1" -f "$tmp/rollback.sql@1" "$DB" >/dev/null 2>&1 || sleep 0.2
	done
}

"$LISTEN" -d "dbname=$DB" --since "$base" --state-file "$tmp/state1" >"$tmp/out1" 2>"$tmp/err1" &
l1=$!
pids+=($l1)
writer 150 & pids+=($!)
writer 100 & pids+=($!)

sleep 4
kill -KILL "$l1"
wait "$l1" 2>/dev/null
since=$(last_printed "$tmp/out1")
echo "# listener 1 killed after event $since ($(wc -l <"$tmp/out1") lines)"
state1=$(cat "$tmp/state1" 2>/dev/null)
check "the state file never runs ahead of what was printed" "$([ "${state1:-0}" -le "${since:-0}" ] && echo yes)" yes
sleep 1	# events keep committing while no listener runs

"$LISTEN" -d "dbname=$DB" --since "${since:-$base}" --state-file "$tmp/state2" >"$tmp/out2" 2>"$tmp/err2" &
l2=$!
pids+=($l2)
sleep 3

echo "# pg_ctl restart"
as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$OMNI_CLUSTER_LOG" -m fast -w -t 60 restart >/dev/null
check "pg_ctl restart" "$?" 0
sleep 3
# and a crash: the slot hands out again what the worker had already logged,
# which must not be logged twice
echo "# pg_ctl restart -m immediate (crash recovery)"
as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$OMNI_CLUSTER_LOG" -m immediate -w -t 60 restart >/dev/null
check "pg_ctl restart -m immediate" "$?" 0
sleep 4
touch "$tmp/stop"
for p in "${pids[@]}"; do [ "$p" = "$l2" ] || wait "$p" 2>/dev/null; done

# let the worker publish the last commits and the listener print them
for _ in $(seq 1 80); do
	max=$(sql "SELECT coalesce(max(event_id), 0) FROM omni.events" 2>/dev/null)
	[ -n "$max" ] && [ "$(last_printed "$tmp/out2")" = "$max" ] && break
	sleep 0.25
done
sleep 0.5
kill -TERM "$l2"
wait "$l2"
check "listener 2 exits 0 on SIGTERM" "$?" 0
check "listener 2 reconnected after the restart" \
	"$(grep -cE 'could not|connection lost' "$tmp/err2" | awk '{ print ($1 > 0) ? "yes" : "no" }')" yes
check "the state file holds the last id printed" "$(cat "$tmp/state2")" "$(last_printed "$tmp/out2")"

cat "$tmp/out1" "$tmp/out2" | sed -nE 's/.*"event_id": ([0-9]+).*/\1/p' >"$tmp/printed"
sql "SELECT event_id FROM omni.events WHERE event_id > $base ORDER BY event_id" >"$tmp/logged"
printed=$(wc -l <"$tmp/printed")
logged=$(wc -l <"$tmp/logged")
echo "# $printed ids printed, $logged events logged since id $base"
check "every printed line is an event" "$(cat "$tmp/out1" "$tmp/out2" | wc -l)" "$printed"
check "enough events to mean something (> 500)" "$([ "$logged" -gt 500 ] && echo yes)" yes
check "ids printed = ids logged (no gap, no duplicate, in order)" \
	"$(cmp -s "$tmp/printed" "$tmp/logged" && echo same)" same
check "no id printed twice" "$(sort "$tmp/printed" | uniq -d | wc -l)" 0
check "ids strictly increasing" "$(sort -n -c "$tmp/printed" 2>&1 | wc -l)" 0
check "nothing from rolled-back transactions" "$(grep -c '"E2E-RB"' "$tmp/out1" "$tmp/out2" | awk -F: '{ s += $2 } END { print s }')" 0
check "one stock event per committed reservation" \
	"$(sql "SELECT count(*) FROM omni.events WHERE event_id > $base AND channel = 'omni_stock'")" \
	"$(sql "SELECT count(*) FROM omni.reservations WHERE sku LIKE 'E2E-%'")"
check "one order event per order status" \
	"$(sql "SELECT count(*) FROM omni.events WHERE event_id > $base AND channel = 'omni_order'")" \
	"$(sql "SELECT count(*) + count(*) FILTER (WHERE status = 'shipped') FROM e2e_orders")"
check "every channel was heard" \
	"$(cat "$tmp/out1" "$tmp/out2" | sed -nE 's/.*"event_channel": "([a-z_]+)".*/\1/p' | sort -u | tr '\n' ' ')" \
	"omni_order omni_price omni_stock "
check "nothing left unpublished" "$(sql "SELECT count(*) FROM omni.event_queue")" 0
[ -n "${OMNI_E2E_KEEP:-}" ] && finish
sql "DROP TABLE e2e_orders; DROP SEQUENCE e2e_order_ids" >/dev/null
finish

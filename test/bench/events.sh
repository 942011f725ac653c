#!/usr/bin/env bash
# Events benchmark: what recording events costs the reservation hot path,
# and how fast a committed change reaches a listener.
#
#  1. omni.reserve(1) at 32 clients, spread over 10,000 SKUs and on one hot
#     SKU (32 slots), with the stock events trigger disabled and enabled, in
#     the same run (same cluster, same data), alternating off/on for 3 rounds
#     of 5 s, so the ratio is comparable on a noisy, shared 2-core machine.
#  2. commit -> listener latency: pgbench writes ~1,000 stock changes/s
#     (rate-limited) while omni-listen --timing prints every event with the
#     time it received it; latency = received_at - created_at (created_at is
#     taken by the writer's commit-time trigger, just before its WAL flush).
#
#   test/bench/events.sh    (OMNI_BENCH_ROUNDS=3, OMNI_BENCH_ROUND_SECONDS=5,
#                            OMNI_BENCH_CLIENTS=32, OMNI_BENCH_SECONDS=15 for
#                            the latency run at OMNI_BENCH_RATE=1000/s)
. "$(dirname "$0")/lib.sh"
SECS=${OMNI_BENCH_SECONDS:-15}
ROUNDS=${OMNI_BENCH_ROUNDS:-3}
RSECS=${OMNI_BENCH_ROUND_SECONDS:-5}
CLIENTS=${OMNI_BENCH_CLIENTS:-32}
RATE=${OMNI_BENCH_RATE:-1000}
SPREAD=10000
tmp=$(mktemp -d)
chmod 755 "$tmp"
listener=
cleanup()
{
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
	rm -rf "$tmp"
	bash scripts/cluster.sh stop >/dev/null
}
trap cleanup EXIT

# the events worker serves the database "omnichannel" (omni.events_database)
BENCH_DB=omnichannel
psql -X -q -d "$BENCH_DB" -c "CREATE EXTENSION omnichannel"
# wait for the worker to find the extension and, with wal_level = logical,
# to create its slot (decoding mode); else it works from omni.event_queue
wal_level=$(psql -X -At -d "$BENCH_DB" -c "SHOW wal_level")
for _ in $(seq 1 40); do
	ready=$(psql -X -At -d "$BENCH_DB" -c "SELECT omni.events_worker_serves() AND (current_setting('wal_level') <> 'logical' OR EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = 'omni_events' AND confirmed_flush_lsn IS NOT NULL))")
	[ "$ready" = t ] && break
	sleep 0.5
done
mode=queue
[ "$(psql -X -At -d "$BENCH_DB" -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'omni_events'")" = 1 ] && mode=decoding
echo "events bench: $CLIENTS clients, $ROUNDS rounds of $RSECS s per run, $SPREAD SKUs spread, fsync on, wal_level=$wal_level, $mode mode"
psql -X -q -v ON_ERROR_STOP=1 -d "$BENCH_DB" <<SQL
SELECT omni.add_location('dc', 'Bench DC', 'warehouse', -23.5, -46.6);
SELECT omni.add_product('HOT', 'Flash sale item');
INSERT INTO omni.products (sku, name) SELECT 'S' || g, 'spread ' || g FROM generate_series(1, $SPREAD) g;
SELECT omni.receive('HOT', 'dc', 1000000000);
SELECT omni.set_stock_slots('HOT', 'dc', 32);
SELECT format('SELECT count(omni.receive(''S'' || g, ''dc'', 1000000)) FROM generate_series(%s, %s) g',
              b, b + 999)
  FROM generate_series(1, $SPREAD, 1000) b \gexec
SELECT omni.flush_events();
VACUUM ANALYZE;
SQL

cat >"$tmp/reserve_hot.sql" <<'SQL'
SELECT omni.reserve('HOT', 'dc', 1);
SQL
cat >"$tmp/reserve_spread.sql" <<SQL
\set n random(1, $SPREAD)
SELECT omni.reserve('S' || :n, 'dc', 1);
SQL

events()
{
	psql -X -q -d "$BENCH_DB" -c "ALTER TABLE omni.stock_slots $1 TRIGGER stock_slots_events"
}

# off and on alternate, ROUNDS times, so that the drift of a shared
# machine hits both; the ratio of each round, and the median, are printed
declare -a r_spread r_hot
printf '\n%-6s %10s %10s %7s %10s %10s %7s\n' round "spread off" "spread on" ratio "hot off" "hot on" ratio
for r in $(seq 1 "$ROUNDS"); do
	events DISABLE
	off_spread=$(bench_tps off "$CLIENTS" "$RSECS" "$tmp/reserve_spread.sql")
	events ENABLE
	on_spread=$(bench_tps on "$CLIENTS" "$RSECS" "$tmp/reserve_spread.sql")
	events DISABLE
	off_hot=$(bench_tps off "$CLIENTS" "$RSECS" "$tmp/reserve_hot.sql")
	events ENABLE
	on_hot=$(bench_tps on "$CLIENTS" "$RSECS" "$tmp/reserve_hot.sql")
	r_spread+=("$(ratio "$on_spread" "$off_spread")")
	r_hot+=("$(ratio "$on_hot" "$off_hot")")
	printf '%-6s %10s %10s %7s %10s %10s %7s\n' "$r" "$off_spread" "$on_spread" "${r_spread[-1]}" \
		"$off_hot" "$on_hot" "${r_hot[-1]}"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
sleep 1
echo
echo "reserve throughput, events on / off at $CLIENTS clients, median of $ROUNDS rounds (goal >= 0.75):"
echo "  spread over $SPREAD SKUs = $(median "${r_spread[@]}")"
echo "  one hot SKU (32 slots)   = $(median "${r_hot[@]}")"
psql -X -At -d "$BENCH_DB" -c "SELECT '  (' || (SELECT count(*) FROM omni.events) || ' events logged for '
    || (SELECT count(*) FROM omni.reservations) || ' reservations (half made with events off); '
    || (SELECT count(*) FROM omni.event_queue) || ' still queued)'"

# 2. latency at ~RATE changes/s
if [ ! -x "$PGBIN/omni-listen" ]; then
	echo "omni-listen not installed: latency not measured"
	exit 0
fi
psql -X -q -d "$BENCH_DB" -c "SELECT omni.flush_events()" >/dev/null
last=$(psql -X -At -d "$BENCH_DB" -c "SELECT coalesce(max(event_id), 0) FROM omni.events")
"$PGBIN/omni-listen" -d "dbname=$BENCH_DB" -c omni_stock --since "$last" --timing >"$tmp/listen.out" 2>"$tmp/listen.err" &
listener=$!
sleep 1
"$PGBENCH" -n -c 8 -j 2 -T "$SECS" -R "$RATE" -f "$tmp/reserve_spread.sql" "$BENCH_DB" >"$tmp/rate.out" 2>&1
sleep 2
kill "$listener"
wait "$listener" 2>/dev/null || true
listener=
written=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$tmp/rate.out")
python3 - "$tmp/listen.out" "$written" "$SECS" <<'PY'
import json, sys
lat = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    lat.append((e["received_at"] - e["created_at"]) * 1000.0)
lat.sort()
def pct(p):
    return lat[min(len(lat) - 1, int(round(p / 100.0 * (len(lat) - 1))))] if lat else float("nan")
print()
print("commit -> listener latency at %.0f changes/s: %d events received (%s transactions written)"
      % (len(lat) / float(sys.argv[3]), len(lat), sys.argv[2]))
print("  p50 = %.1f ms   p90 = %.1f ms   p99 = %.1f ms   max = %.1f ms   [p99 < 50 ms]"
      % (pct(50), pct(90), pct(99), lat[-1] if lat else float("nan")))
PY

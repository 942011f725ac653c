#!/usr/bin/env bash
# Inventory benchmark: reserve() against the naive one-row UPDATE, on one
# hot SKU and spread over 10,000 SKUs, in one run so that the ratios are
# comparable on a noisy 2-core machine.  fsync and synchronous_commit are on
# (the private cluster's settings).
#
#   test/bench/stock.sh            (OMNI_BENCH_SECONDS=15, OMNI_BENCH_CLIENTS=32, OMNI_BENCH_ROUNDS=3)
. "$(dirname "$0")/lib.sh"
SECS=${OMNI_BENCH_SECONDS:-15}
CLIENTS=${OMNI_BENCH_CLIENTS:-32}
SPREAD=10000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; bash scripts/cluster.sh stop >/dev/null' EXIT

echo "stock bench: $CLIENTS clients, $SECS s per run, $SPREAD SKUs spread, fsync on"
psql -X -q -v ON_ERROR_STOP=1 -d "$BENCH_DB" <<SQL
SELECT omni.add_location('dc', 'Bench DC', 'warehouse', -23.5, -46.6);
SELECT omni.add_product('HOT', 'Flash sale item');
INSERT INTO omni.products (sku, name) SELECT 'S' || g, 'spread ' || g FROM generate_series(1, $SPREAD) g;
SELECT omni.receive('HOT', 'dc', 1000000000);
SELECT omni.set_stock_slots('HOT', 'dc', 32);
SELECT count(omni.receive('S' || g, 'dc', 1000000)) FROM generate_series(1, $SPREAD) g;
-- the naive way: one row per SKU, a guarded UPDATE, and a reservation row
CREATE TABLE naive_stock (sku text PRIMARY KEY, qty int NOT NULL CHECK (qty >= 0)) WITH (fillfactor = 50);
CREATE TABLE naive_reservations (id bigserial PRIMARY KEY, sku text NOT NULL, qty int NOT NULL,
                                 expires_at timestamptz NOT NULL);
INSERT INTO naive_stock SELECT sku, 1000000000 FROM omni.products;
VACUUM ANALYZE;
SQL

cat >"$tmp/naive_hot.sql" <<'SQL'
BEGIN;
UPDATE naive_stock SET qty = qty - 1 WHERE sku = 'HOT' AND qty >= 1;
INSERT INTO naive_reservations (sku, qty, expires_at) VALUES ('HOT', 1, now() + interval '15 minutes');
COMMIT;
SQL
cat >"$tmp/naive_spread.sql" <<SQL
\set n random(1, $SPREAD)
BEGIN;
UPDATE naive_stock SET qty = qty - 1 WHERE sku = 'S' || :n AND qty >= 1;
INSERT INTO naive_reservations (sku, qty, expires_at) VALUES ('S' || :n, 1, now() + interval '15 minutes');
COMMIT;
SQL
cat >"$tmp/update_spread.sql" <<SQL
\set n random(1, $SPREAD)
UPDATE naive_stock SET qty = qty - 1 WHERE sku = 'S' || :n AND qty >= 1;
SQL
cat >"$tmp/reserve_hot.sql" <<'SQL'
SELECT omni.reserve('HOT', 'dc', 1);
SQL
cat >"$tmp/reserve_spread.sql" <<SQL
\set n random(1, $SPREAD)
SELECT omni.reserve('S' || :n, 'dc', 1);
SQL
cat >"$tmp/available.sql" <<'SQL'
SELECT omni.available('HOT', 'dc');
SQL

# Rounds: every workload once per round, in the same order, so that load
# from elsewhere on the machine falls on all of them alike; medians over
# the rounds, and the spread-vs-UPDATE ratio of each round as well.
ROUNDS=${OMNI_BENCH_ROUNDS:-3}
declare -a t_naive_hot t_naive_spread t_update t_hot t_spread r_spread c_update c_spread
for r in $(seq 1 "$ROUNDS"); do
	t_naive_hot+=("$(bench_tps naive_hot "$CLIENTS" "$SECS" "$tmp/naive_hot.sql")")
	t_naive_spread+=("$(bench_tps naive_spread "$CLIENTS" "$SECS" "$tmp/naive_spread.sql")")
	c0=$(server_cpu_ms)
	t_update+=("$(bench_tps update_spread "$CLIENTS" "$SECS" "$tmp/update_spread.sql")")
	c1=$(server_cpu_ms)
	t_hot+=("$(bench_tps reserve_hot "$CLIENTS" "$SECS" "$tmp/reserve_hot.sql")")
	c2=$(server_cpu_ms)
	t_spread+=("$(bench_tps reserve_spread "$CLIENTS" "$SECS" "$tmp/reserve_spread.sql")")
	c3=$(server_cpu_ms)
	# server CPU per transaction, in microseconds (tps x seconds transactions)
	c_update+=("$(awk -v c=$((c1 - c0)) -v t="${t_update[-1]}" -v s="$SECS" 'BEGIN { printf "%.1f", 1000 * c / (t * s) }')")
	c_spread+=("$(awk -v c=$((c3 - c2)) -v t="${t_spread[-1]}" -v s="$SECS" 'BEGIN { printf "%.1f", 1000 * c / (t * s) }')")
	r_spread+=("$(ratio "${t_spread[-1]}" "${t_update[-1]}")")
done
naive_hot=$(median "${t_naive_hot[@]}")
naive_spread=$(median "${t_naive_spread[@]}")
update_spread=$(median "${t_update[@]}")
ours_hot=$(median "${t_hot[@]}")
ours_spread=$(median "${t_spread[@]}")
reservations=$(psql -X -At -d "$BENCH_DB" -c "SELECT count(*) FROM omni.reservations WHERE sku = 'HOT'")
avail_ms=$(bench_latency 1 5 "$tmp/available.sql")

printf '\n%-48s %10s   %s\n' "run (median of $ROUNDS rounds)" "per second" "each round"
printf '%-48s %10s   %s\n' "naive UPDATE + reservation row, one hot SKU" "$naive_hot" "${t_naive_hot[*]}"
printf '%-48s %10s   %s\n' "naive UPDATE + reservation row, spread" "$naive_spread" "${t_naive_spread[*]}"
printf '%-48s %10s   %s\n' "plain single-row UPDATE, spread" "$update_spread" "${t_update[*]}"
printf '%-48s %10s   %s\n' "omni.reserve(1), one hot SKU (32 slots)" "$ours_hot" "${t_hot[*]}"
printf '%-48s %10s   %s\n' "omni.reserve(1), spread (8 slots each)" "$ours_spread" "${t_spread[*]}"
echo
echo "ratios of the medians (goal in brackets):"
echo "  reserve hot / naive hot            = $(ratio "$ours_hot" "$naive_hot")   [>= 4]"
echo "  reserve hot / reserve spread       = $(ratio "$ours_hot" "$ours_spread")   [>= 0.8]"
echo "  reserve spread / naive spread      = $(ratio "$ours_spread" "$naive_spread")   (the same work done naively)"
echo "  reserve spread / plain UPDATE      = $(ratio "$ours_spread" "$update_spread")   [>= 0.9] (the raw one-row write alone); by round: ${r_spread[*]}"
echo "  server CPU per transaction, spread = plain UPDATE $(median "${c_update[@]}") us, reserve $(median "${c_spread[@]}") us (medians; by round: ${c_update[*]} / ${c_spread[*]})"
echo "  available('HOT','dc') latency      = ${avail_ms} ms with $reservations reservations on 32 slots   [< 0.2 ms]"
echo "  events: $(psql -X -At -d "$BENCH_DB" -c "SELECT CASE WHEN omni.events_worker_serves() THEN 'published by the events worker (decoding mode)' ELSE 'queued in omni.event_queue (no worker serves this database)' END")"
psql -X -At -d "$BENCH_DB" -c "SELECT 'consistency problems: ' || count(*) FROM omni.check_stock()"

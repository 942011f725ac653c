#!/usr/bin/env bash
# Routing benchmark: plan quality and speed of omni.route, place_order
# throughput, and customer_360 latency, on a generated network.
#
# Network: 500 locations across the continental United States (20 DCs that
# ship, 480 stores of which a third ship), 5,000 SKUs with sparse stock
# (each SKU at about 5 DCs and 3 stores), a fixed random seed.
#
# Quality: the same orders of 1 to 5 lines (ship mode, random addresses)
# planned by every method; the optimum is the exhaustive search (every
# assignment, no pruning).  Reported as ratios of plan costs.
# Speed: in-server latency of omni.route per call (p50, p99) for 5-line
# orders, exact (branch and bound) and greedy.
# Throughput: place_order at 8 clients against plain omni.reserve calls for
# the same lines at the same locations (pgbench, fsync on).
#
# customer_360: in-server latency (min, p50, p99) and CPU per call for a
# customer with 1,150 interactions and 50 open orders.
#
#   test/bench/routing.sh   (OMNI_BENCH_ORDERS=400, OMNI_BENCH_SECONDS=10, OMNI_BENCH_KEEP=0)
#   OMNI_BENCH_ONLY=customer_360 test/bench/routing.sh
#       the network and the customer_360 section only (about a minute), to
#       re-measure it quickly; OMNI_BENCH_C360_CALLS (default 200) calls
. "$(dirname "$0")/lib.sh"
ORDERS=${OMNI_BENCH_ORDERS:-400}
SECS=${OMNI_BENCH_SECONDS:-10}
CLIENTS=8
ONLY=${OMNI_BENCH_ONLY:-all}
C360_CALLS=${OMNI_BENCH_C360_CALLS:-200}
case $ONLY in all | customer_360) ;; *) echo "OMNI_BENCH_ONLY: all or customer_360" >&2; exit 2 ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; bash scripts/cluster.sh stop >/dev/null' EXIT
# OMNI_BENCH_KEEP=1 leaves the cluster running afterwards, for profiling
[ "${OMNI_BENCH_KEEP:-0}" = 1 ] && trap 'rm -rf "$tmp"' EXIT
q() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$BENCH_DB" "$@"; }

# a million more units at every stocked pair (so that no client runs dry),
# and the customer the throughput orders are placed for
restock_all()
{
	q >/dev/null <<'SQL'
CALL receive_plan(1000000);
SELECT count(*) >= 0 FROM omni.identify('web', 'bench-customer', '{}');
SQL
}

echo "routing bench: 500 locations, 5,000 SKUs, $ORDERS orders of 1-5 lines, pgbench $CLIENTS clients x $SECS s"
start=$(date +%s)
q <<'SQL'
\o /dev/null
SELECT setseed(0.42);
\o
SET omni.stock_slots = 1;
INSERT INTO omni.locations (code, name, kind, lat, lon, can_ship, can_pickup, can_curbside, accepts_returns)
SELECT 'dc-' || g, 'DC ' || g, 'warehouse', 25 + random() * 24, -124 + random() * 57, true, false, false, false
  FROM generate_series(1, 20) g;
INSERT INTO omni.locations (code, name, kind, lat, lon, can_ship, can_pickup, can_curbside, accepts_returns)
SELECT 'st-' || g, 'Store ' || g, 'store', 25 + random() * 24, -124 + random() * 57, g % 3 = 0, true, g % 2 = 0, true
  FROM generate_series(1, 480) g;
INSERT INTO omni.products (sku, name) SELECT 'SKU-' || g, 'Product ' || g FROM generate_series(1, 5000) g;
INSERT INTO omni.prices (sku, channel, price, valid_from)
SELECT sku, NULL, round((5 + random() * 95)::numeric, 2), now() - interval '1 day' FROM omni.products;
CREATE TABLE stock_plan AS
SELECT p.sku, l.code AS location, 1 + floor(random() * 10)::int AS qty
  FROM omni.products p CROSS JOIN omni.locations l
 -- (p.sku in the test keeps the draw per pair, not per location)
 WHERE random() + 0 * length(p.sku) < CASE WHEN l.kind = 'warehouse' THEN 0.25 ELSE 0.006 END;
SQL
q <<'SQL'
-- receives every stocked pair of the plan (its planned quantity, or qty
-- when given), in batches: each receive holds its pair's lock until commit
CREATE PROCEDURE receive_plan(qty int) LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n int := 0;
BEGIN
    FOR r IN SELECT * FROM stock_plan LOOP
        PERFORM omni.receive(r.sku, r.location, coalesce(receive_plan.qty, r.qty));
        n := n + 1;
        IF n % 500 = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
END
$$;
SET omni.stock_slots = 1;
CALL receive_plan(NULL);
\o /dev/null
SELECT setseed(0.17);
\o
-- orders: 1 to 5 distinct SKUs that some shipping location holds (2 units or
-- more), qty 1 or 2, to random addresses; 200 orders of each size
CREATE TABLE shippable AS
SELECT row_number() OVER (ORDER BY sku) AS n, sku FROM (
    SELECT DISTINCT sp.sku FROM stock_plan sp JOIN omni.locations l ON l.code = sp.location
     WHERE l.can_ship AND sp.qty >= 2) x;
CREATE TABLE bench_orders (id int PRIMARY KEY, nlines int, lat float8, lon float8, lines jsonb);
DO $$
DECLARE
    total int := (SELECT count(*) FROM shippable);
    picked text[];
    pick int;
    sku text;
BEGIN
    FOR g IN 1..1000 LOOP
        picked := '{}';
        WHILE cardinality(picked) < 1 + g % 5 LOOP
            pick := 1 + floor(random() * total)::int;
            sku := (SELECT s.sku FROM shippable s WHERE s.n = pick);
            IF NOT sku = ANY (picked) THEN
                picked := picked || sku;
            END IF;
        END LOOP;
        INSERT INTO bench_orders
        SELECT g, 1 + g % 5, 25.5 + random() * 23, -123 + random() * 55,
               (SELECT jsonb_agg(jsonb_build_object('sku', p.sku, 'qty', 1 + p.k % 2) ORDER BY p.k)
                  FROM unnest(picked) WITH ORDINALITY p(sku, k));
    END LOOP;
END
$$;
ANALYZE;
SQL
echo "set-up: $(($(date +%s) - start)) s, $(q -c 'SELECT count(*) FROM stock_plan') stocked (sku, location) pairs, $(q -c "SELECT round(avg(n), 1) FROM (SELECT count(*) AS n FROM stock_plan GROUP BY sku) x") locations per SKU, orders by size: $(q -c "SELECT string_agg(nlines || ':' || n, ' ' ORDER BY nlines) FROM (SELECT nlines, count(*) AS n FROM bench_orders WHERE id <= $ORDERS GROUP BY 1) x")"

# CPU time of this backend in ms (utime + stime from /proc): what a call
# costs in CPU, whatever the other processes on these shared cores do
TICK_MS=$((1000 / $(getconf CLK_TCK)))
q <<SQL
CREATE FUNCTION cpu_ms() RETURNS float8 LANGUAGE sql VOLATILE AS \$\$
    SELECT (split_part(s, ' ', 14)::float8 + split_part(s, ' ', 15)::float8) * $TICK_MS
      FROM pg_read_file('/proc/' || pg_backend_pid() || '/stat') s;
\$\$;
SQL

if [ "$ONLY" = all ]; then
# --- quality: every method on the same orders
q <<SQL
CREATE TABLE plan_costs (id int, nlines int, method text, cost float8, shipments int);
DO \$\$
DECLARE
    o record;
    m text;
BEGIN
    FOR o IN SELECT * FROM bench_orders ORDER BY id LIMIT $ORDERS LOOP
        FOREACH m IN ARRAY ARRAY['exhaustive', 'auto', 'greedy', 'nearest'] LOOP
            PERFORM set_config('omni.route_method', m, true);
            INSERT INTO plan_costs
            SELECT o.id, o.nlines, m, sum(r.cost), count(DISTINCT r.location)
              FROM omni.route(o.lines, 'ship', o.lat, o.lon) r;
        END LOOP;
    END LOOP;
END
\$\$;
SQL
echo
echo "plan cost (ship mode, $ORDERS orders), as ratios to the optimum (exhaustive search):"
q -F ' | ' <<'SQL'
SELECT '  method | mean cost/optimum | worst | orders not optimal | mean shipments';
SELECT format('  %s | %s | %s | %s | %s', p.method,
              round(avg(p.cost / nullif(x.cost, 0))::numeric, 4),
              round(max(p.cost / nullif(x.cost, 0))::numeric, 4),
              count(*) FILTER (WHERE p.cost > x.cost + 1e-9),
              round(avg(p.shipments), 2))
  FROM plan_costs p JOIN plan_costs x ON x.id = p.id AND x.method = 'exhaustive'
 GROUP BY p.method ORDER BY p.method;
SELECT format('  solver (auto) vs nearest-with-stock-per-line: total cost %s%% lower, mean per-order saving %s%%, multi-line orders only %s%%',
              round((100 * (1 - sum(a.cost) / sum(n.cost)))::numeric, 1),
              round((100 * avg(1 - a.cost / n.cost))::numeric, 1),
              round((100 * avg(1 - a.cost / n.cost) FILTER (WHERE a.nlines > 1))::numeric, 1))
  FROM plan_costs a JOIN plan_costs n ON n.id = a.id AND n.method = 'nearest'
 WHERE a.method = 'auto';
SQL

# --- speed: in-server latency per call, 5-line orders
q -c 'VACUUM ANALYZE'
q <<'SQL'
CREATE TABLE route_times (method text, ms float8);
CREATE TABLE route_cpu (method text, cpu_ms float8);
DO $$
DECLARE
    o record;
    m text;
    t0 timestamptz;
    c0 float8;
BEGIN
    FOREACH m IN ARRAY ARRAY['exact', 'greedy', 'nearest'] LOOP
        PERFORM set_config('omni.route_method', m, true);
        c0 := cpu_ms();
        FOR i IN 1..3 LOOP
            FOR o IN SELECT * FROM bench_orders WHERE nlines = 5 ORDER BY id LOOP
                t0 := clock_timestamp();
                PERFORM count(*) FROM omni.route(o.lines, 'ship', o.lat, o.lon);
                INSERT INTO route_times VALUES (m, 1000 * extract(epoch FROM clock_timestamp() - t0));
            END LOOP;
        END LOOP;
        INSERT INTO route_cpu VALUES (m, cpu_ms() - c0);
    END LOOP;
END
$$;
SQL
echo
echo "omni.route latency, 5-line orders, in the server ($(q -c "SELECT count(*) FROM route_times WHERE method = 'exact'") calls per method):"
q <<'SQL'
SELECT format('  %s: min %s ms, p50 %s ms, p99 %s ms, max %s ms; CPU %s ms per call', t.method,
              round(min(t.ms)::numeric, 3),
              round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms)::numeric, 3),
              round(percentile_cont(0.99) WITHIN GROUP (ORDER BY t.ms)::numeric, 3),
              round(max(t.ms)::numeric, 3),
              round((min(c.cpu_ms) / count(*))::numeric, 3))
  FROM route_times t JOIN route_cpu c USING (method) GROUP BY t.method ORDER BY t.method;
SQL

# --- the solver on big orders: exact (branch and bound, forced) vs greedy
q >/dev/null <<'SQL'
\o /dev/null
SELECT setseed(0.23);
\o
CREATE TABLE big_orders (id int, nlines int, lat float8, lon float8, lines jsonb);
DO $$
DECLARE
    total int := (SELECT count(*) FROM shippable);
    picked text[];
    pick int;
    sku text;
BEGIN
    FOR g IN 1..60 LOOP
        picked := '{}';
        WHILE cardinality(picked) < CASE WHEN g <= 30 THEN 10 ELSE 20 END LOOP
            pick := 1 + floor(random() * total)::int;
            sku := (SELECT s.sku FROM shippable s WHERE s.n = pick);
            IF NOT sku = ANY (picked) THEN
                picked := picked || sku;
            END IF;
        END LOOP;
        INSERT INTO big_orders
        SELECT g, cardinality(picked), 25.5 + random() * 23, -123 + random() * 55,
               (SELECT jsonb_agg(jsonb_build_object('sku', p.sku, 'qty', 1) ORDER BY p.k)
                  FROM unnest(picked) WITH ORDINALITY p(sku, k));
    END LOOP;
END
$$;
CREATE TABLE big_costs (id int, nlines int, method text, cost float8, cpu_ms float8);
DO $$
DECLARE
    o record;
    m text;
    c0 float8;
    v float8;
BEGIN
    FOR o IN SELECT * FROM big_orders ORDER BY id LOOP
        FOREACH m IN ARRAY ARRAY['exact', 'greedy'] LOOP
            PERFORM set_config('omni.route_method', m, true);
            c0 := cpu_ms();
            FOR i IN 1..5 LOOP
                v := (SELECT sum(r.cost) FROM omni.route(o.lines, 'ship', o.lat, o.lon) r);
            END LOOP;
            INSERT INTO big_costs VALUES (o.id, o.nlines, m, v, (cpu_ms() - c0) / 5);
        END LOOP;
    END LOOP;
END
$$;
SQL
echo
echo "the solver on big orders (30 orders of 10 lines, 30 of 20; exact forced, default node limit 200,000):"
q <<'SQL'
SELECT format('  %s lines: greedy cost / exact cost mean %s, worst %s, greedy worse on %s of %s; CPU per call exact %s ms, greedy %s ms',
              e.nlines, round(avg(g.cost / e.cost)::numeric, 4), round(max(g.cost / e.cost)::numeric, 4),
              count(*) FILTER (WHERE g.cost > e.cost + 1e-9), count(*),
              round(avg(e.cpu_ms)::numeric, 2), round(avg(g.cpu_ms)::numeric, 2))
  FROM big_costs e JOIN big_costs g ON g.id = e.id AND g.method = 'greedy'
 WHERE e.method = 'exact' GROUP BY e.nlines ORDER BY e.nlines;
SQL

# --- throughput: place_order against reserve of the same lines
restock_all
q >/dev/null <<'SQL'
CREATE TABLE bench_plans AS
SELECT o.id, r.sku, r.location, r.qty FROM bench_orders o, LATERAL omni.route(o.lines, 'ship', o.lat, o.lon) r;
ANALYZE;
SQL
n=$(q -c 'SELECT max(id) FROM bench_orders')
cust=$(q -c "SELECT customer_id FROM omni.identities WHERE source_key = 'bench-customer'")
cat >"$tmp/place.sql" <<SQL
\set i random(1, $n)
SELECT omni.place_order($cust, 'web', lines, 'ship', lat, lon) FROM bench_orders WHERE id = :i;
SQL
cat >"$tmp/reserve.sql" <<SQL
\set i random(1, $n)
SELECT count(omni.reserve(sku, location, qty)) FROM (SELECT * FROM bench_plans WHERE id = :i ORDER BY sku, location) p;
SQL
cat >"$tmp/route.sql" <<SQL
\set i random(1, $n)
SELECT count(*) FROM bench_orders b, omni.route(b.lines, 'ship', b.lat, b.lon) r WHERE b.id = :i;
SQL
# CPU per order in one backend, the same 300 orders each way
q >/dev/null <<'SQL'
CREATE TABLE order_cpu (what text, cpu_ms float8);
DO $$
DECLARE
    c bigint := (SELECT customer_id FROM omni.identities WHERE source_key = 'bench-customer');
    c0 float8 := cpu_ms();
BEGIN
    PERFORM count(omni.reserve(p.sku, p.location, p.qty))
       FROM (SELECT * FROM bench_plans WHERE id <= 300 ORDER BY id, sku, location) p;
    INSERT INTO order_cpu VALUES ('reserve', (cpu_ms() - c0) / 300);
    c0 := cpu_ms();
    PERFORM omni.place_order(c, 'web', o.lines, 'ship', o.lat, o.lon) FROM bench_orders o WHERE o.id <= 300;
    INSERT INTO order_cpu VALUES ('place_order', (cpu_ms() - c0) / 300);
    c0 := cpu_ms();
    PERFORM count(*) FROM bench_orders o, LATERAL omni.route(o.lines, 'ship', o.lat, o.lon) r WHERE o.id <= 300;
    INSERT INTO order_cpu VALUES ('route', (cpu_ms() - c0) / 300);
END
$$;
SQL
reserve_tps=$(bench_tps reserve "$CLIENTS" "$SECS" "$tmp/reserve.sql")
place_tps=$(bench_tps place "$CLIENTS" "$SECS" "$tmp/place.sql")
route_tps=$(bench_tps route "$CLIENTS" "$SECS" "$tmp/route.sql")
echo
echo "throughput at $CLIENTS clients (orders of 1-5 lines, fsync on):"
echo "  reserve of the planned lines: $reserve_tps orders/s"
echo "  place_order (route + reserve + order rows): $place_tps orders/s = $(ratio "$place_tps" "$reserve_tps") x reserve"
echo "  route alone (read-only): $route_tps plans/s"
q <<'SQL'
SELECT format('  CPU per order in one backend (300 orders, one transaction): reserve %s ms, place_order %s ms (ratio %s), route %s ms',
              round(r.cpu_ms::numeric, 3), round(p.cpu_ms::numeric, 3), round((r.cpu_ms / p.cpu_ms)::numeric, 2),
              round(t.cpu_ms::numeric, 3))
  FROM order_cpu r, order_cpu p, order_cpu t
 WHERE r.what = 'reserve' AND p.what = 'place_order' AND t.what = 'route';
SQL

# --- a sell-out under load: 8 clients order the last 200 units of one SKU
# (spread over 3 DCs, so plans move from one to the next as they run dry)
q >/dev/null <<'SQL'
INSERT INTO omni.products (sku, name) VALUES ('HOT-1', 'Sell-out item');
INSERT INTO omni.prices (sku, channel, price, valid_from) VALUES ('HOT-1', NULL, 20, now() - interval '1 day');
SELECT omni.receive('HOT-1', 'dc-1', 50), omni.receive('HOT-1', 'dc-2', 70), omni.receive('HOT-1', 'dc-3', 80);
CREATE FUNCTION bench_try_order(c bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM omni.place_order(c, 'web', '[{"sku": "HOT-1", "qty": 1}]', 'ship', 38, -97);
    RETURN true;
EXCEPTION WHEN SQLSTATE 'OM005' THEN
    RETURN false;
END
$$;
SQL
cat >"$tmp/sellout.sql" <<SQL
SELECT bench_try_order($cust);
SQL
"$PGBENCH" -n -c "$CLIENTS" -j 2 -T 5 -f "$tmp/sellout.sql" "$BENCH_DB" >/dev/null 2>&1 || echo "  (pgbench reported an error)"
echo
q <<'SQL'
SELECT format('sell-out, %s clients x 5 s, 200 units: %s orders placed, %s units available after, %s stock audit problems, %s allocations without an active reservation: %s',
              8, n.orders, omni.available('HOT-1'), a.problems, r.bad,
              CASE WHEN n.orders = 200 AND omni.available('HOT-1') = 0 AND a.problems = 0 AND r.bad = 0
                   THEN 'never oversold, nothing left unsold' ELSE 'FAILED' END)
  FROM (SELECT count(*) AS orders FROM omni.order_lines WHERE sku = 'HOT-1') n,
       (SELECT count(*) AS problems FROM omni.check_stock()) a,
       (SELECT count(*) AS bad FROM omni.order_allocations al
          JOIN omni.orders o USING (order_id)
          LEFT JOIN omni.reservations rs USING (reservation_id)
         WHERE o.status = 'placed' AND (rs.status IS DISTINCT FROM 'active')) r;
SQL

else
# What the skipped sections leave for customer_360 to read past: plenty of
# units everywhere, and about 3,000 orders of another customer (so the
# tables are big enough for their indexes to matter).
restock_all
q >/dev/null <<'SQL'
SELECT count(omni.place_order(d.customer_id, 'web', o.lines, 'ship', o.lat, o.lon))
  FROM bench_orders o, generate_series(1, 3) k,
       (SELECT customer_id FROM omni.identities WHERE source_key = 'bench-customer') d;
SQL
fi

# --- customer_360 for a customer with 1,000 interactions and 50 orders
q >/dev/null <<'SQL'
SELECT count(*) >= 0 FROM omni.identify('app', 'bench-360', '{"email": "c360@example.com"}');
DO $$
DECLARE
    c bigint := (SELECT customer_id FROM omni.identities WHERE source_key = 'bench-360');
BEGIN
    FOR i IN 1..1000 LOOP
        PERFORM omni.track(c, (ARRAY['web', 'app', 'social', 'pos'])[1 + i % 4],
                           (ARRAY['view', 'view', 'view', 'cart', 'wishlist'])[1 + i % 5],
                           'SKU-' || (1 + i % 5000), now() - i * interval '1 hour');
    END LOOP;
    FOR i IN 1..50 LOOP
        PERFORM omni.place_order(c, 'app', lines, 'ship', lat, lon) FROM bench_orders WHERE id = i;
    END LOOP;
END
$$;
SQL
# as autovacuum would have by then: statistics and visibility for the new rows
q -c 'VACUUM ANALYZE'
q >/dev/null <<SQL
CREATE TABLE c360_times (ms float8);
CREATE TABLE c360_cpu (cpu_ms float8);
DO \$\$
DECLARE
    c bigint := (SELECT customer_id FROM omni.identities WHERE source_key = 'bench-360');
    t0 timestamptz;
    c0 float8 := cpu_ms();
BEGIN
    FOR i IN 1..$C360_CALLS LOOP
        t0 := clock_timestamp();
        PERFORM omni.customer_360(c);
        INSERT INTO c360_times VALUES (1000 * extract(epoch FROM clock_timestamp() - t0));
    END LOOP;
    INSERT INTO c360_cpu VALUES (cpu_ms() - c0);
END
\$\$;
SQL
echo
q <<'SQL'
SELECT format('customer_360, %s interactions and %s orders: min %s ms, p50 %s ms, p99 %s ms, CPU %s ms per call (%s calls, in the server)',
              (SELECT count(*) FROM omni.interactions i JOIN omni.identities d USING (customer_id) WHERE d.source_key = 'bench-360'),
              (SELECT count(*) FROM omni.orders o JOIN omni.identities d USING (customer_id) WHERE d.source_key = 'bench-360'),
              round(min(ms)::numeric, 2),
              round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2),
              round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 2),
              round(((SELECT cpu_ms FROM c360_cpu) / count(*))::numeric, 2), count(*))
  FROM c360_times;
SQL
echo "routing bench: $(($(date +%s) - start)) s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

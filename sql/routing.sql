-- Routing: the cost model, capabilities, transfers, splits, ties, and every
-- error of omni.route.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- In a database of its own, dropped at the end: the suites after this one
-- see the shared database as it was (sequences included), and this one
-- does not depend on what ran before.
\set home :DBNAME
SET client_min_messages = warning;
DROP DATABASE IF EXISTS omni_routing_regress;
RESET client_min_messages;
CREATE DATABASE omni_routing_regress;
\c omni_routing_regress
CREATE EXTENSION omnichannel;
SELECT omni.add_product('RT-A', 'Routing A'), omni.add_product('RT-B', 'Routing B'),
       omni.add_product('RT-C', 'Routing C'), omni.add_product('RT-D', 'Routing D'),
       omni.add_product('RT-E', 'Routing E');
-- a small network around New York and Boston
SELECT omni.add_location('rt-dc-nj', 'DC New Jersey', 'warehouse', 40.73, -74.17);
SELECT omni.add_location('rt-dc-la', 'DC Los Angeles', 'warehouse', 34.05, -118.24);
SELECT omni.add_location('rt-st-nyc', 'Store NYC', 'store', 40.75, -73.99, can_ship => true, can_curbside => true);
SELECT omni.add_location('rt-st-bos', 'Store Boston', 'store', 42.36, -71.06, can_ship => true);
SELECT omni.add_location('rt-st-cam', 'Store Cambridge', 'store', 42.37, -71.11);   -- cannot ship
SELECT omni.add_location('rt-locker', 'Locker Boston', 'locker', 42.35, -71.05);
SELECT omni.receive('RT-A', 'rt-dc-nj', 10), omni.receive('RT-B', 'rt-dc-nj', 10),
       omni.receive('RT-A', 'rt-st-bos', 1), omni.receive('RT-C', 'rt-st-bos', 5),
       omni.receive('RT-B', 'rt-st-bos', 1), omni.receive('RT-C', 'rt-dc-la', 5),
       omni.receive('RT-A', 'rt-st-nyc', 2), omni.receive('RT-D', 'rt-st-cam', 3),
       omni.receive('RT-D', 'rt-locker', 3), omni.receive('RT-E', 'rt-dc-la', 4);

-- Boston delivery of A and B: the nearest source per line is the Boston
-- store for A and for B... but it holds one B; 2 B come from New Jersey.
-- The naive plan splits (nearest per line), the solver does not.
SET omni.route_method = 'nearest';
SELECT line, sku, location, qty, round(cost::numeric, 2) AS cost
  FROM omni.route('[{"sku": "RT-A", "qty": 1}, {"sku": "RT-B", "qty": 2}]', 'ship', 42.36, -71.06);
RESET omni.route_method;
SELECT line, sku, location, qty, round(cost::numeric, 2) AS cost
  FROM omni.route('[{"sku": "RT-A", "qty": 1}, {"sku": "RT-B", "qty": 2}]', 'ship', 42.36, -71.06);
-- one line each from the Boston store: one shipment, not two
SELECT count(DISTINCT location) AS shipments, round(sum(cost)::numeric, 2) AS plan_cost
  FROM omni.route('[{"sku": "RT-A", "qty": 1}, {"sku": "RT-B", "qty": 1}, {"sku": "RT-C", "qty": 1}]',
                  'ship', 42.36, -71.06);
-- every method finds the same plan on a small order (exhaustive tries every
-- assignment without pruning)
SELECT m AS method, (SELECT string_agg(location, ',' ORDER BY line) FROM omni.route(
           '[{"sku": "RT-A", "qty": 1}, {"sku": "RT-B", "qty": 2}, {"sku": "RT-C", "qty": 1}]',
           'ship', 41.0, -73.0)) AS plan
  FROM unnest(ARRAY['auto', 'exact', 'greedy', 'exhaustive']) m, LATERAL set_config('omni.route_method', m, false) s;
RESET omni.route_method;
-- past omni.route_exact_max_lines the greedy search alone plans; a node
-- limit keeps the best plan found (the greedy one at worst)
SET omni.route_exact_max_lines = 1;
SELECT string_agg(location, ',' ORDER BY line) AS greedy_plan FROM omni.route(
    '[{"sku": "RT-A", "qty": 1}, {"sku": "RT-B", "qty": 2}, {"sku": "RT-C", "qty": 1}]', 'ship', 41.0, -73.0);
RESET omni.route_exact_max_lines;
SET omni.route_exact_max_nodes = 1;
SELECT string_agg(location, ',' ORDER BY line) AS truncated_plan FROM omni.route(
    '[{"sku": "RT-A", "qty": 1}, {"sku": "RT-B", "qty": 2}, {"sku": "RT-C", "qty": 1}]', 'ship', 41.0, -73.0);
RESET omni.route_exact_max_nodes;

-- capabilities: the Cambridge store cannot ship, the locker holds D but
-- never sends it anywhere
SELECT omni.route('[{"sku": "RT-D", "qty": 1}]', 'ship', 42.37, -71.11);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- a line no single source holds is split, cheapest source first
SELECT line, sku, location, qty
  FROM omni.route('[{"sku": "RT-A", "qty": 12}]', 'ship', 40.75, -73.99) ORDER BY location;
SELECT omni.route('[{"sku": "RT-A", "qty": 14}]', 'ship', 40.75, -73.99);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- reservations count: hold the Boston store's C, the plan goes to Los Angeles
SELECT omni.reserve('RT-C', 'rt-st-bos', 5) AS held \gset
SELECT line, sku, location, qty FROM omni.route('[{"sku": "RT-C", "qty": 1}]', 'ship', 42.36, -71.06);
SELECT omni.release_reservation(:held);

-- pickup: the store's own stock costs nothing; what it lacks comes by transfer
SELECT line, sku, location, qty, round(cost::numeric, 2) AS cost
  FROM omni.route('[{"sku": "RT-A", "qty": 2}]', 'pickup', pickup_location => 'rt-st-nyc');
SELECT line, sku, location, qty, round(cost::numeric, 2) AS cost
  FROM omni.route('[{"sku": "RT-A", "qty": 2}, {"sku": "RT-B", "qty": 1}]', 'pickup', pickup_location => 'rt-st-nyc');
-- A is at the store and B has to come anyway: A is taken from the store's
-- shelf, B alone is transferred
SELECT count(*) FILTER (WHERE location = 'rt-st-nyc') AS from_store,
       count(*) FILTER (WHERE location <> 'rt-st-nyc') AS by_transfer
  FROM omni.route('[{"sku": "RT-A", "qty": 1}, {"sku": "RT-B", "qty": 3}]', 'curbside', pickup_location => 'rt-st-nyc');
-- a locker may be a pickup point (it can_pickup) but not a transfer source
SELECT line, sku, location, qty
  FROM omni.route('[{"sku": "RT-D", "qty": 1}]', 'pickup', pickup_location => 'rt-st-bos');
-- transfers can be turned off per mode
SET omni.route_transfer_modes = 'pickup';
SELECT omni.route('[{"sku": "RT-B", "qty": 1}]', 'curbside', pickup_location => 'rt-st-nyc');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT line, sku, location FROM omni.route('[{"sku": "RT-B", "qty": 1}]', 'pickup', pickup_location => 'rt-st-nyc');
SET omni.route_transfer_modes = '';
SELECT omni.route('[{"sku": "RT-B", "qty": 1}]', 'pickup', pickup_location => 'rt-st-nyc');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET omni.route_transfer_modes;
-- the store must offer the mode
SELECT omni.route('[{"sku": "RT-C", "qty": 1}]', 'curbside', pickup_location => 'rt-st-bos');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.route('[{"sku": "RT-A", "qty": 1}]', 'pickup', pickup_location => 'rt-dc-nj');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- ties: two identical warehouses, the lower code wins, every time
SELECT omni.add_location('rt-twin-b', 'Twin B', 'warehouse', 10, 10);
SELECT omni.add_location('rt-twin-a', 'Twin A', 'warehouse', 10, 10);
SELECT omni.add_product('RT-T', 'Twin stock');
SELECT omni.receive('RT-T', 'rt-twin-b', 5), omni.receive('RT-T', 'rt-twin-a', 5);
SELECT DISTINCT location FROM generate_series(1, 5) g,
       LATERAL omni.route('[{"sku": "RT-T", "qty": 1}]', 'ship', 10.5, 10.5);
-- priority breaks the tie the other way; a handling cost undoes it
UPDATE omni.locations SET priority = 2 WHERE code = 'rt-twin-b';
SELECT location, round(cost::numeric, 2) AS cost FROM omni.route('[{"sku": "RT-T", "qty": 1}]', 'ship', 10.5, 10.5);
SELECT omni.set_location_routing('rt-twin-b', handling_cost => 3);
SELECT location, round(cost::numeric, 2) AS cost FROM omni.route('[{"sku": "RT-T", "qty": 1}]', 'ship', 10.5, 10.5);
-- a location with no capacity left today is not used
SELECT omni.set_location_routing('rt-twin-a', daily_capacity => 0);
SELECT location FROM omni.route('[{"sku": "RT-T", "qty": 1}]', 'ship', 10.5, 10.5);
SELECT omni.location_capacity_left('rt-twin-a') AS left_a, omni.location_capacity_left('rt-twin-b') AS left_b;

-- a pickup store with no capacity left today refuses the order
SELECT omni.set_location_routing('rt-st-nyc', daily_capacity => 0);
SELECT omni.route('[{"sku": "RT-A", "qty": 1}]', 'pickup', pickup_location => 'rt-st-nyc');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.set_location_routing('rt-st-nyc');
SELECT omni.set_location_routing('rt-st-nyc', handling_cost => -1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.set_location_routing('nowhere');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- the cost model's settings
SET omni.route_shipment_cost = 0;
SET omni.route_cost_per_km = 1;
SELECT location, round(cost::numeric, 1) AS km FROM omni.route('[{"sku": "RT-E", "qty": 1}]', 'ship', 40.75, -73.99);
RESET omni.route_shipment_cost;
RESET omni.route_cost_per_km;

-- route writes nothing
SELECT count(*) AS reservations FROM omni.reservations \gset before_
SELECT count(*) FROM omni.route('[{"sku": "RT-A", "qty": 1}]', 'ship', 42.36, -71.06);
SELECT count(*) = :before_reservations AS unchanged FROM omni.reservations;

-- errors
SELECT * FROM omni.route('{"sku": "RT-A", "qty": 1}', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[1]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"qty": 1}]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"sku": "RT-A"}]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"sku": "RT-A", "qty": 0}]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"sku": "RT-A", "qty": -2}]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"sku": "RT-A", "qty": 1.5}]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"sku": "RT-A", "qty": "2"}]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"sku": "RT-A", "qty": 1}, {"sku": "RT-B", "qty": 1}, {"sku": "RT-A", "qty": 2}]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route((SELECT jsonb_agg(jsonb_build_object('sku', 'RT-A', 'qty', 1)) FROM generate_series(1, 1001)), 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"sku": "NOPE", "qty": 1}]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the lines reader (omni.parse_lines, src/orders/lines_reader.c): a qty is
-- any JSON number equal to an integer in 1..2147483647, read exactly
SELECT * FROM omni.parse_lines('[{"sku": "RT-A", "qty": 2.0}, {"qty": 1e3, "sku": "RT-B"}, {"sku": "RT-C", "qty": 2147483647}]');
SELECT * FROM omni.parse_lines('[{"sku": "RT-A", "qty": 2147483648}]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.parse_lines('[{"sku": "RT-A", "qty": 2147483647.0000000001}]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.parse_lines('[{"sku": "RT-A", "qty": 1e-2}]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a repeated key counts with its last value (jsonb keeps it); the keys of a
-- nested object are not the line's
SELECT * FROM omni.parse_lines('[{"sku": "RT-A", "qty": 0, "qty": 3, "meta": {"sku": 5, "qty": 0}}]');
-- the order of the errors: shapes (all lines), unknown SKUs, repeated SKUs
SELECT * FROM omni.parse_lines('[{"sku": "NOPE", "qty": 1}, {"sku": "RT-A", "qty": 1}, {"sku": "RT-A", "qty": 0}]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.parse_lines('[{"sku": "RT-A", "qty": 1}, {"sku": "RT-A", "qty": 1}, {"sku": "NOPE", "qty": 1}]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.parse_lines('[{"sku": "RT-B", "qty": 1}, {"sku": "RT-A", "qty": 1}, {"sku": "RT-A", "qty": 1}, {"sku": "RT-B", "qty": 1}]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.parse_lines(NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.parse_lines('"RT-A"');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route(NULL, 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"sku": "RT-A", "qty": 1}]', 'drone', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"sku": "RT-A", "qty": 1}]', NULL, 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"sku": "RT-A", "qty": 1}]', 'ship');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"sku": "RT-A", "qty": 1}]', 'ship', 42, NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"sku": "RT-A", "qty": 1}]', 'ship', 91, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"sku": "RT-A", "qty": 1}]', 'pickup');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"sku": "RT-A", "qty": 1}]', 'pickup', pickup_location => 'nowhere');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.route('[{"sku": "RT-E", "qty": 5}]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a locker is a pickup point: everything comes by transfer
SELECT line, sku, location, qty, round(cost::numeric, 2) AS cost
  FROM omni.route('[{"sku": "RT-A", "qty": 1}, {"sku": "RT-E", "qty": 1}]', 'pickup', pickup_location => 'rt-locker');

\c :home
DROP DATABASE omni_routing_regress;

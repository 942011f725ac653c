-- Orders: place, complete, cancel, BOPIS and curbside with transfers,
-- returns in any store, POS sales, loyalty, track, the customer 360, and
-- every error leaving nothing behind.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- In a database of its own, dropped at the end: the suites after this one
-- see the shared database as it was (sequences included), and this one
-- does not depend on what ran before.
\set home :DBNAME
SET client_min_messages = warning;
DROP DATABASE IF EXISTS omni_orders_regress;
RESET client_min_messages;
CREATE DATABASE omni_orders_regress;
\c omni_orders_regress
CREATE EXTENSION omnichannel;
SELECT omni.add_product('OR-A', 'Order A'), omni.add_product('OR-B', 'Order B'),
       omni.add_product('OR-C', 'Order C'), omni.add_product('OR-NOPRICE', 'Unpriced');
SELECT omni.add_location('or-dc', 'DC', 'warehouse', 40.73, -74.17);
SELECT omni.add_location('or-st-nyc', 'Store NYC', 'store', 40.75, -73.99, can_ship => true, can_curbside => true);
SELECT omni.add_location('or-st-bos', 'Store Boston', 'store', 42.36, -71.06);
SELECT omni.receive('OR-A', 'or-dc', 20), omni.receive('OR-B', 'or-dc', 20),
       omni.receive('OR-A', 'or-st-nyc', 3), omni.receive('OR-C', 'or-st-nyc', 5),
       omni.receive('OR-NOPRICE', 'or-dc', 5);
SELECT omni.set_price('OR-A', 10), omni.set_price('OR-B', 25.50), omni.set_price('OR-C', 4.99);
SELECT omni.set_price('OR-A', 9, 'app');     -- the app sells A cheaper
SELECT customer_id AS cust FROM omni.identify('app', 'or-user-1', '{"email": "maria@example.com"}') \gset
SELECT customer_id AS other FROM omni.identify('web', 'or-user-2', '{"email": "joao@example.com"}') \gset

-- a shipped order: routed, reserved, priced for its channel
SELECT omni.place_order(:cust, 'app', '[{"sku": "OR-A", "qty": 2}, {"sku": "OR-B", "qty": 1}]',
                        'ship', 42.36, -71.06) AS o1 \gset
SELECT status, mode, channel, total, points, customer_id = :cust AS mine FROM omni.orders WHERE order_id = :o1;
SELECT line, sku, qty, unit_price, points FROM omni.order_lines WHERE order_id = :o1 ORDER BY line;
SELECT a.line, a.location, a.qty, r.status AS reservation, r.ref = 'order:' || :o1 AS ref_ok
  FROM omni.order_allocations a JOIN omni.reservations r USING (reservation_id)
 WHERE a.order_id = :o1 ORDER BY a.line;
SELECT location, kind, status FROM omni.fulfilments WHERE order_id = :o1;
SELECT omni.available('OR-A', 'or-dc') AS a_left, omni.available('OR-B', 'or-dc') AS b_left;
-- the price is fixed at order time
SELECT omni.set_price('OR-A', 12, 'app');
SELECT unit_price FROM omni.order_lines WHERE order_id = :o1 AND sku = 'OR-A';
-- points are credited on delivery, not before
SELECT omni.loyalty_balance(:cust) AS before_delivery;
SELECT omni.complete_fulfillment(:o1);
SELECT status FROM omni.orders WHERE order_id = :o1;
SELECT r.status FROM omni.order_allocations a JOIN omni.reservations r USING (reservation_id)
 WHERE a.order_id = :o1 ORDER BY a.line;
SELECT omni.loyalty_balance(:cust) AS after_delivery;
-- a delivered order cannot be fulfilled again, nor cancelled
SELECT omni.complete_fulfillment(:o1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.cancel_order(:o1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.loyalty_balance(:cust) AS credited_once;

-- a split shipment, shipped one source at a time
SELECT omni.place_order(:cust, 'web', '[{"sku": "OR-A", "qty": 1}, {"sku": "OR-C", "qty": 1}, {"sku": "OR-B", "qty": 1}]',
                        'ship', 40.0, -75.0) AS o2 \gset
SELECT location, kind FROM omni.fulfilments WHERE order_id = :o2 ORDER BY location;
SELECT omni.complete_fulfillment(:o2, 'or-st-nyc');
SELECT status FROM omni.orders WHERE order_id = :o2;
SELECT omni.complete_fulfillment(:o2, 'or-st-nyc');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.complete_fulfillment(:o2, 'or-st-bos');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.complete_fulfillment(:o2, 'nowhere');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.cancel_order(:o2);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.complete_fulfillment(:o2, 'or-dc');
SELECT status FROM omni.orders WHERE order_id = :o2;
SELECT from_status, to_status FROM omni.order_history WHERE order_id = :o2 ORDER BY at;

-- cancel gives the stock back
SELECT omni.available('OR-B', 'or-dc') AS b_before \gset
SELECT omni.place_order(:cust, 'web', '[{"sku": "OR-B", "qty": 4}]', 'ship', 40.7, -74.1) AS o3 \gset
SELECT omni.available('OR-B', 'or-dc') = :b_before - 4 AS held;
SELECT omni.cancel_order(:o3);
SELECT status FROM omni.orders WHERE order_id = :o3;
SELECT omni.available('OR-B', 'or-dc') = :b_before AS given_back;
SELECT r.status FROM omni.order_allocations a JOIN omni.reservations r USING (reservation_id) WHERE a.order_id = :o3;
SELECT omni.cancel_order(:o3);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.complete_fulfillment(:o3);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- an order whose hold expired: its stock is free again, so it cannot be
-- fulfilled any more (OM002), but it can be cancelled
SELECT omni.place_order(:cust, 'web', '[{"sku": "OR-B", "qty": 1}]', 'ship', 40.7, -74.1) AS o3b \gset
UPDATE omni.reservations SET expires_at = now() - interval '1 second'
 WHERE reservation_id IN (SELECT reservation_id FROM omni.order_allocations WHERE order_id = :o3b);
SELECT omni.available('OR-B', 'or-dc') = :b_before AS hold_expired;
SELECT omni.complete_fulfillment(:o3b);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.cancel_order(:o3b);
SELECT status FROM omni.orders WHERE order_id = :o3b;
SELECT omni.available('OR-B', 'or-dc') = :b_before AS nothing_counted_twice;

-- the periodic clean-up cancels waiting orders whose hold ran out
SELECT omni.place_order(:cust, 'web', '[{"sku": "OR-B", "qty": 2}]', 'ship', 40.7, -74.1) AS o3c \gset
SELECT omni.cancel_expired_orders() AS none_yet;
UPDATE omni.reservations SET expires_at = now() - interval '1 second'
 WHERE reservation_id IN (SELECT reservation_id FROM omni.order_allocations WHERE order_id = :o3c);
SELECT omni.cancel_expired_orders() AS cancelled;
SELECT status FROM omni.orders WHERE order_id = :o3c;
SELECT omni.available('OR-B', 'or-dc') = :b_before AS stock_back;

-- BOPIS: A from the store's shelf, B by transfer from the DC
SELECT omni.place_order(:cust, 'app', '[{"sku": "OR-A", "qty": 1}, {"sku": "OR-B", "qty": 2}]',
                        'pickup', pickup_location => 'or-st-nyc') AS o4 \gset
SELECT location, kind, status FROM omni.fulfilments WHERE order_id = :o4 ORDER BY location;
-- not ready while the transfer is on its way
SELECT omni.mark_ready(:o4);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.complete_fulfillment(:o4, 'or-dc');     -- the transfer arrived
SELECT status FROM omni.orders WHERE order_id = :o4;
SELECT omni.complete_fulfillment(:o4);              -- the customer picked it up
SELECT status FROM omni.orders WHERE order_id = :o4;
SELECT location, kind, status FROM omni.fulfilments WHERE order_id = :o4 ORDER BY location;

-- curbside, cancelled after its transfer arrived: the units stay at the store
SELECT omni.available('OR-B', 'or-st-nyc') AS nyc_b_before \gset
SELECT omni.place_order(:other, 'web', '[{"sku": "OR-B", "qty": 1}]', 'curbside',
                        pickup_location => 'or-st-nyc') AS o5 \gset
SELECT omni.complete_fulfillment(:o5, 'or-dc');
SELECT omni.cancel_order(:o5);
SELECT omni.available('OR-B', 'or-st-nyc') - :nyc_b_before AS now_at_the_store;
-- a store prepares a curbside order straight from its shelf
SELECT omni.place_order(:other, 'web', '[{"sku": "OR-C", "qty": 1}]', 'curbside',
                        pickup_location => 'or-st-nyc') AS o6 \gset
SELECT omni.mark_ready(:o6);
SELECT omni.mark_ready(:o6);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.complete_fulfillment(:o6, 'or-st-nyc');
SELECT status FROM omni.orders WHERE order_id = :o6;

-- returns: anywhere that accepts them; goods on hand there; points back
SELECT omni.loyalty_balance(:cust) AS pts_before \gset
SELECT omni.available('OR-A', 'or-st-bos') AS bos_a_before;
SELECT omni.return_items(:o1, '[{"sku": "OR-A", "qty": 1}]', 'or-st-bos') AS ret1 \gset
SELECT omni.available('OR-A', 'or-st-bos') AS bos_a_after;
SELECT status FROM omni.orders WHERE order_id = :o1;
SELECT location, amount, points_refunded FROM omni.returns WHERE return_id = :ret1;
SELECT :pts_before - omni.loyalty_balance(:cust) AS points_taken_back;
-- more than bought, or not bought, or where returns are not taken
SELECT omni.return_items(:o1, '[{"sku": "OR-A", "qty": 2}]', 'or-st-bos');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.return_items(:o1, '[{"sku": "OR-C", "qty": 1}]', 'or-st-bos');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.return_items(:o1, '[{"sku": "OR-A", "qty": 1}]', 'or-dc');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.return_items(:o1, '[{"sku": "OR-A", "qty": 1}]', 'nowhere');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.return_items(:o1, '[{"sku": "OR-A", "qty": 0}]', 'or-st-bos');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.return_items(:o3, '[{"sku": "OR-B", "qty": 1}]', 'or-st-bos');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.return_items(-1, '[{"sku": "OR-B", "qty": 1}]', 'or-st-bos');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the rest comes back: returned, every point of the order refunded
SELECT omni.return_items(:o1, '[{"sku": "OR-A", "qty": 1}, {"sku": "OR-B", "qty": 1}]', 'or-st-nyc');
SELECT status FROM omni.orders WHERE order_id = :o1;
SELECT sum(points_refunded) = (SELECT points FROM omni.orders WHERE order_id = :o1) AS all_points_back
  FROM omni.returns WHERE order_id = :o1;
SELECT omni.return_items(:o1, '[{"sku": "OR-A", "qty": 1}]', 'or-st-nyc');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- loyalty: redeem, never below zero
SELECT omni.loyalty_balance(:cust) AS bal \gset
SELECT omni.redeem_points(:cust, 10, 'pos') = :bal - 10 AS redeemed;
SELECT omni.redeem_points(:cust, :bal, 'pos');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.redeem_points(:cust, 0, 'pos');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.redeem_points(:cust, 1, 'carrier-pigeon');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.redeem_points(-1, 1, 'pos');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.loyalty_balance(-1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a refund after the points were spent takes back only what is left
SELECT omni.redeem_points(:cust, omni.loyalty_balance(:cust), 'pos') AS zero;
SELECT omni.return_items(:o4, '[{"sku": "OR-B", "qty": 2}]', 'or-st-bos') AS ret2 \gset
SELECT points_refunded FROM omni.returns WHERE return_id = :ret2;
SELECT omni.loyalty_balance(:cust) AS still_zero;
-- the ledger adds up to the balance, for every customer
SELECT count(*) AS mismatches FROM omni.loyalty_accounts a
 WHERE a.balance <> (SELECT sum(l.delta) FROM omni.loyalty_ledger l WHERE l.customer_id = a.customer_id);

-- a POS sale to a known customer earns points at once and can be returned elsewhere
SELECT omni.available('OR-C', 'or-st-nyc') AS c_before \gset
SELECT omni.record_pos_sale(:other, 'or-st-nyc', '[{"sku": "OR-C", "qty": 2}]') AS pos1 \gset
SELECT mode, channel, status, total, points FROM omni.orders WHERE order_id = :pos1;
SELECT :c_before - omni.available('OR-C', 'or-st-nyc') AS sold;
SELECT omni.loyalty_balance(:other) AS other_points;
SELECT omni.return_items(:pos1, '[{"sku": "OR-C", "qty": 1}]', 'or-st-bos') IS NOT NULL AS returned;
SELECT omni.loyalty_balance(:other) AS other_points_after;
SELECT omni.record_pos_sale(:other, 'or-st-nyc', '[{"sku": "OR-C", "qty": 1000}]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

SELECT omni.record_pos_sale(:other, 'nowhere', '[{"sku": "OR-C", "qty": 1}]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.record_pos_sale(:other, 'or-st-nyc', '[{"sku": "OR-C", "qty": 1}, {"sku": "OR-C", "qty": 1}]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a POS sale was handed over at the till (this one is partly returned since):
-- it cannot be marked ready or cancelled
SELECT omni.mark_ready(:pos1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.cancel_order(:pos1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- track
SELECT omni.track(:cust, 'social', 'view', 'OR-C');
SELECT omni.track(:cust, 'app', 'wishlist', 'OR-C', '2026-01-01 10:00+00');
SELECT omni.track(:cust, 'support', 'support');
SELECT channel, event, sku FROM omni.interactions WHERE customer_id = :cust AND order_id IS NULL ORDER BY interaction_id;
SELECT omni.track(:cust, 'app', 'like', 'OR-C');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.track(:cust, 'app', 'view', 'NOPE');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.track(:cust, 'fax', 'view');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.track(-1, 'app', 'view');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- orders and returns are interactions too
SELECT event, count(*) FROM omni.interactions WHERE customer_id = :cust GROUP BY event ORDER BY event;

-- the customer 360
SELECT omni.customer_360(:cust) AS c360 \gset
SELECT jsonb_object_keys(:'c360'::jsonb) AS key ORDER BY 1;
SELECT jsonb_array_length(:'c360'::jsonb->'orders') AS orders,
       jsonb_array_length(:'c360'::jsonb->'returns') AS returns,
       (:'c360'::jsonb->'loyalty'->>'balance')::int = omni.loyalty_balance(:cust) AS balance_ok,
       :'c360'::jsonb->'identities'->'app'->0->>'source_key' AS app_identity,
       (:'c360'::jsonb->'interactions'->>'total')::int AS interactions,
       :'c360'::jsonb->'interactions'->'by_event' AS by_event;
SELECT o->>'status' AS status, o->>'mode' AS mode, jsonb_array_length(o->'lines') AS lines
  FROM jsonb_array_elements(:'c360'::jsonb->'orders') o ORDER BY (o->>'order_id')::bigint;
SELECT r->>'location' AS returned_at FROM jsonb_array_elements(:'c360'::jsonb->'returns') r
 ORDER BY (r->>'return_id')::bigint;
-- open reservations show while an order waits
SELECT omni.place_order(:cust, 'app', '[{"sku": "OR-A", "qty": 1}]', 'pickup', pickup_location => 'or-st-nyc') AS o7 \gset
SELECT r->>'sku' AS sku, r->>'location' AS location, (r->>'order_id')::bigint = :o7 AS this_order
  FROM jsonb_array_elements(omni.customer_360(:cust)->'open_reservations') r;
SELECT omni.customer_360(-1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.customer_360(NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the json types of what the POS reads
SELECT DISTINCT jsonb_typeof(o->'order_id') AS order_id, jsonb_typeof(o->'placed_at') AS placed_at,
       jsonb_typeof(o->'total') AS total, jsonb_typeof(o->'lines') AS lines,
       jsonb_typeof(o->'lines'->0->'unit_price') AS unit_price,
       jsonb_typeof(o->'fulfilments') AS fulfilments
  FROM jsonb_array_elements(omni.customer_360(:cust)->'orders') o
 ORDER BY 1, 2, 3, 4, 5, 6;
SELECT jsonb_typeof(c->'profile') AS profile, jsonb_typeof(c->'interactions'->'total') AS total,
       jsonb_typeof(c->'interactions'->'recent'->0->'at') AS recent_at,
       jsonb_typeof(c->'loyalty'->'balance') AS balance,
       jsonb_typeof(c->'identities'->'app'->0->'attributes') AS attributes
  FROM (SELECT omni.customer_360(:cust) AS c) x;

-- merges: an absorbed id still works, and its rows can be moved
SELECT customer_id AS absorbed FROM omni.identify('pos', 'or-card-9', '{"phone": "+12125550199"}') \gset
SELECT omni.record_pos_sale(:absorbed, 'or-st-nyc', '[{"sku": "OR-C", "qty": 1}]') IS NOT NULL AS sold;
UPDATE omni.customers SET status = 'merged', merged_into = :cust WHERE customer_id = :absorbed;
SELECT omni.loyalty_balance(:absorbed) = omni.loyalty_balance(:cust) AS same_account;
SELECT jsonb_array_length(omni.customer_360(:absorbed)->'merged_ids') AS merged_ids;
SELECT omni.loyalty_balance(:cust) AS bal_before_move \gset
SELECT omni.move_customer_rows(:absorbed, :cust) ? 'orders' AS orders_moved;
SELECT omni.move_loyalty(:absorbed, :cust) > 0 AS points_moved_through_ledger;
SELECT omni.loyalty_balance(:cust) - :bal_before_move AS points_moved,
       (SELECT count(*) FROM omni.orders WHERE customer_id = :absorbed) AS orders_left,
       (SELECT count(*) FROM omni.interactions WHERE customer_id = :absorbed) AS interactions_left;

SELECT omni.move_loyalty(:cust, :cust);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a ship order is never "ready for pickup"
SELECT omni.place_order(:cust, 'web', '[{"sku": "OR-B", "qty": 1}]', 'ship', 40.7, -74.1) AS o8 \gset
SELECT omni.mark_ready(:o8);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- every error of place_order writes nothing
CREATE TEMP VIEW order_rows AS
SELECT (SELECT count(*) FROM omni.orders) AS orders, (SELECT count(*) FROM omni.order_lines) AS lines,
       (SELECT count(*) FROM omni.fulfilments) AS fulfilments,
       (SELECT count(*) FROM omni.order_allocations) AS allocations,
       (SELECT count(*) FROM omni.reservations WHERE status = 'active') AS reservations,
       (SELECT count(*) FROM omni.interactions) AS interactions,
       (SELECT count(*) FROM omni.order_history) AS history,
       (SELECT sum(available) FROM omni.stock_levels) AS available;
SELECT * FROM order_rows \gset before_
SELECT omni.place_order(-1, 'web', '[{"sku": "OR-A", "qty": 1}]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.place_order(:cust, 'fax', '[{"sku": "OR-A", "qty": 1}]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.place_order(:cust, 'web', '[{"sku": "OR-A", "qty": 0}]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.place_order(:cust, 'web', '[{"sku": "NOPE", "qty": 1}]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.place_order(:cust, 'web', '[{"sku": "OR-A", "qty": 1}]', 'teleport', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.place_order(:cust, 'web', '[{"sku": "OR-A", "qty": 1}]', 'ship');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.place_order(:cust, 'web', '[{"sku": "OR-A", "qty": 1}]', 'pickup', pickup_location => 'nowhere');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the first line could be reserved, the second cannot be served
SELECT omni.place_order(:cust, 'web', '[{"sku": "OR-A", "qty": 1}, {"sku": "OR-B", "qty": 500}]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.place_order(:cust, 'web', '[{"sku": "OR-A", "qty": 1}, {"sku": "OR-NOPRICE", "qty": 1}]', 'ship', 42, -71);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.place_order(:cust, 'web', '[{"sku": "OR-C", "qty": 1}]', 'curbside', pickup_location => 'or-st-bos');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT o.orders = :before_orders AND o.lines = :before_lines AND o.fulfilments = :before_fulfilments
       AND o.allocations = :before_allocations AND o.reservations = :before_reservations
       AND o.interactions = :before_interactions AND o.history = :before_history
       AND o.available = :before_available AS nothing_written
  FROM order_rows o;
-- nor do the errors of the other calls
SELECT omni.complete_fulfillment(-1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.cancel_order(-1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) AS returns FROM omni.returns \gset before_
SELECT omni.return_items(:o2, '[{"sku": "OR-A", "qty": 1}, {"sku": "OR-B", "qty": 9}]', 'or-st-bos');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT (SELECT count(*) FROM omni.returns) = :before_returns AS no_return,
       (SELECT sum(returned_qty) FROM omni.order_lines WHERE order_id = :o2) AS returned_qty;

-- the inventory engine's own audit finds nothing wrong
SELECT * FROM omni.check_stock() WHERE sku LIKE 'OR-%';

\c :home
DROP DATABASE omni_orders_regress;

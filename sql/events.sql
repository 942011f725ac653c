-- Events: payload of each channel, nothing for a rollback, one stock event
-- per pair and transaction, the generic order trigger, emit_event,
-- events_since order and filters, prune_events, every error.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- in a database of its own, so the stock, reservations and prices written
-- here cannot change what the other suites see (their ids, their counts)
\set regress_db :DBNAME
CREATE DATABASE omni_events_regression;
\c omni_events_regression
CREATE EXTENSION omnichannel;
SELECT omni.add_product('EV-1', 'Event shoe');
SELECT omni.add_product('EV-2', 'Event sock');
SELECT omni.add_location('ev-wh', 'Event warehouse', 'warehouse', -23.5, -46.6);
SELECT omni.add_location('ev-st', 'Event store', 'store', -23.6, -46.7);

-- no worker serves the regression database: events_since numbers the
-- events itself, so replay works here too
SELECT omni.events_worker_serves() AS worker_serves_here;
SELECT coalesce(max(event_id), 0) AS base FROM omni.events_since(0) \gset
CREATE TEMP VIEW ev AS
SELECT event_id - :base AS n, channel, payload - 'event_id' AS payload,
       (payload->>'event_id')::bigint = event_id AS id_in_payload
  FROM omni.events_since(:base);

-- stock: one event per (sku, location) and transaction; the totals are
-- those committed when the event is published (here: when events_since reads)
-- (flush_events publishes at once, as the worker does where one serves)
SET omni.stock_slots = 4;
SELECT omni.receive('EV-1', 'ev-wh', 10) AS on_hand;
SELECT omni.flush_events() AS published;
SELECT omni.reserve('EV-1', 'ev-wh', 3) AS r1 \gset
SELECT omni.flush_events() AS published;
-- the exact path writes every slot of the pair: still one event
SELECT omni.reserve('EV-1', 'ev-wh', 6) AS r2 \gset
SELECT omni.flush_events() AS published;
SELECT * FROM ev;
-- two pairs in one transaction: one event each
BEGIN;
SELECT omni.receive('EV-2', 'ev-wh', 5) AS on_hand;
SELECT omni.receive('EV-2', 'ev-st', 2) AS on_hand;
SELECT omni.receive('EV-2', 'ev-wh', 1) AS on_hand;
COMMIT;
SELECT * FROM ev WHERE n > 3;
-- a rolled-back transaction emits nothing
BEGIN;
SELECT omni.release_reservation(:r1);
SELECT omni.set_price('EV-1', 1.00);
ROLLBACK;
-- a rolled-back subtransaction neither
BEGIN;
SAVEPOINT s;
SELECT omni.release_reservation(:r1);
ROLLBACK TO s;
SELECT omni.release_reservation(:r2);
COMMIT;
SELECT * FROM ev WHERE n > 5;

-- prices: the price in force for the channel from valid_from on
SELECT omni.set_price('EV-1', 399.90, NULL, '2026-01-01 00:00+00');
SELECT omni.set_price('EV-1', 359.90, 'app', '2026-01-01 00:00+00');
SELECT omni.clear_price_override('EV-1', 'app', '2026-02-01 00:00+00');
-- setting the very same instant again corrects it: an event too
SELECT omni.set_price('EV-1', 389.90, NULL, '2026-01-01 00:00+00');
SELECT n, channel, payload - 'valid_from' AS payload,
       (payload->>'valid_from')::timestamptz AS valid_from
  FROM ev WHERE channel = 'omni_price';

-- orders: the generic trigger, attached in one statement
CREATE TABLE scratch_orders (order_id bigint PRIMARY KEY, status text NOT NULL, note text);
CREATE TRIGGER scratch_orders_events
    AFTER INSERT OR UPDATE OF status ON scratch_orders
    FOR EACH ROW EXECUTE FUNCTION omni.order_event();
INSERT INTO scratch_orders VALUES (1001, 'placed'), (1002, 'placed');
UPDATE scratch_orders SET status = 'shipped' WHERE order_id = 1001;
UPDATE scratch_orders SET status = 'shipped', note = 'same status: no event' WHERE order_id = 1001;
UPDATE scratch_orders SET note = 'not a status change' WHERE order_id = 1002;
BEGIN;
UPDATE scratch_orders SET status = 'cancelled' WHERE order_id = 1002;
ROLLBACK;
SELECT * FROM ev WHERE channel = 'omni_order';
-- a table without the columns the trigger reads
CREATE TABLE scratch_wrong (id bigint, state text);
CREATE TRIGGER scratch_wrong_events AFTER INSERT ON scratch_wrong
    FOR EACH ROW EXECUTE FUNCTION omni.order_event();
INSERT INTO scratch_wrong VALUES (1, 'placed');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- called outside a trigger, or as a BEFORE trigger
SELECT omni.order_event();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
CREATE TRIGGER scratch_before BEFORE INSERT ON scratch_orders
    FOR EACH ROW EXECUTE FUNCTION omni.order_event();
INSERT INTO scratch_orders VALUES (1003, 'placed');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
DROP TRIGGER scratch_before ON scratch_orders;

-- emit_event: any registered channel, a JSON object, small
SELECT omni.emit_event('omni_loyalty', '{"customer_id": 7}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO omni.event_channels VALUES ('omni_loyalty', 'Loyalty points changed');
SELECT omni.emit_event('omni_loyalty', '{"customer_id": 7, "points": 120}');
SELECT omni.emit_event('omni_loyalty', '[1, 2]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.emit_event('omni_loyalty', NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.emit_event('omni_loyalty', jsonb_build_object('blob', repeat('x', 8000)));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM ev WHERE channel = 'omni_loyalty';

-- the log: ids in order without gaps here, every payload far below 8000
-- bytes, each channel's contract fields present
SELECT count(*) AS events, min(n) AS first, max(n) AS last,
       bool_and(id_in_payload) AS ids_in_payloads FROM ev;
SELECT max(octet_length(payload::text)) < 1000 AS payloads_small FROM omni.events;
SELECT channel, array_agg(DISTINCT k ORDER BY k) AS fields
  FROM omni.events, jsonb_object_keys(payload) k
 WHERE event_id > :base GROUP BY channel ORDER BY channel;
SELECT count(*) AS queue_left FROM omni.event_queue;

-- events_since: one channel, a limit, order
SELECT n, channel FROM ev WHERE channel = 'omni_stock' ORDER BY n;
SELECT event_id - :base AS n FROM omni.events_since(:base, 'omni_stock', 2);
SELECT event_id - :base AS n FROM omni.events_since(:base + 5, NULL, 3);
SELECT count(*) AS none_after_last FROM omni.events_since((SELECT max(event_id) FROM omni.events));
SELECT * FROM omni.events_since(0, 'omni_stok');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.events_since(-1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.events_since(NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.events_since(0, NULL, 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- flush_events: nothing pending, nothing numbered
SELECT omni.flush_events() AS numbered;

-- retention
SELECT omni.prune_events('-1 day');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.prune_events(NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.prune_events('1 day') AS pruned_recent;
UPDATE omni.events SET created_at = created_at - interval '10 days' WHERE event_id <= :base + 3;
SELECT omni.prune_events('7 days') AS pruned_old;
SELECT min(n) AS oldest_kept FROM ev;

-- the documentation is in the catalogue
SELECT p.proname FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace
 WHERE s.nspname = 'omni' AND p.proname IN ('emit_event', 'events_since', 'flush_events',
       'prune_events', 'order_event', 'stock_event_trigger', 'price_event_trigger',
       'events_worker_serves')
   AND obj_description(p.oid, 'pg_proc') IS NULL;
\c :regress_db
DROP DATABASE omni_events_regression;

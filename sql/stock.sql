-- Inventory: receive, adjust, count, reserve, commit, release, expire,
-- sell, available, the ledger and its audit, every error.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT omni.add_product('SHOE-1', 'Running shoe');
SELECT omni.add_product('SHOE-2', 'Trail shoe');
SELECT omni.add_location('wh-1', 'Warehouse 1', 'warehouse', -23.5, -46.6);
SELECT omni.add_location('st-1', 'Store 1', 'store', -23.6, -46.7);

-- reservation ids appear in messages below: start them at a known value
-- whatever ran before in this database
SELECT setval(pg_get_serial_sequence('omni.reservations', 'reservation_id'), 1000, false) IS NOT NULL AS ids_from_1000;

-- receiving creates the slots and spreads the units over them
SET omni.stock_slots = 4;
SELECT omni.receive('SHOE-1', 'wh-1', 10) AS on_hand;
SELECT omni.receive('SHOE-1', 'wh-1', 6, 'transfer in') AS on_hand;
SELECT slot, on_hand, reserved FROM omni.stock_slots WHERE sku = 'SHOE-1' ORDER BY slot;
SELECT omni.receive('SHOE-1', 'st-1', 3) AS on_hand;
SELECT omni.available('SHOE-1', 'wh-1') AS wh, omni.available('SHOE-1', 'st-1') AS st,
       omni.available('SHOE-1') AS network, omni.available('SHOE-2') AS never_received,
       omni.available('SHOE-2', 'st-1') AS never_received_here;

-- reservations: one slot when one has enough, combined when none has
SELECT omni.reserve('SHOE-1', 'wh-1', 2, ref => 'cart-1') AS r1 \gset
SELECT omni.reserve('SHOE-1', 'wh-1', 9) AS r2 \gset
SELECT sum(on_hand) AS on_hand, sum(reserved) AS reserved FROM omni.stock_slots
 WHERE sku = 'SHOE-1' AND location = 'wh-1';
SELECT * FROM omni.stock_levels WHERE sku LIKE 'SHOE-%' ORDER BY sku, location;
-- more than is available: OM001, and nothing changes
SELECT omni.reserve('SHOE-1', 'wh-1', 6);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.available('SHOE-1', 'wh-1') AS still_5;

-- commit: the goods left; the ledger records the sale with the ref
SELECT omni.commit_reservation(:r1);
SELECT omni.commit_reservation(:r1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.release_reservation(:r1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- release: the units go back on sale
SELECT omni.release_reservation(:r2);
SELECT omni.release_reservation(:r2);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.commit_reservation(999999);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT status, qty, ref FROM omni.reservations WHERE sku LIKE 'SHOE-%' ORDER BY reservation_id;

-- a reservation past its TTL stops counting at once, and cannot be committed
SELECT omni.reserve('SHOE-1', 'st-1', 3, '1 millisecond') AS r3 \gset
SELECT pg_sleep(0.05);
SELECT omni.available('SHOE-1', 'st-1') AS back_on_sale,
       reserved AS reserved_in_view FROM omni.stock_levels WHERE sku = 'SHOE-1' AND location = 'st-1';
-- (terse: the detail names the moment it expired)
\set VERBOSITY terse
SELECT omni.commit_reservation(:r3);
\set VERBOSITY default
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a new reservation may use the expired units before any expiry job runs
SELECT omni.reserve('SHOE-1', 'st-1', 3) IS NOT NULL AS reserved_all_three;
SELECT status FROM omni.reservations WHERE reservation_id = :r3;
SELECT omni.reserve('SHOE-1', 'st-1', 1, '1 millisecond') AS r4 \gset
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.release_reservation(omni.reserve('SHOE-1', 'wh-1', 1, '1 millisecond'));
SELECT omni.reserve('SHOE-1', 'wh-1', 1, '1 millisecond') IS NOT NULL AS short_lived;
SELECT pg_sleep(0.05);
SELECT omni.expire_reservations() AS expired_now, omni.expire_reservations() AS expired_again;

-- sell: immediate, from any channel
SELECT omni.sell('SHOE-1', 'wh-1', 4, 'web') > 0 AS sold;
SELECT omni.sell('SHOE-1', 'wh-1', 4) > 0 AS sold_at_pos;
SELECT omni.sell('SHOE-1', 'wh-1', 40);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.sell('SHOE-1', 'wh-1', 1, 'fax');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- adjust and count
SELECT omni.adjust('SHOE-1', 'wh-1', -2, 'damage') AS after_damage;
SELECT omni.adjust('SHOE-1', 'wh-1', 1, 'found') AS after_found;
SELECT omni.reserve('SHOE-1', 'wh-1', 2) AS r5 \gset
SELECT omni.adjust('SHOE-1', 'wh-1', -10, 'shrink');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.set_count('SHOE-1', 'wh-1', 1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.set_count('SHOE-1', 'wh-1', 7) AS counted;
SELECT omni.set_count('SHOE-1', 'wh-1', 7) AS counted_again_no_movement;
SELECT * FROM omni.stock_levels WHERE sku = 'SHOE-1' ORDER BY location;

-- slots: grow, then shrink; units and reservations are kept
SELECT omni.set_stock_slots('SHOE-1', 'wh-1', 16) AS slots;
SELECT count(*), sum(on_hand), sum(reserved) FROM omni.stock_slots WHERE sku = 'SHOE-1' AND location = 'wh-1';
SELECT omni.set_stock_slots('SHOE-1', 'wh-1', 1) AS slots_kept;
SELECT sum(on_hand), sum(reserved) FROM omni.stock_slots WHERE sku = 'SHOE-1' AND location = 'wh-1';
SELECT omni.set_stock_slots('SHOE-1', 'wh-1', 65);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.commit_reservation(:r5);

-- the ledger rebuilds on-hand, and the audit finds nothing wrong
SELECT delta, reason, reference, channel FROM omni.stock_movements WHERE sku LIKE 'SHOE-%' ORDER BY movement_id;
SELECT sku, location, sum(delta) AS ledger_on_hand FROM omni.stock_movements WHERE sku LIKE 'SHOE-%' GROUP BY 1, 2 ORDER BY 1, 2;
SELECT * FROM omni.check_stock();
-- which the audit would notice if someone broke it by hand
BEGIN;
UPDATE omni.stock_slots SET on_hand = on_hand + 1 WHERE sku = 'SHOE-1' AND location = 'st-1' AND slot = 0;
SELECT * FROM omni.check_stock();
ROLLBACK;
-- the ledger is append-only
UPDATE omni.stock_movements SET delta = 100;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
DELETE FROM omni.stock_movements;
TRUNCATE omni.stock_movements;
-- earliest_expiry: a slot's lower bound of its reservations' expiry.
-- While it lies ahead, available() reads no reservation at all; once it
-- has passed, available() looks for expired ones (the scans of
-- omni.reservations this backend has not reported yet tell).
CREATE FUNCTION pg_temp.reservation_reads() RETURNS bigint LANGUAGE sql AS $$
    SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)
      FROM pg_stat_xact_user_tables WHERE relid = 'omni.reservations'::regclass $$;
SELECT omni.add_product('CAP-1', 'Cap');
SELECT omni.receive('CAP-1', 'st-1', 10) AS cap_on_hand;
SELECT omni.set_stock_slots('CAP-1', 'st-1', 2) AS cap_slots;
SELECT omni.reserve('CAP-1', 'st-1', 2, '1 hour') AS c1 \gset
SELECT omni.reserve('CAP-1', 'st-1', 1, '2 hours') AS c2 \gset
-- (which slot each lands on depends on the backend)
SELECT sum(reserved) AS reserved,
       bool_and(earliest_expiry = (SELECT min(expires_at) FROM omni.reservations r
                                    WHERE r.sku = s.sku AND r.location = s.location
                                      AND r.slot = s.slot AND r.status = 'active'))
       AS each_bound_is_its_earliest_hold
  FROM omni.stock_slots s WHERE sku = 'CAP-1';
BEGIN;  -- statistics are reported only between transactions
SELECT pg_temp.reservation_reads() AS reads_before \gset
SELECT omni.available('CAP-1', 'st-1') AS cap_free;
SELECT pg_temp.reservation_reads() - :reads_before AS reservations_read_while_none_can_have_expired;
COMMIT;
-- a hold shortened by hand moves its slot's bound with it (a trigger), so
-- the expired hold counts as free at once
UPDATE omni.reservations SET expires_at = now() - interval '1 second' WHERE reservation_id = :c1;
BEGIN;
SELECT pg_temp.reservation_reads() AS reads_before \gset
SELECT omni.available('CAP-1', 'st-1') AS cap_free_after_expiry;
SELECT pg_temp.reservation_reads() - :reads_before AS reservations_read_once_a_bound_passed;
COMMIT;
SELECT count(*) AS problems FROM omni.check_stock() WHERE sku = 'CAP-1';
-- the audit notices a bound broken by hand
BEGIN;
UPDATE omni.stock_slots SET earliest_expiry = 'infinity' WHERE sku = 'CAP-1' AND reserved > 0;
SELECT count(*) = (SELECT count(*) FROM omni.stock_slots WHERE sku = 'CAP-1' AND reserved > 0)
       AS every_broken_slot_reported,
       bool_and(problem LIKE 'slot _ has a reservation expiring before its earliest_expiry') AS says_why
  FROM omni.check_stock() WHERE sku = 'CAP-1';
ROLLBACK;
-- the exact path releases the expired hold; a slot left without
-- reservations gets 'infinity' back
SELECT omni.reserve('CAP-1', 'st-1', 9) AS c3 \gset
SELECT omni.release_reservation(:c2);
SELECT omni.release_reservation(:c3);
SELECT slot, reserved, earliest_expiry FROM omni.stock_slots WHERE sku = 'CAP-1' ORDER BY slot;
SELECT status, count(*) FROM omni.reservations WHERE sku = 'CAP-1' GROUP BY 1 ORDER BY 1;
SELECT omni.available('CAP-1', 'st-1') AS cap_all_free;

-- and the table itself refuses an oversold slot (terse: the failing row
-- shows earliest_expiry, a time)
\set VERBOSITY terse
UPDATE omni.stock_slots SET reserved = on_hand + 1 WHERE sku = 'SHOE-1' AND location = 'st-1' AND slot = 0;
\set VERBOSITY default

-- bad arguments: a clear error, a documented SQLSTATE, nothing written
SELECT count(*) AS movements_before FROM omni.stock_movements \gset
SELECT omni.reserve('NOPE', 'wh-1', 1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.reserve('SHOE-1', 'nowhere', 1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.reserve('SHOE-1', 'wh-1', 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.reserve('SHOE-1', 'wh-1', -1);
SELECT omni.reserve('SHOE-1', 'wh-1', 1, '0 seconds');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.reserve('SHOE-1', 'wh-1', 1, '-5 minutes');
SELECT omni.reserve(NULL, 'wh-1', 1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.reserve('SHOE-1', 'wh-1', NULL);
SELECT omni.receive('NOPE', 'wh-1', 1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.receive('SHOE-1', 'nowhere', 1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.receive('SHOE-1', 'wh-1', 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.receive('SHOE-1', 'wh-1', 1, '');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.receive('SHOE-1', 'wh-1', 2147483647);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.adjust('SHOE-1', 'wh-1', 0, 'nothing');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.adjust('SHOE-1', 'wh-1', -1, NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.set_count('SHOE-1', 'wh-1', -1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.sell('SHOE-1', 'wh-1', 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.sell('NOPE', 'wh-1', 1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.available('NOPE');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.available('SHOE-1', 'nowhere');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.commit_reservation(NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) - :movements_before AS movements_written_by_errors FROM omni.stock_movements;
SELECT * FROM omni.check_stock();
-- a first stock load of many pairs in one transaction takes no lock at all
SELECT count(omni.add_product('BULK-' || g, 'bulk item')) FROM generate_series(1, 3000) g;
BEGIN;
SELECT count(omni.receive('BULK-' || g, 'wh-1', 5)) AS pairs_loaded FROM generate_series(1, 3000) g;
SELECT count(*) AS stock_locks_held FROM pg_locks
 WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objsubid IN (3, 4);
COMMIT;
-- a restock takes one lock per pair, not one per slot
BEGIN;
SELECT count(omni.receive('BULK-' || g, 'wh-1', 1)) AS pairs_restocked FROM generate_series(1, 3000) g;
SELECT count(*) AS stock_locks_held FROM pg_locks
 WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objsubid IN (3, 4);
COMMIT;
SELECT sum(on_hand) AS bulk_on_hand FROM omni.stock_levels WHERE sku LIKE 'BULK-%';

-- expire_all_reservations releases everything, one batch at a time
SET omni.expire_batch = 2;
SELECT count(omni.reserve('BULK-' || g, 'wh-1', 1, '1 millisecond')) FROM generate_series(1, 5) g;
SELECT pg_sleep(0.05);
CALL omni.expire_all_reservations();
SELECT count(*) FILTER (WHERE status = 'active') AS still_active,
       count(*) FILTER (WHERE status = 'expired') AS expired
  FROM omni.reservations WHERE sku LIKE 'BULK-%';
RESET omni.expire_batch;
SELECT * FROM omni.check_stock();
RESET omni.stock_slots;

-- The fast path writes the slot and the reservation row without the
-- executor (src/stock/direct.c) only while the tables are as installed.
SELECT omni.add_product('DIRECT-1', 'direct path item');
SELECT omni.receive('DIRECT-1', 'wh-1', 100);
SELECT omni.stock_direct_path();
-- both paths write the same rows: reserve once each way and compare
SELECT omni.reserve('DIRECT-1', 'wh-1', 3, '10 minutes', 'direct') > 0 AS reserved_direct;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT omni.stock_direct_path();
SELECT omni.reserve('DIRECT-1', 'wh-1', 3, '10 minutes', 'sql') > 0 AS reserved_sql;
COMMIT;
SELECT ref, qty, status, closed_at IS NULL AS open, expires_at - created_at AS ttl,
       created_at <= now() AS created_before_now
  FROM omni.reservations WHERE sku = 'DIRECT-1' ORDER BY reservation_id;
SELECT reserved, available FROM omni.stock_levels WHERE sku = 'DIRECT-1';
-- two reservations of one pair in one statement see each other
SELECT count(omni.reserve('DIRECT-1', 'wh-1', 1)) AS reserved_in_one_statement
  FROM generate_series(1, 20);
SELECT reserved, available FROM omni.stock_levels WHERE sku = 'DIRECT-1';
-- each write recorded its stock event, once per pair and transaction
SELECT count(*) AS stock_events_queued FROM omni.event_queue
 WHERE channel = 'omni_stock' AND payload->>'sku' = 'DIRECT-1';
-- a trigger added by the DBA turns the direct path off, and then fires
CREATE TABLE dba_slot_audit (sku text, reserved int);
CREATE FUNCTION dba_slot_audit() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN INSERT INTO public.dba_slot_audit VALUES (NEW.sku, NEW.reserved); RETURN NEW; END $$;
CREATE TRIGGER dba_slot_audit AFTER UPDATE ON omni.stock_slots
   FOR EACH ROW EXECUTE FUNCTION dba_slot_audit();
SELECT omni.stock_direct_path();
SELECT omni.reserve('DIRECT-1', 'wh-1', 1) > 0 AS reserved;
SELECT count(*) AS audited FROM dba_slot_audit WHERE sku = 'DIRECT-1';
DROP TRIGGER dba_slot_audit ON omni.stock_slots;
SELECT omni.stock_direct_path();
-- so does a CHECK constraint, which the SQL path then enforces
ALTER TABLE omni.reservations ADD CONSTRAINT dba_small CHECK (qty < 50);
SELECT omni.stock_direct_path();
\set VERBOSITY terse
SELECT omni.reserve('DIRECT-1', 'wh-1', 60);
\set VERBOSITY default
\echo SQLSTATE :LAST_ERROR_SQLSTATE
ALTER TABLE omni.reservations DROP CONSTRAINT dba_small;
SELECT omni.stock_direct_path();
-- so does a trigger on the event queue: reserve's fast path writes the
-- event row directly too; the event is then queued through SQL
BEGIN;
CREATE TABLE dba_queue_audit (channel text);
CREATE FUNCTION dba_queue_audit() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN INSERT INTO public.dba_queue_audit VALUES (NEW.channel); RETURN NEW; END $$;
CREATE TRIGGER dba_queue_audit AFTER INSERT ON omni.event_queue
   FOR EACH ROW EXECUTE FUNCTION dba_queue_audit();
SELECT omni.stock_direct_path();
SELECT omni.reserve('DIRECT-1', 'wh-1', 1) > 0 AS reserved;
SELECT count(*) AS queued_events_audited FROM dba_queue_audit;
ROLLBACK;
-- with the events trigger disabled, the direct path records no event either
BEGIN;
ALTER TABLE omni.stock_slots DISABLE TRIGGER stock_slots_events;
SELECT omni.stock_direct_path();
SELECT count(*) AS queued_before FROM omni.event_queue \gset
SELECT omni.reserve('DIRECT-1', 'wh-1', 1) > 0 AS reserved;
SELECT count(*) - :queued_before AS events_recorded FROM omni.event_queue;
ROLLBACK;
-- a read-only transaction is refused by the SQL path, as before
BEGIN READ ONLY;
SELECT omni.stock_direct_path();
SELECT omni.reserve('DIRECT-1', 'wh-1', 1);
ROLLBACK;
SELECT * FROM omni.check_stock();
DROP TABLE dba_slot_audit;
DROP FUNCTION dba_slot_audit();

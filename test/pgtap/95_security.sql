-- pgTAP: roles can do exactly what they should and nothing more, every
-- definer function is hardened, and a hostile search_path changes nothing.
BEGIN;
SELECT plan(32);

SELECT has_role('omni_channel');
SELECT has_role('omni_analyst');
SELECT has_role('omni_admin');

-- classification is complete and current
SELECT is_empty($$
    SELECT a.function_name FROM omni.api_functions a
     WHERE NOT EXISTS (SELECT 1 FROM pg_proc p WHERE p.proname = a.function_name
                          AND p.pronamespace = 'omni'::regnamespace)
$$, 'every function named in omni.api_functions exists');
SELECT is_empty($$
    SELECT c.relname FROM pg_class c, aclexplode(c.relacl) a
     WHERE c.relnamespace = 'omni'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p')
       AND a.grantee = 0 AND c.relname <> 'error_codes'
$$, 'PUBLIC has no privilege on any table or view but the error codes');
SELECT is_empty($$
    SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.pronamespace = 'omni'::regnamespace AND p.prosecdef
       AND (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0))
$$, 'no SECURITY DEFINER function is executable by PUBLIC');
SELECT is_empty($$
    SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
     WHERE p.pronamespace = 'omni'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
       AND p.prokind <> 'p'   -- a procedure that commits may not have a SET clause
       -- a SQL-standard body is bound at creation: no search_path reaches it
       AND (p.prosqlbody IS NULL OR p.prosecdef)
       AND NOT coalesce(p.proconfig::text[] && ARRAY['search_path=pg_catalog, omni, pg_temp'], false)
$$, 'every SQL and PL/pgSQL function pins its search_path, but for SQL-standard bodies');
SELECT is_empty($$
    SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.pronamespace = 'omni'::regnamespace AND p.prosqlbody IS NOT NULL
       AND NOT p.prosecdef AND p.proconfig IS NOT NULL
$$, 'SQL-standard bodies carry no SET clause, so the planner can inline them');

-- test data, as the owner
SELECT omni.add_product('SEC-1', 'security tee');
SELECT omni.add_location('sec-st', 'Security store', 'store', 0, 0);
SELECT omni.receive('SEC-1', 'sec-st', 10);

-- a channel calls the API and cannot write tables
SET LOCAL ROLE omni_channel;
SELECT lives_ok($$SELECT omni.reserve('SEC-1', 'sec-st', 1)$$, 'a channel reserves through the API');
-- no slot of the 8 holds 3 of the 10 units: reserve() hands over to
-- reserve_through_sql, which runs as the owner
SELECT lives_ok($$SELECT omni.reserve('SEC-1', 'sec-st', 3)$$,
                'a channel reserves more than one slot holds (the exact path, run as the owner)');
SELECT throws_ok($$SELECT omni.reserve_through_sql('SEC-1', 'sec-st', 1, '1 hour', NULL)$$, '42501', NULL,
                 'a channel cannot call reserve''s internal SQL path itself');
SELECT lives_ok($$SELECT omni.sell('SEC-1', 'sec-st', 1, 'pos')$$, 'a channel sells through the API');
SELECT is((SELECT available FROM omni.stock_levels WHERE sku = 'SEC-1'), 5, 'a channel reads stock levels');
SELECT throws_ok($$UPDATE omni.stock_slots SET on_hand = 1000$$, '42501', NULL, 'a channel cannot write stock slots');
SELECT throws_ok($$INSERT INTO omni.stock_movements (sku, location, delta, reason) VALUES ('SEC-1', 'sec-st', 5, 'x')$$,
                 '42501', NULL, 'a channel cannot write the ledger');
SELECT throws_ok($$DELETE FROM omni.reservations$$, '42501', NULL, 'a channel cannot delete reservations');
SELECT throws_ok($$INSERT INTO omni.products (sku, name) VALUES ('X', 'x')$$, '42501', NULL, 'a channel cannot write the catalogue');
SELECT throws_ok($$SELECT omni.set_price('SEC-1', 1)$$, '42501', NULL, 'a channel cannot set prices');
SELECT throws_ok($$SELECT omni.set_stock_slots('SEC-1', 'sec-st', 2)$$, '42501', NULL, 'a channel cannot re-slot stock');
RESET ROLE;

-- a customer with an order, for the analyst views
SELECT customer_id AS sec_cust FROM omni.identify('app', 'sec-1', '{"email": "sec@example.com", "first_name": "Sec"}') \gset
SELECT omni.set_price('SEC-1', 5, NULL, '2026-01-01');
SELECT omni.place_order(:sec_cust, 'app', '[{"sku": "SEC-1", "qty": 1}]', 'pickup', NULL, NULL, 'sec-st') AS sec_ord \gset

-- an analyst reads, and cannot act
SET LOCAL ROLE omni_analyst;
SELECT is((SELECT length(customer) FROM omni.analyst_orders WHERE order_id = :sec_ord), 16,
          'an analyst sees the order''s customer as a pseudonym');
SELECT throws_ok($$SELECT * FROM omni.customers$$, '42501', NULL, 'an analyst cannot read customers');
SELECT throws_ok($$SELECT * FROM omni.identities$$, '42501', NULL, 'an analyst cannot read identities');
SELECT is((SELECT sum(delta)::int FROM omni.stock_movements WHERE sku = 'SEC-1'), 9, 'an analyst reads the ledger');
SELECT throws_ok($$SELECT omni.reserve('SEC-1', 'sec-st', 1)$$, '42501', NULL, 'an analyst cannot reserve');
SELECT throws_ok($$UPDATE omni.products SET name = 'x'$$, '42501', NULL, 'an analyst cannot write');
RESET ROLE;

-- a role with no omni role can use the types and nothing else
CREATE ROLE omni_tap_nobody;
SET LOCAL ROLE omni_tap_nobody;
SELECT is('Ana@Example.com'::omni.email::text, 'ana@example.com', 'anyone may use the types');
SELECT throws_ok($$SELECT omni.reserve('SEC-1', 'sec-st', 1)$$, '42501', NULL, 'PUBLIC cannot reserve');
SELECT throws_ok($$SELECT * FROM omni.products$$, '42501', NULL, 'PUBLIC cannot read the catalogue tables');
RESET ROLE;

-- admins manage
SET LOCAL ROLE omni_admin;
SELECT lives_ok($$SELECT omni.set_price('SEC-1', 19.90)$$, 'an admin sets prices');
RESET ROLE;

-- a hostile search_path cannot replace a built-in inside our functions
CREATE SCHEMA omni_tap_evil;
CREATE FUNCTION omni_tap_evil.now() RETURNS timestamptz LANGUAGE sql AS $$SELECT '2000-01-01'::timestamptz$$;
SET LOCAL search_path = omni_tap_evil, pg_catalog;
SELECT omni.reserve('SEC-1', 'sec-st', 1, '1 hour') AS evil_res \gset
RESET search_path;
SELECT ok((SELECT expires_at > '2020-01-01' FROM omni.reservations WHERE reservation_id = :evil_res),
          'a function now() placed before pg_catalog is not used by omni.reserve');
-- nor by its SQL path (more than any slot holds: the exact path)
SET LOCAL search_path = omni_tap_evil, pg_catalog;
SELECT omni.reserve('SEC-1', 'sec-st', 2, '1 hour') AS evil_exact \gset
RESET search_path;
SELECT ok((SELECT expires_at > '2020-01-01' FROM omni.reservations WHERE reservation_id = :evil_exact),
          'nor by the SQL path reserve() hands over to');
SELECT ok((SELECT NOT prosecdef AND proconfig IS NULL FROM pg_proc
            WHERE oid = 'omni.reserve(text, text, int, interval, text)'::regprocedure)
          AND (SELECT prosecdef AND proconfig::text[] && ARRAY['search_path=pg_catalog, omni, pg_temp'] FROM pg_proc
                WHERE oid = 'omni.reserve_through_sql(text, text, int, interval, text)'::regprocedure),
          'reserve() runs as the caller; its SQL path as the owner, with a pinned search_path');

SELECT * FROM finish();
ROLLBACK;

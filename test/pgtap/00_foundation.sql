-- pgTAP: the foundation's contract, seen from outside: the objects exist
-- with the signatures and properties applications rely on, and the error
-- codes are the documented ones.
BEGIN;
SELECT plan(43);

SELECT has_schema('omni');
SELECT has_extension('omnichannel');
SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'omnichannel'), false,
          'the extension is not relocatable');
SELECT is((SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
            WHERE e.extname = 'omnichannel'), 'omni', 'the extension lives in schema omni');

SELECT has_type('omni', 'email', 'type omni.email exists');
SELECT has_type('omni', 'phone', 'type omni.phone exists');
SELECT has_table('omni', 'channels', 'omni.channels exists');
SELECT has_table('omni', 'products', 'omni.products exists');
SELECT has_table('omni', 'locations', 'omni.locations exists');
SELECT has_table('omni', 'prices', 'omni.prices exists');
SELECT col_is_pk('omni', 'products', 'sku', 'omni.products is keyed by sku');
SELECT col_is_pk('omni', 'locations', 'code', 'omni.locations is keyed by code');
SELECT col_is_pk('omni', 'channels', 'channel', 'omni.channels is keyed by channel');
SELECT columns_are('omni', 'locations',
    ARRAY['code', 'name', 'kind', 'lat', 'lon', 'can_ship', 'can_pickup', 'can_curbside',
          'accepts_returns', 'priority', 'city', 'region', 'country', 'active', 'created_at']);

SELECT has_function('omni', 'set_price', ARRAY['text', 'numeric', 'text', 'timestamp with time zone']);
SELECT has_function('omni', 'price', ARRAY['text', 'text']);
SELECT has_function('omni', 'email_key', ARRAY['omni.email']);
SELECT function_returns('omni', 'price', ARRAY['text', 'text'], 'numeric');
SELECT function_returns('omni', 'email_key', ARRAY['omni.email'], 'text');

-- volatility is marked truthfully
SELECT volatility_is('omni', 'email_in', ARRAY['cstring'], 'immutable');
SELECT volatility_is('omni', 'phone_in', ARRAY['cstring'], 'stable');
SELECT volatility_is('omni', 'parse_phone', ARRAY['text', 'text'], 'immutable');
SELECT volatility_is('omni', 'price', ARRAY['text', 'text'], 'stable');
SELECT volatility_is('omni', 'set_price', ARRAY['text', 'numeric', 'text', 'timestamp with time zone'], 'volatile');
SELECT is_strict('omni', 'email_key', ARRAY['omni.email']);

-- opclasses: btree and hash for both types
SELECT has_opclass('omni', 'email_btree_ops', 'operator class omni.email_btree_ops exists');
SELECT has_opclass('omni', 'email_hash_ops', 'operator class omni.email_hash_ops exists');
SELECT has_opclass('omni', 'phone_btree_ops', 'operator class omni.phone_btree_ops exists');
SELECT has_opclass('omni', 'phone_hash_ops', 'operator class omni.phone_hash_ops exists');

-- error codes: the documented SQLSTATEs
SELECT throws_ok($$SELECT 'not an email'::omni.email$$, '22P02');
SELECT throws_ok($$SELECT 'call me'::omni.phone$$, '22P02');
SELECT throws_ok($$SELECT '+1234567890123456'::omni.phone$$, '22P02');
SELECT throws_ok($$SET omni.default_country = 'XX'$$, '22023');
SELECT throws_ok($$SELECT omni.parse_phone('020 7946 0018', 'ZZ')$$, '22023');
SELECT throws_ok($$SELECT omni.set_price('no-such-sku', 1)$$, 'OM003');
SELECT throws_ok($$SELECT omni.check_location('no-such-store')$$, 'OM004');

-- behaviour
SELECT lives_ok($$SELECT omni.add_product('TAP-1', 'pgTAP tee')$$);
SELECT throws_ok($$SELECT omni.set_price('TAP-1', -5)$$, '22023');
SELECT throws_ok($$SELECT omni.set_price('TAP-1', 5, 'telegraph')$$, '22023');
SELECT lives_ok($$SELECT omni.set_price('TAP-1', 10, NULL, now() - interval '1 day')$$);
SELECT is(omni.price('TAP-1', 'web'), 10.0, 'the base price applies to every channel');
SELECT is(omni.parse_phone('020 7946 0018', 'GB')::text, '+442079460018',
          'a national GB number becomes E.164');

-- no SECURITY DEFINER function without a pinned search_path
SELECT is_empty($$
    SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.pronamespace = 'omni'::regnamespace AND p.prosecdef
       AND NOT coalesce(p.proconfig::text[] && ARRAY['search_path=pg_catalog, omni, pg_temp'], false)
$$, 'every SECURITY DEFINER function pins search_path');

SELECT * FROM finish();
ROLLBACK;

-- Catalogue: channels, products, locations, and the checks every API shares.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT channel, name, is_physical FROM omni.channels ORDER BY channel;
SELECT omni.add_channel('kiosk', 'In-store kiosk', true);
SELECT omni.add_channel('Bad Name', 'x');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.add_channel(NULL, 'x');

SELECT omni.add_product('SKU-1', 'Running shoe', 'shoes', '{"color": "blue", "size": 42}');
SELECT omni.add_product('SKU-2', 'Trail shoe', 'shoes');
SELECT omni.add_product('SKU-1', 'Running shoe v2', 'shoes', '{"color": "red"}');  -- upsert
SELECT sku, name, category, attributes FROM omni.products ORDER BY sku;
SELECT omni.add_product(' SKU-3', 'leading blank');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.add_product('', 'empty');
SELECT omni.add_product(repeat('x', 65), 'too long');
SELECT omni.add_product('SKU-3', '');
SELECT omni.add_product('SKU-3', 'array attrs', NULL, '[1,2]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the tables hold their own constraints too, for whoever writes them directly
\set VERBOSITY terse
INSERT INTO omni.products (sku, name, attributes) VALUES ('SKU-4', 'x', '"scalar"');
\set VERBOSITY default

SELECT omni.add_location('store-sp-01', 'São Paulo Paulista', 'store', -23.5614, -46.6559,
                         can_curbside => true, city => 'São Paulo', country => 'br');
SELECT omni.add_location('dc-cajamar', 'Cajamar DC', 'warehouse', -23.3560, -46.8769);
SELECT omni.add_location('locker-01', 'Locker Pinheiros', 'locker', -23.5670, -46.6930);
SELECT code, kind, can_ship, can_pickup, can_curbside, accepts_returns, priority, country
  FROM omni.locations ORDER BY code;
SELECT omni.add_location('Store 1', 'x', 'store', 0, 0);
SELECT omni.add_location('store-x', 'x', 'shop', 0, 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.add_location('store-x', 'x', 'store', 91, 0);
SELECT omni.add_location('store-x', 'x', 'store', 0, -180.5);
SELECT omni.add_location('store-x', 'x', 'store', NULL, 0);
SELECT omni.add_location('locker-02', 'x', 'locker', 0, 0, can_ship => true);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.add_location('dc-2', 'x', 'warehouse', 0, 0, can_curbside => true);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- shared checks: one voice, one SQLSTATE each
SELECT omni.check_sku('NOPE');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.check_location('nowhere');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.check_channel('fax');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.check_sku('SKU-1'), omni.check_location('dc-cajamar'), omni.check_channel('pos');

-- every OM error code is documented in one place
SELECT sqlstate, name FROM omni.error_codes ORDER BY sqlstate;

-- the catalogue survives pg_dump: its tables are extension configuration
SELECT c.relname
  FROM pg_extension e, unnest(e.extconfig) AS t(oid) JOIN pg_class c ON c.oid = t.oid
 WHERE e.extname = 'omnichannel' AND c.relname IN ('channels', 'products', 'locations', 'prices')
 ORDER BY 1;

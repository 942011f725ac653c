-- Prices: base price, channel overrides, future prices, history.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT omni.add_product('TEE-1', 'T-shirt', 'apparel');
SELECT omni.add_product('CAP-1', 'Cap', 'apparel');

-- no price yet: NULL, not an error
SELECT omni.price('TEE-1', 'web') AS no_price_yet;

SELECT omni.set_price('TEE-1', 59.90, NULL, '2026-01-01');
SELECT omni.price('TEE-1', 'web') AS web, omni.price('TEE-1', 'pos') AS pos,
       omni.price('TEE-1') AS base;

-- an explicit override for one channel leaves the others alone
SELECT omni.set_price('TEE-1', 49.90, 'app', '2026-02-01');
SELECT channel, price, is_override FROM omni.current_prices WHERE sku = 'TEE-1' ORDER BY channel;

-- a new base price reaches every channel but the overridden one
SELECT omni.set_price('TEE-1', 64.90, NULL, '2026-03-01');
SELECT omni.price('TEE-1', 'web') AS web, omni.price('TEE-1', 'app') AS app_override;

-- ending the override: the app falls back to the base price
SELECT omni.clear_price_override('TEE-1', 'app', '2026-04-01');
SELECT omni.price('TEE-1', 'app') AS app_after_clear;

-- a future price is not in force yet, but is at its moment
SELECT omni.set_price('TEE-1', 39.90, 'web', now() + interval '7 days');
SELECT omni.price('TEE-1', 'web') AS web_now,
       omni.price('TEE-1', 'web', now() + interval '8 days') AS web_next_week,
       omni.price('TEE-1', 'web', '2026-02-15') AS web_in_february;

-- the same instant set twice is a correction, not a second price
SELECT omni.set_price('CAP-1', 20, 'web', '2026-01-01');
SELECT omni.set_price('CAP-1', 25, 'web', '2026-01-01');
SELECT count(*) AS rows_for_cap_web FROM omni.prices WHERE sku = 'CAP-1' AND channel = 'web';
SELECT omni.price('CAP-1', 'web') AS cap_web, omni.price('CAP-1', 'pos') AS cap_pos_has_no_base;

SELECT channel, price, valid_from FROM omni.price_history('TEE-1')
 WHERE valid_from < '2026-06-01';

-- errors: unknown SKU OM003, unknown channel and negative price 22023
SELECT omni.set_price('NOPE', 10);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.set_price('TEE-1', -1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.set_price('TEE-1', 10, 'fax');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.price('NOPE', 'web');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.price('TEE-1', 'fax');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.set_price('TEE-1', NULL);
SELECT omni.set_price('TEE-1', 10, NULL, 'infinity');
SELECT omni.clear_price_override('TEE-1', NULL);
SELECT omni.price_history('NOPE');
-- nothing was written by the failed calls
SELECT count(*) AS price_rows FROM omni.prices;
-- the table refuses a second base price at the same moment
\set VERBOSITY terse
INSERT INTO omni.prices (sku, channel, price, valid_from) VALUES ('TEE-1', NULL, 1, '2026-01-01');
\set VERBOSITY default

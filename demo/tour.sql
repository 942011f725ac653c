-- The guided tour printed by `make demo`: each step says what it shows,
-- then psql echoes the SQL and its result.
\pset footer off
\set ECHO queries

\echo
\echo '== 1. One catalogue, shared by every channel'
SELECT sku, name, category FROM omni.products ORDER BY sku;

\echo
\echo '== 2. Where the stock lives, and what each place can do'
SELECT code, kind, city, can_ship, can_pickup, can_curbside, accepts_returns
  FROM omni.locations ORDER BY kind, code;

\echo
\echo '== 3. One price per SKU and channel: the app has its own promotion'
SELECT channel, price, is_override FROM omni.current_prices
 WHERE sku = 'TENIS-RUN-42' ORDER BY channel;

\echo
\echo '== 4. Prices have a history: next week the shirt costs less everywhere'
SELECT omni.price('CAMISA-SEL-M', 'web') AS today,
       omni.price('CAMISA-SEL-M', 'web', now() + interval '8 days') AS next_week;

\echo
\echo '== 5. A customer is recognised whatever the channel typed: e-mail addresses'
SELECT raw, raw::omni.email AS stored, omni.email_key(raw::omni.email) AS matching_key
  FROM (VALUES ('  Ana.Souza@GMAIL.com'), ('anasouza+loja@gmail.com'), ('ana.souza@googlemail.com')) v(raw);

\echo
\echo '== 6. ... and phone numbers, national formats read with omni.default_country'
SET omni.default_country = 'BR';
SELECT raw, raw::omni.phone AS e164, omni.phone_region(raw::omni.phone) AS region
  FROM (VALUES ('(11) 91234-5678'), ('+55 11 91234 5678'), ('011 91234-5678')) v(raw);
SELECT omni.parse_phone('020 7946 0018', 'GB') AS london;

\echo
\echo '== 7. Bad input gets a clear error with a documented SQLSTATE'
\set VERBOSITY verbose
\set ON_ERROR_STOP 0
SELECT 'ana souza@gmail'::omni.email;
SELECT omni.set_price('TENIS-RUN-42', -10);
\set ON_ERROR_STOP 1
\set VERBOSITY default
SELECT sqlstate, name, raised_when FROM omni.error_codes WHERE sqlstate LIKE 'OM%' ORDER BY 1;

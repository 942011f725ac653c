-- The short tour before the journey (`make demo`): the retailer that
-- demo/load.sh generated, and the types that recognise a customer whatever
-- the channel typed.  Each step says what it shows, then psql echoes the SQL.
\set ON_ERROR_STOP 1
\pset footer off
\set ECHO queries

\echo
\echo '== The retailer: stores, distribution centres and a locker in real cities'
SELECT kind, count(*) AS locations, count(DISTINCT city) AS cities,
       string_agg(DISTINCT city, ', ' ORDER BY city) FILTER (WHERE kind <> 'store') AS where_
  FROM omni.locations GROUP BY kind ORDER BY kind;
SELECT city, region, count(*) AS stores FROM omni.locations WHERE kind = 'store'
 GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 6;

\echo
\echo '== One catalogue and one stock for every channel'
SELECT category, count(*) AS skus FROM omni.products GROUP BY 1 ORDER BY 2 DESC;
SELECT count(*) AS stocked_pairs, sum(on_hand) AS units_on_hand, sum(reserved) AS units_reserved
  FROM omni.stock_levels;

\echo
\echo '== One price per SKU and channel: a channel differs only by an explicit override'
SELECT channel, price, is_override FROM omni.current_prices
 WHERE sku = 'COR-VENTO-PRO-38' ORDER BY channel;
SELECT count(*) FILTER (WHERE is_override) AS channel_overrides, count(DISTINCT sku) AS priced_skus
  FROM omni.current_prices;

\echo
\echo '== A customer is recognised whatever the channel typed: e-mail addresses ...'
SELECT raw, raw::omni.email AS stored, omni.email_key(raw::omni.email) AS matching_key
  FROM (VALUES ('  Luiza.Conceicao@GMAIL.com'), ('luizaconceicao+loja@gmail.com')) v(raw);
\echo '== ... and phone numbers, national formats read with omni.default_country'
SET omni.default_country = 'BR';
SELECT raw, raw::omni.phone AS e164
  FROM (VALUES ('(11) 98765-4321'), ('+55 11 98765 4321'), ('011 98765-4321')) v(raw);

\echo
\echo '== Bad input gets a clear error with a documented SQLSTATE'
\set ON_ERROR_STOP 0
SELECT 'luiza conceicao@gmail'::omni.email;
SELECT omni.reserve('COR-VENTO-PRO-38', 'store-sp-paulista', 1);
\set ON_ERROR_STOP 1
\set ECHO none

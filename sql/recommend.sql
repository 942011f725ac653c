-- Recommendations: a small hand-made shop where the right answer is
-- obvious: companions, repeat buys, returns, the store filter, cold start,
-- reasons, the analyst functions and every error.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- In a database of its own, dropped at the end, so that it neither sees
-- nor leaves anything for the other suites.
\set home :DBNAME
SET client_min_messages = warning;
DROP DATABASE IF EXISTS omni_recommend_regress;
RESET client_min_messages;
CREATE DATABASE omni_recommend_regress;
\c omni_recommend_regress
CREATE EXTENSION omnichannel;

SELECT count(*) FROM (
    SELECT omni.add_product(s, initcap(lower(substr(s, 4))), 'home')
      FROM unnest('{RC-MUG,RC-TEA,RC-SPOON,RC-CANDLE,RC-LAMP,RC-BOOK,RC-PEN,RC-SOAP}'::text[]) s) p;
SELECT omni.add_location('rc-store', 'Store', 'store', 51.5, -0.1);
SELECT omni.add_location('rc-empty', 'Empty store', 'store', 51.6, -0.2);
SELECT omni.receive(s, 'rc-store', 10)
  FROM unnest('{RC-TEA,RC-CANDLE,RC-SOAP,RC-PEN}'::text[]) s ORDER BY s;
SELECT omni.set_price(s, 5) FROM unnest('{RC-CANDLE,RC-SOAP}'::text[]) s ORDER BY s;

-- customers, by their channel keys; ids kept in psql variables, never printed
SELECT customer_id AS alice FROM omni.identify('app', 'rc-alice', '{}') \gset
SELECT customer_id AS bob   FROM omni.identify('web', 'rc-bob', '{}') \gset
SELECT customer_id AS carol FROM omni.identify('web', 'rc-carol', '{}') \gset
SELECT customer_id AS dave  FROM omni.identify('social', 'rc-dave', '{}') \gset
SELECT customer_id AS erin  FROM omni.identify('app', 'rc-erin', '{}') \gset
SELECT customer_id AS frank FROM omni.identify('pos', 'rc-frank', '{}') \gset

-- the mug goes with tea (three customers), the spoon with tea less often
SELECT count(*) FROM (
    SELECT omni.track(c, ch, 'purchase', s, now() - t::interval)
      FROM (VALUES (:bob, 'web', 'RC-MUG', '19 days 2 hours'), (:bob, 'web', 'RC-TEA', '19 days 2 hours'),
                   (:carol, 'web', 'RC-MUG', '18 days 2 hours'), (:carol, 'web', 'RC-TEA', '18 days 2 hours'),
                   (:carol, 'web', 'RC-SPOON', '18 days 2 hours'),
                   (:dave, 'social', 'RC-MUG', '17 days 2 hours'), (:dave, 'social', 'RC-TEA', '17 days 2 hours'),
                   (:dave, 'social', 'RC-BOOK', '16 days 2 hours'), (:bob, 'web', 'RC-BOOK', '15 days 2 hours'),
                   (:dave, 'social', 'RC-PEN', '16 days 2 hours')) v(c, ch, s, t)) t;
-- alice: bought a mug once in the app, pens in three baskets (web, app, store),
-- a lamp she returned, and a book on her wishlist
SELECT count(*) FROM (
    SELECT omni.track(:alice, ch, e, s, now() - t::interval)
      FROM (VALUES ('app', 'purchase', 'RC-MUG', '10 days 3 hours'),
                   ('web', 'purchase', 'RC-PEN', '19 days 3 hours'),
                   ('app', 'purchase', 'RC-PEN', '15 days 3 hours'),
                   ('pos', 'purchase', 'RC-PEN', '11 days 3 hours'),
                   ('web', 'purchase', 'RC-LAMP', '12 days 3 hours'),
                   ('web', 'return', 'RC-LAMP', '11 days 0 hours'),
                   ('social', 'view', 'RC-CANDLE', '10 days 4 hours')) v(ch, e, s, t)) t;
-- carol put a candle in her cart and has soap on her wishlist
SELECT omni.track(:carol, 'app', 'cart', 'RC-CANDLE', now() - interval '1 day'),
       omni.track(:carol, 'app', 'wishlist', 'RC-SOAP', now() - interval '1 day');
-- frank buys candles and soap in the store (a POS sale), and an anonymous
-- shopper buys soap there too
SELECT omni.record_pos_sale(:frank, 'rc-store', '[{"sku": "RC-CANDLE", "qty": 2}, {"sku": "RC-SOAP", "qty": 1}]') > 0 AS sold;
SELECT omni.sell('RC-SOAP', 'rc-store', 3, 'pos') > 0 AS sold;

-- the signals every channel left, in one view
SELECT kind, channel, count(*) FROM omni.interaction_signals
 GROUP BY kind, channel ORDER BY kind, channel;

SELECT omni.refresh_recommendations();
SELECT customers, skus, signals, neighbour_pairs > 0 AS has_pairs, built_at <= now() AS built
  FROM omni.recommend_model;

-- neighbours: tea is the mug's best companion; never the SKU itself
SELECT sku, round(score::numeric, 4) AS score FROM omni.similar_items('RC-MUG', 3);
SELECT count(*) AS itself FROM omni.similar_items('RC-TEA', 100) WHERE sku = 'RC-TEA';

-- repeat rates: alice bought pens again and again, nobody bought a second
-- mug; a SKU without data of its own gets the all-SKU rate of the model
SELECT sku, round(repeat_rate::numeric, 4) AS repeat_rate FROM omni.recommend_neighbours
 WHERE sku IN ('RC-PEN', 'RC-MUG', 'RC-TEA') ORDER BY sku;
SELECT round(repeat_rate::numeric, 4) AS all_skus FROM omni.recommend_model;

-- alice: her pens first (three baskets of her five), the mug she bought once
-- (in her latest basket), the candle she viewed, then what customers like
-- her buy; never the lamp she returned
SELECT sku, round(score::numeric, 4) AS score, reason FROM omni.recommend(:alice, 5);
-- weighting the item neighbours instead: tea comes because she bought a mug
UPDATE omni.recommend_settings SET blend_similar = 1, blend_others = 0;
SELECT sku, reason FROM omni.recommend(:alice, 5) WHERE reason LIKE 'bought with%';
UPDATE omni.recommend_settings SET blend_similar = DEFAULT, blend_others = DEFAULT;
SELECT count(*) AS lamp FROM omni.recommend(:alice, 100) WHERE sku = 'RC-LAMP';
-- in the store only what is on its shelf now
SELECT sku, reason FROM omni.recommend(:alice, 3, 'rc-store');
SELECT count(*) AS not_on_shelf FROM omni.recommend(:alice, 100, 'rc-store') r
 WHERE omni.available(r.sku, 'rc-store') <= 0;
-- a store with nothing on its shelf: nothing to recommend there
SELECT count(*) FROM omni.recommend(:alice, 5, 'rc-empty');
-- erin has no history: popular items; in the store, the store's bestsellers
SELECT sku, reason FROM omni.recommend(:erin, 3);
SELECT sku, reason FROM omni.recommend(:erin, 2, 'rc-store');
-- dave bought what bob and carol bought, and carol also bought a spoon
SELECT count(*) AS customers_with_peers FROM omni.recommend_customer_items;
SELECT sku, reason FROM omni.recommend(:dave, 10) WHERE sku = 'RC-SPOON';
-- what carol left in her cart and on her wishlist comes back, with its reason
SELECT sku, reason FROM omni.recommend(:carol, 10)
 WHERE reason IN ('in your cart', 'on your wishlist') ORDER BY sku;
-- k bounds the answer; ties are broken by SKU so the order is stable
SELECT count(*) FROM omni.recommend(:bob, 2);
SELECT array_agg(sku) = (SELECT array_agg(sku) FROM omni.recommend(:bob, 4)) AS stable
  FROM omni.recommend(:bob, 4);

-- a whole segment at once: a LATERAL join, or recommend_segment
SELECT c.key, r.sku, r.reason
  FROM (VALUES ('alice', :alice), ('dave', :dave)) c(key, id)
 CROSS JOIN LATERAL omni.recommend(c.id, 2) r
 ORDER BY c.key, r.score DESC, r.sku;
SELECT count(*), count(DISTINCT customer_id), min(rank), max(rank)
  FROM omni.recommend_segment(ARRAY[:alice, :bob, :carol, :dave, :erin]::bigint[], 3);

-- analyst functions
SELECT sku, baskets, round(confidence::numeric, 3) AS confidence, round(lift::numeric, 3) AS lift
  FROM omni.bought_together('RC-MUG', 3);
SELECT sku, units, buyers FROM omni.trending('rc-store', now() - interval '1 day');
SELECT sku, units FROM omni.trending(NULL, now() - interval '1 day') ORDER BY sku;

-- refreshing again gives the same model
CREATE TEMP TABLE before AS SELECT * FROM omni.recommend_neighbours;
SELECT omni.refresh_recommendations();
SELECT count(*) AS changed FROM (
    (SELECT sku, neighbours, scores FROM before EXCEPT SELECT sku, neighbours, scores FROM omni.recommend_neighbours)
    UNION ALL
    (SELECT sku, neighbours, scores FROM omni.recommend_neighbours EXCEPT SELECT sku, neighbours, scores FROM before)) d;

-- the health view reports the build
SELECT check_name, status FROM omni.health WHERE check_name = 'last_model_refresh';

-- gina bought a mug and a pen in one basket: the pen, which its buyers buy
-- again, comes before the mug, which more customers buy but nobody twice
-- (only the repeat part, little smoothing, to see the rates at work)
SELECT customer_id AS gina FROM omni.identify('web', 'rc-gina', '{}') \gset
SELECT count(*) FROM (SELECT omni.track(:gina, 'web', 'purchase', s, now() - interval '5 days')
                        FROM unnest('{RC-MUG,RC-PEN}'::text[]) s) t;
UPDATE omni.recommend_settings SET repeat_smoothing = 1, blend_others = 0;
SELECT omni.refresh_recommendations();
SELECT sku, reason FROM omni.recommend(:gina, 2);
UPDATE omni.recommend_settings SET repeat_smoothing = DEFAULT, blend_others = DEFAULT;

-- errors
SELECT * FROM omni.recommend(-1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.recommend(:alice, 5, 'rc-nowhere');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.recommend(:alice, 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.recommend(NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.similar_items('RC-NOPE');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.similar_items('RC-MUG', 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.bought_together('RC-NOPE');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.trending('rc-nowhere');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the settings are checked
UPDATE omni.recommend_settings SET weight_return = 1;
\echo SQLSTATE :LAST_ERROR_SQLSTATE

\c :home
DROP DATABASE omni_recommend_regress;

-- The customer journey of `make demo`, told as a story: each step says what
-- happens, then psql echoes the SQL the channel calls and its result.
-- Needs the demo retailer (demo/load.sh) and, for step 3, the events
-- printed by the omni-listen that scripts/demo.sh runs in the background
-- (demo/show-events.sh reads them).
\set ON_ERROR_STOP 1
\pset footer off
\pset null '-'
SET omni.default_country = 'BR';
\set sku 'COR-VENTO-PRO-38'
\set socks 'COR-MEIA-COMP-M'
SELECT coalesce(max(event_id), 0) AS events_before FROM omni.events \gset
\setenv OMNI_DEMO_EVENTS_FROM :events_before
\setenv OMNI_DEMO_DB :DBNAME
\set ECHO queries

\echo
\echo '================================================================'
\echo ' 1. SOCIAL: Luíza sees a running shoe on Instagram and taps it.'
\echo '    The social channel knows her by a handle and the e-mail she'
\echo '    shared; omni.identify finds the customer the app already has.'
\echo '================================================================'
SELECT customer_id, is_new, explanation->>'rule' AS linked_by, round(score::numeric, 2) AS score
  FROM omni.identify('social', '@lu.corre.sp',
       '{"first_name": "Luiza", "last_name": "Conceicao", "email": "Luiza.Conceicao+insta@Gmail.com", "city": "Sao Paulo"}') \gset
\echo '    -> customer' :customer_id ', new:' :is_new ', linked by:' :linked_by
SELECT omni.track(:customer_id, 'social', 'view', :'sku');

\echo
\echo '================================================================'
\echo ' 2. APP: at home she opens the app. Is the shoe in a store near'
\echo '    her? Her usual store, Paulista, has none left.'
\echo '================================================================'
SELECT customer_id AS app_customer FROM omni.identify('app', 'app-luiza', '{}') \gset
SELECT l.code, l.name,
       round((6371 * 2 * asin(sqrt(sin(radians(l.lat + 23.5630) / 2) ^ 2
             + cos(radians(-23.5630)) * cos(radians(l.lat)) * sin(radians(l.lon + 46.6540) / 2) ^ 2)))::numeric, 1) AS km,
       omni.available(:'sku', l.code) AS shoes, omni.available(:'socks', l.code) AS socks,
       omni.price(:'sku', 'app') AS app_price
  FROM omni.locations l
 WHERE l.kind = 'store' AND l.city = 'São Paulo'
 ORDER BY km LIMIT 5;
SELECT l.code AS pickup_store
  FROM omni.locations l
 WHERE l.kind = 'store' AND l.can_pickup AND omni.available(:'sku', l.code) > 0
 ORDER BY (l.lat + 23.5630) ^ 2 + ((l.lon + 46.6540) * cos(radians(23.56))) ^ 2 LIMIT 1 \gset
\echo '    The nearest store with the shoe is' :pickup_store '; the plan for a pickup there:'
SELECT * FROM omni.route(format('[{"sku": "%s", "qty": 1}, {"sku": "%s", "qty": 1}]', :'sku', :'socks')::jsonb,
                         'pickup', pickup_location => :'pickup_store');
SELECT omni.track(:app_customer, 'app', 'wishlist', :'sku');

\echo
\echo '================================================================'
\echo ' 3. BOPIS: she buys in the app for pickup at' :pickup_store
\echo '    Stock is reserved at once; the store screens, listening with'
\echo '    omni-listen, see the order and the stock change.'
\echo '================================================================'
SELECT omni.place_order(:app_customer, 'app',
           format('[{"sku": "%s", "qty": 1}, {"sku": "%s", "qty": 1}]', :'sku', :'socks')::jsonb,
           'pickup', pickup_location => :'pickup_store') AS order_id \gset
SELECT order_id, channel, mode, status, total, points, pickup_location FROM omni.orders WHERE order_id = :order_id;
SELECT sku, location, on_hand, reserved, available FROM omni.stock_levels
 WHERE sku IN (:'sku', :'socks') AND location = :'pickup_store' ORDER BY sku;
\setenv OMNI_DEMO_ORDER :order_id
\setenv OMNI_DEMO_STORE :pickup_store
\setenv OMNI_DEMO_SKUS :sku' ':socks
\echo '    omni-listen (in the background since the journey started) printed:'
\! bash demo/show-events.sh
\echo '    The store prepares the parcel:'
SELECT omni.mark_ready(:order_id);

\echo
\echo '================================================================'
\echo ' 4. POS: at the counter the associate types her phone number, the'
\echo '    way the POS formats it, and sees everything about her.'
\echo '================================================================'
SELECT customer_id, round(score::numeric, 2) AS score, explanation->'fields' AS matched_on
  FROM omni.match_candidates('{"phone": "11 98765 4321"}', 3);
\echo '    The customer 360: her records in every channel ...'
SELECT ch.key AS channel, r->>'source_key' AS source_key, r->'attributes' AS attributes
  FROM jsonb_each(omni.customer_360(:app_customer)->'identities') ch,
       jsonb_array_elements(ch.value) r ORDER BY 1, 2;
\echo '    ... her orders from every channel (most recent first) ...'
SELECT o->>'order_id' AS order_id, o->>'channel' AS channel, o->>'mode' AS mode, o->>'status' AS status,
       o->>'total' AS total, o->>'pickup_location' AS store
  FROM jsonb_array_elements(omni.customer_360(:app_customer)->'orders') o LIMIT 6;
\echo '    ... and what she did where:'
SELECT omni.customer_360(:app_customer)->'interactions'->'by_channel' AS interactions_by_channel,
       omni.customer_360(:app_customer)->'loyalty'->'balance' AS loyalty_points;
\echo '    She collects her order and pays part of it with points:'
SELECT omni.complete_fulfillment(:order_id);
SELECT least(200, omni.loyalty_balance(:app_customer)) AS redeem \gset
SELECT omni.loyalty_balance(:app_customer) AS before,
       omni.redeem_points(:app_customer, :redeem, 'pos') AS after_redeeming;

\echo
\echo '================================================================'
\echo ' 5. AFTER THE PURCHASE: what should the app show her next, from'
\echo '    what is on the shelf of' :pickup_store '?'
\echo '================================================================'
SELECT r.sku, p.name, round(r.score::numeric, 3) AS score, r.reason,
       omni.available(r.sku, :'pickup_store') AS on_shelf
  FROM omni.recommend(:app_customer, 5, :'pickup_store') r JOIN omni.products p USING (sku);

\echo
\echo '================================================================'
\echo ' 6. RETURN ANYWHERE: the socks are the wrong size. She returns them'
\echo '    at the Paulista store near her office; then she calls the'
\echo '    support desk, which finds her by phone and sees it all.'
\echo '================================================================'
SELECT omni.return_items(:order_id, format('[{"sku": "%s", "qty": 1}]', :'socks')::jsonb,
                         'store-sp-paulista') AS return_id;
SELECT customer_id AS support_customer, explanation->>'rule' AS linked_by
  FROM omni.identify('support', 'ticket-luiza-1', '{"phone": "+55 (11) 98765-4321", "first_name": "Luíza"}');
WITH c AS (SELECT omni.customer_360(:app_customer) AS c)
SELECT (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(c->'identities') k) AS channels,
       jsonb_array_length(c->'orders') AS orders,
       c->'orders'->0->>'status' AS last_order_status,
       c->'returns'->0->>'location' AS returned_at,
       c->'returns'->0->>'amount' AS refunded,
       c->'loyalty'->'balance' AS points
  FROM c;
SELECT l->>'delta' AS points, l->>'reason' AS reason, l->>'channel' AS channel
  FROM jsonb_array_elements(omni.customer_360(:app_customer)->'loyalty'->'recent') l LIMIT 5;
\set ECHO none

-- Recommendations: an item-item model built from every channel's signals,
-- scored per customer in C (src/recommend.c), plus analyst functions.
--
-- omni.interaction_signals is the ONE place that reads the tables of the
-- orders part (and the anonymous store sales of the stock ledger): the
-- model build and the scoring read nothing else.  The model lives in four
-- small tables rebuilt by omni.refresh_recommendations(): neighbours as
-- arrays per SKU (one row read per item of a customer's history), what
-- similar customers buy as arrays per customer, popularity, and popularity
-- per store.

-- ---------------------------------------------------------------- signals

CREATE VIEW omni.interaction_signals AS
-- events tracked by the channels (omni.track); the rows orders write
-- themselves carry an order_id and are read from the orders below instead
SELECT i.customer_id, i.sku, i.event AS kind, 1 AS qty, i.at,
       NULL::bigint AS basket_id, NULL::text AS location, i.channel
  FROM omni.interactions i
 WHERE i.order_id IS NULL AND i.sku IS NOT NULL
   AND i.event IN ('view', 'wishlist', 'cart', 'purchase', 'return')
UNION ALL
-- order lines of every channel; POS sales to a known customer are orders
-- of mode instore at their store
SELECT o.customer_id, l.sku, 'purchase', l.qty, o.placed_at,
       o.order_id, o.pickup_location, o.channel
  FROM omni.orders o
  JOIN omni.order_lines l ON l.order_id = o.order_id
 WHERE o.status <> 'cancelled'
UNION ALL
-- returns, wherever they were taken: a negative signal
SELECT r.customer_id, rl.sku, 'return', rl.qty, r.returned_at,
       r.order_id, r.location, NULL::text
  FROM omni.returns r
  JOIN omni.return_lines rl ON rl.return_id = r.return_id
UNION ALL
-- anonymous store sales (omni.sell not tied to an order): popularity only
SELECT NULL::bigint, m.sku, 'purchase', -m.delta, m.at,
       NULL::bigint, m.location, m.channel
  FROM omni.stock_movements m
 WHERE m.reason = 'sale' AND m.channel IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM omni.order_allocations a WHERE a.movement_id = m.movement_id);
COMMENT ON VIEW omni.interaction_signals IS
    'Every signal recommendations learn from, one row each: tracked events, order lines (POS sales included), returns, anonymous store sales (customer_id NULL); kind is view, wishlist, cart, purchase or return; basket_id groups what was bought together';

-- ---------------------------------------------------------------- settings

CREATE TABLE omni.recommend_settings (
    id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
    weight_purchase    float8 NOT NULL DEFAULT 1.0,
    weight_cart        float8 NOT NULL DEFAULT 0.5,
    weight_wishlist    float8 NOT NULL DEFAULT 0.3,
    weight_view        float8 NOT NULL DEFAULT 0.1,
    weight_return      float8 NOT NULL DEFAULT -1.0 CHECK (weight_return <= 0),
    model_half_life    float8 NOT NULL DEFAULT 365 CHECK (model_half_life > 0),
    shrinkage          float8 NOT NULL DEFAULT 0 CHECK (shrinkage >= 0),
    neighbours         int NOT NULL DEFAULT 50 CHECK (neighbours BETWEEN 1 AND 1000),
    history_half_life  float8 NOT NULL DEFAULT 1000 CHECK (history_half_life > 0),
    blend_similar      float8 NOT NULL DEFAULT 0.005 CHECK (blend_similar >= 0),
    blend_repeat       float8 NOT NULL DEFAULT 1.0 CHECK (blend_repeat >= 0),
    blend_popular      float8 NOT NULL DEFAULT 0 CHECK (blend_popular >= 0),
    trending_half_life float8 NOT NULL DEFAULT 14 CHECK (trending_half_life > 0),
    blend_others       float8 NOT NULL DEFAULT 0.03 CHECK (blend_others >= 0),
    customer_neighbours int NOT NULL DEFAULT 100 CHECK (customer_neighbours BETWEEN 1 AND 1000),
    repeat_prior       float8 NOT NULL DEFAULT 10 CHECK (repeat_prior > 0),
    repeat_smoothing   float8 NOT NULL DEFAULT 100 CHECK (repeat_smoothing > 0),
    repeat_recency     float8 NOT NULL DEFAULT 0.05 CHECK (repeat_recency >= 0),
    CHECK (weight_purchase > 0 AND weight_cart >= 0 AND weight_wishlist >= 0 AND weight_view >= 0)
);
INSERT INTO omni.recommend_settings DEFAULT VALUES;
COMMENT ON TABLE omni.recommend_settings IS
    'One row: how the recommendation model is built (kind weights, decay, shrinkage, neighbours) and how recommend() blends its parts; the defaults are the values tuned on the validation split of UCI Online Retail (doc/recommend.md), except weight_return, kept at -1 by design';
COMMENT ON COLUMN omni.recommend_settings.weight_return IS
    'Weight of a return (<= 0): a returned item counts against its purchase and is never recommended back while its net signal is not positive';
COMMENT ON COLUMN omni.recommend_settings.model_half_life IS
    'Days after which a signal counts half in the item-item model';
COMMENT ON COLUMN omni.recommend_settings.shrinkage IS
    'Cosine shrinkage: similarity = co-occurrence / (norm_i * norm_j + shrinkage), damps pairs seen by few customers';
COMMENT ON COLUMN omni.recommend_settings.neighbours IS 'Neighbours kept per SKU';
COMMENT ON COLUMN omni.recommend_settings.history_half_life IS
    'Days after which a signal of the customer counts half when scoring (repeat-purchase recency), counted back from their latest signal';
COMMENT ON COLUMN omni.recommend_settings.blend_similar IS 'Weight of the neighbour score (normalised to 0..1 per customer)';
COMMENT ON COLUMN omni.recommend_settings.blend_repeat IS
    'Weight of the personal repeat score: the estimated chance that the customer buys the SKU again in their next basket (0..1), plus their cart, wishlist and view signals';
COMMENT ON COLUMN omni.recommend_settings.blend_popular IS 'Weight of popularity (0..1), which also fills cold starts';
COMMENT ON COLUMN omni.recommend_settings.trending_half_life IS 'Days after which a sale counts half in the trending score';
COMMENT ON COLUMN omni.recommend_settings.blend_others IS
    'Weight of what the most similar customers buy (the similarity-weighted share of them who bought the SKU, 0..1, as of the last refresh)';
COMMENT ON COLUMN omni.recommend_settings.customer_neighbours IS 'Similar customers kept per customer';
COMMENT ON COLUMN omni.recommend_settings.repeat_prior IS
    'How many baskets the SKU''s repeat rate counts for in a customer''s repeat chance: (baskets with it since the first - 1 + repeat_prior * rate) / (baskets since the first + repeat_prior)';
COMMENT ON COLUMN omni.recommend_settings.repeat_smoothing IS
    'Chances (baskets after a first purchase) of the all-SKU repeat rate mixed into each SKU''s repeat rate at refresh, so that rarely bought SKUs get the average';
COMMENT ON COLUMN omni.recommend_settings.repeat_recency IS
    'Bonus to a SKU bought in the customer''s last basket, halved for each basket since';
SELECT pg_catalog.pg_extension_config_dump('omni.recommend_settings', '');

-- ---------------------------------------------------------------- model

CREATE TABLE omni.recommend_neighbours (
    sku        text PRIMARY KEY,
    neighbours text[] NOT NULL,
    scores     float4[] NOT NULL,
    repeat_rate float8,
    CHECK (cardinality(neighbours) = cardinality(scores))
);
COMMENT ON TABLE omni.recommend_neighbours IS
    'The item-item model: per SKU its top neighbours, most similar first, and their cosine similarities (with shrinkage), and its repeat rate; rebuilt by omni.refresh_recommendations()';
COMMENT ON COLUMN omni.recommend_neighbours.repeat_rate IS
    'Share of the baskets after a customer''s first purchase of the SKU that hold it again, over all its buyers, smoothed towards the all-SKU rate (repeat_smoothing); NULL: nobody bought it';

CREATE TABLE omni.recommend_customer_items (
    customer_id bigint PRIMARY KEY,
    skus        text[] NOT NULL,
    scores      float4[] NOT NULL,
    CHECK (cardinality(skus) = cardinality(scores))
);
COMMENT ON TABLE omni.recommend_customer_items IS
    'Per customer, what their most similar customers (customer_neighbours; cosine over the same weights) buy: top 50 SKUs with the similarity-weighted share of those customers who bought each; rebuilt by omni.refresh_recommendations()';

CREATE TABLE omni.recommend_popularity (
    sku        text PRIMARY KEY,
    popularity float8 NOT NULL,
    trending   float8 NOT NULL,
    buyers     int NOT NULL
);
COMMENT ON TABLE omni.recommend_popularity IS
    'Per SKU: popularity (buyers, each decayed by the age of their latest purchase, model_half_life), trending (sales decayed with trending_half_life), distinct known buyers';
CREATE INDEX recommend_popularity_rank_idx ON omni.recommend_popularity (popularity DESC, sku);

CREATE TABLE omni.recommend_store_popularity (
    location   text NOT NULL,
    sku        text NOT NULL,
    popularity float8 NOT NULL,
    PRIMARY KEY (location, sku)
);
COMMENT ON TABLE omni.recommend_store_popularity IS
    'Per store and SKU: decayed units sold there (POS and pickup orders, anonymous store sales), for "popular in this store"';
CREATE INDEX recommend_store_popularity_rank_idx
    ON omni.recommend_store_popularity (location, popularity DESC, sku);

CREATE TABLE omni.recommend_model (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    built_at   timestamptz NOT NULL,
    build_ms   float8 NOT NULL,
    customers  int NOT NULL,
    skus       int NOT NULL,
    signals    bigint NOT NULL,
    neighbour_pairs bigint NOT NULL,
    repeat_rate float8 NOT NULL,
    settings   jsonb NOT NULL
);
COMMENT ON TABLE omni.recommend_model IS
    'The last model build: when, how long, how much data, the all-SKU repeat rate (what a SKU without data of its own gets), with which settings (one row; the health check reads built_at)';

-- ---------------------------------------------------------------- C entry points

CREATE FUNCTION omni.refresh_recommendations() RETURNS void
AS 'MODULE_PATHNAME', 'omni_refresh_recommendations' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION omni.refresh_recommendations() IS
    'Rebuilds the recommendation model (neighbours and repeat rates, similar customers, popularity, store popularity) from omni.interaction_signals in one transaction; readers keep the old model until it commits';

-- STABLE: reads the model, the history and stock in the query's snapshot
CREATE FUNCTION omni.recommend(customer_id bigint, k int DEFAULT 10, location text DEFAULT NULL)
RETURNS TABLE (sku text, score float8, reason text)
AS 'MODULE_PATHNAME', 'omni_recommend' LANGUAGE C STABLE;
COMMENT ON FUNCTION omni.recommend(bigint, int, text) IS
    'Top k SKUs for a customer, best first, with a reason: the chance they buy each SKU again in their next basket, blended with what similar customers buy, the neighbours of their history and popularity; with a location only SKUs available there now; popular items for a customer without history; OM006 unknown customer, OM004 unknown location, 22023 k <= 0';

-- ---------------------------------------------------------------- SQL functions

-- The public functions are SQL wrappers: their input and output share the
-- name sku (the API), which PL/pgSQL cannot compile; the bodies below use
-- other names.
CREATE FUNCTION omni.similar_items_of(p_sku text, p_k int)
RETURNS TABLE (neighbour text, similarity float8)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM omni.check_sku(p_sku);
    IF p_k IS NULL OR p_k <= 0 THEN
        RAISE EXCEPTION 'k must be positive'
            USING ERRCODE = '22023', DETAIL = format('k is %s.', coalesce(p_k::text, 'NULL'));
    END IF;
    RETURN QUERY
    SELECT u.nb, u.sc::float8
      FROM omni.recommend_neighbours n
     CROSS JOIN LATERAL unnest(n.neighbours, n.scores) AS u(nb, sc)
     WHERE n.sku = p_sku AND u.nb <> p_sku
     ORDER BY u.sc DESC, u.nb
     LIMIT p_k;
END
$$;
COMMENT ON FUNCTION omni.similar_items_of(text, int) IS 'The body of omni.similar_items; internal';

CREATE FUNCTION omni.similar_items(sku text, k int DEFAULT 10)
RETURNS TABLE (sku text, score float8)
LANGUAGE sql STABLE AS $$
    SELECT s.neighbour, s.similarity FROM omni.similar_items_of($1, $2) s
$$;
COMMENT ON FUNCTION omni.similar_items(text, int) IS
    'The k SKUs most similar to a SKU in the last model built (never the SKU itself), most similar first; OM003 unknown SKU, 22023 k <= 0';

-- A basket: an order, or for tracked purchases one customer at one instant
CREATE FUNCTION omni.bought_together_of(p_sku text, p_k int)
RETURNS TABLE (companion text, baskets bigint, confidence float8, lift float8)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM omni.check_sku(p_sku);
    IF p_k IS NULL OR p_k <= 0 THEN
        RAISE EXCEPTION 'k must be positive'
            USING ERRCODE = '22023', DETAIL = format('k is %s.', coalesce(p_k::text, 'NULL'));
    END IF;
    RETURN QUERY
    WITH b AS (
        SELECT DISTINCT coalesce(s.basket_id::text, s.customer_id::text || '@' || s.at::text) AS basket, s.sku
          FROM omni.interaction_signals s
         WHERE s.kind = 'purchase' AND s.customer_id IS NOT NULL),
    mine AS (SELECT b.basket FROM b WHERE b.sku = p_sku),
    pair AS (
        SELECT b.sku, count(*) AS together
          FROM b JOIN mine ON mine.basket = b.basket
         WHERE b.sku <> p_sku
         GROUP BY b.sku),
    support AS (SELECT b.sku, count(*) AS n FROM b WHERE b.sku IN (SELECT pair.sku FROM pair) GROUP BY b.sku),
    totals AS (SELECT (SELECT count(DISTINCT b.basket) FROM b) AS all_baskets,
                      (SELECT count(*) FROM mine) AS with_sku)
    SELECT p.sku, p.together,
           p.together::float8 / t.with_sku,
           (p.together::float8 / t.with_sku) / (s.n::float8 / t.all_baskets)
      FROM pair p JOIN support s ON s.sku = p.sku CROSS JOIN totals t
     ORDER BY p.together DESC, 4 DESC, p.sku
     LIMIT p_k;
END
$$;
COMMENT ON FUNCTION omni.bought_together_of(text, int) IS 'The body of omni.bought_together; internal';

CREATE FUNCTION omni.bought_together(sku text, k int DEFAULT 10)
RETURNS TABLE (sku text, baskets bigint, confidence float8, lift float8)
LANGUAGE sql STABLE AS $$
    SELECT b.companion, b.baskets, b.confidence, b.lift FROM omni.bought_together_of($1, $2) b
$$;
COMMENT ON FUNCTION omni.bought_together(text, int) IS
    'SKUs most often in the same basket as a SKU (an order, or tracked purchases of one customer at one instant), from every channel: baskets together, confidence (share of the SKU''s baskets), lift; OM003 unknown SKU, 22023 k <= 0';

CREATE FUNCTION omni.trending(location text DEFAULT NULL, since timestamptz DEFAULT now() - interval '7 days',
                              k int DEFAULT 20)
RETURNS TABLE (sku text, units bigint, buyers bigint, growth float8)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF trending.location IS NOT NULL THEN
        PERFORM omni.check_location(trending.location);
    END IF;
    IF trending.since IS NULL OR trending.since >= now() THEN
        RAISE EXCEPTION 'since must be in the past'
            USING ERRCODE = '22023', DETAIL = format('since is %s.', coalesce(trending.since::text, 'NULL'));
    END IF;
    IF k IS NULL OR k <= 0 THEN
        RAISE EXCEPTION 'k must be positive'
            USING ERRCODE = '22023', DETAIL = format('k is %s.', coalesce(k::text, 'NULL'));
    END IF;
    -- growth: units per day since "since" against the same length of time before it (+1 smoothing)
    RETURN QUERY
    WITH s AS (
        SELECT x.sku, x.qty, x.at, x.customer_id
          FROM omni.interaction_signals x
         WHERE x.kind = 'purchase'
           AND x.at >= trending.since - (now() - trending.since)
           AND (trending.location IS NULL OR x.location = trending.location))
    SELECT s.sku,
           sum(s.qty) FILTER (WHERE s.at >= trending.since)::bigint,
           count(DISTINCT s.customer_id) FILTER (WHERE s.at >= trending.since),
           (coalesce(sum(s.qty) FILTER (WHERE s.at >= trending.since), 0) + 1)::float8
             / (coalesce(sum(s.qty) FILTER (WHERE s.at < trending.since), 0) + 1)
      FROM s
     GROUP BY s.sku
    HAVING sum(s.qty) FILTER (WHERE s.at >= trending.since) > 0
     ORDER BY 2 DESC, 4 DESC, 1
     LIMIT trending.k;
END
$$;
COMMENT ON FUNCTION omni.trending(text, timestamptz, int) IS
    'What sells most since a time, in one store (POS and pickup orders, anonymous store sales) or everywhere (NULL): units, distinct known buyers, growth against the same length of time before; OM004 unknown location';

CREATE FUNCTION omni.recommend_segment(customer_ids bigint[], k int DEFAULT 10, location text DEFAULT NULL)
RETURNS TABLE (customer_id bigint, rank int, sku text, score float8, reason text)
LANGUAGE sql STABLE AS $$
    SELECT c.id, r.rank::int, r.sku, r.score, r.reason
      FROM unnest(customer_ids) AS c(id)
     CROSS JOIN LATERAL omni.recommend(c.id, k, location) WITH ORDINALITY AS r(sku, score, reason, rank)
     ORDER BY c.id, r.rank
$$;
COMMENT ON FUNCTION omni.recommend_segment(bigint[], int, text) IS
    'omni.recommend for a whole segment in one call: (customer, rank, sku, score, reason); the same as a LATERAL join of omni.recommend over the customers';

-- ---------------------------------------------------------------- access

-- What a customer is recommended reveals their history, and the analyst
-- functions reveal sales: none of them is for PUBLIC.  They run as the
-- extension owner (SECURITY DEFINER, fixed search_path) so that the roles
-- allowed to call them need no privilege on the tables with personal data.
ALTER FUNCTION omni.recommend(bigint, int, text) SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp;
ALTER FUNCTION omni.similar_items(text, int) SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp;
ALTER FUNCTION omni.bought_together(text, int) SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp;
ALTER FUNCTION omni.trending(text, timestamptz, int) SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp;
REVOKE ALL ON FUNCTION omni.similar_items_of(text, int), omni.bought_together_of(text, int) FROM PUBLIC;
REVOKE ALL ON FUNCTION omni.recommend(bigint, int, text), omni.recommend_segment(bigint[], int, text),
       omni.similar_items(text, int), omni.bought_together(text, int),
       omni.trending(text, timestamptz, int), omni.refresh_recommendations() FROM PUBLIC;

-- The roles arrive with the security work: this grants what they may use
-- when they exist, and is called again by whoever creates them.
--   omni_analyst: recommend, recommend_segment, similar_items, bought_together,
--                 trending; SELECT on the model tables and settings
--   omni_channel: recommend, similar_items (the app and the POS)
CREATE FUNCTION omni.grant_recommend_access() RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, omni, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'omni_analyst') THEN
        GRANT USAGE ON SCHEMA omni TO omni_analyst;
        GRANT EXECUTE ON FUNCTION omni.recommend(bigint, int, text), omni.recommend_segment(bigint[], int, text),
              omni.similar_items(text, int), omni.bought_together(text, int),
              omni.trending(text, timestamptz, int) TO omni_analyst;
        GRANT SELECT ON omni.recommend_neighbours, omni.recommend_popularity,
              omni.recommend_store_popularity, omni.recommend_model, omni.recommend_settings TO omni_analyst;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'omni_channel') THEN
        GRANT USAGE ON SCHEMA omni TO omni_channel;
        GRANT EXECUTE ON FUNCTION omni.recommend(bigint, int, text), omni.similar_items(text, int) TO omni_channel;
    END IF;
END
$$;
COMMENT ON FUNCTION omni.grant_recommend_access() IS
    'Grants the recommendation functions to omni_analyst (all, plus reading the model) and omni_channel (recommend, similar_items) when those roles exist; idempotent';
REVOKE ALL ON FUNCTION omni.grant_recommend_access() FROM PUBLIC;
SELECT omni.grant_recommend_access();

-- Evaluation helpers of the recommendation benchmark (schema rb).
\set ON_ERROR_STOP 1
CREATE TABLE rb.recs (method text, customer_id bigint, rank int, sku text);
CREATE INDEX ON rb.recs (method, customer_id);

-- the phases a model for held-out phase p was trained on
CREATE FUNCTION rb.training(p text) RETURNS text[] LANGUAGE sql IMMUTABLE
RETURN CASE p WHEN 'val' THEN ARRAY['train'] ELSE ARRAY['train', 'val'] END;

-- loads one phase's signals through the API
CREATE FUNCTION rb.load_phase(p text) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(omni.track(s.customer_id, 'web', CASE WHEN s.is_return THEN 'return' ELSE 'purchase' END,
                            s.sku, s.at)::text)
      FROM (SELECT * FROM rb.signals WHERE phase = p ORDER BY at, invoice, sku) s
$$;

-- ours (whatever omni.recommend_settings says) for every held-out customer
CREATE FUNCTION rb.run_ours(p text, m text) RETURNS void LANGUAGE sql AS $$
    DELETE FROM rb.recs WHERE method = m;
    INSERT INTO rb.recs
    SELECT m, t.customer_id, r.rank, r.sku
      FROM rb.truth t
     CROSS JOIN LATERAL omni.recommend(t.customer_id, 10) WITH ORDINALITY AS r(sku, score, reason, rank)
     WHERE t.phase = p;
$$;

-- baseline: the 10 SKUs bought by the most customers, for everyone
CREATE FUNCTION rb.run_popularity(p text) RETURNS void LANGUAGE sql AS $$
    DELETE FROM rb.recs WHERE method = 'popularity';
    INSERT INTO rb.recs
    SELECT 'popularity', t.customer_id, g.rank, g.sku
      FROM rb.truth t
     CROSS JOIN (SELECT sku, row_number() OVER (ORDER BY n DESC, sku) AS rank
                   FROM (SELECT sku, count(DISTINCT customer_id) AS n FROM rb.signals
                          WHERE phase = ANY (rb.training(p)) AND NOT is_return GROUP BY sku) c
                  ORDER BY n DESC, sku LIMIT 10) g
     WHERE t.phase = p;
$$;

-- baseline: the customer's own most-bought SKUs (invoices containing them),
-- then global popularity
CREATE FUNCTION rb.run_personal_popularity(p text) RETURNS void LANGUAGE sql AS $$
    DELETE FROM rb.recs WHERE method = 'personal_popularity';
    WITH pop AS (
        SELECT sku, count(DISTINCT customer_id) AS n FROM rb.signals
         WHERE phase = ANY (rb.training(p)) AND NOT is_return GROUP BY sku),
    top_pop AS (SELECT sku, n FROM pop ORDER BY n DESC, sku LIMIT 20),
    own AS (
        SELECT s.customer_id, s.sku, count(DISTINCT s.invoice) AS times
          FROM rb.signals s JOIN rb.truth t ON t.customer_id = s.customer_id AND t.phase = p
         WHERE s.phase = ANY (rb.training(p)) AND NOT s.is_return GROUP BY 1, 2),
    cand AS (
        SELECT o.customer_id, o.sku, 1 AS tier, o.times, pop.n FROM own o JOIN pop USING (sku)
        UNION ALL
        SELECT t.customer_id, tp.sku, 2, 0, tp.n FROM rb.truth t CROSS JOIN top_pop tp
         WHERE t.phase = p
           AND NOT EXISTS (SELECT 1 FROM own o WHERE o.customer_id = t.customer_id AND o.sku = tp.sku)),
    ranked AS (
        SELECT customer_id, sku, row_number() OVER (PARTITION BY customer_id ORDER BY tier, times DESC, n DESC, sku) AS rank
          FROM cand)
    INSERT INTO rb.recs SELECT 'personal_popularity', customer_id, rank, sku FROM ranked WHERE rank <= 10;
$$;

-- NDCG@10, Recall@10, HR@10, precision@10 over the held-out customers
CREATE FUNCTION rb.metrics(p text, m text)
RETURNS TABLE (method text, customers bigint, ndcg float8, recall float8, hr float8, prec float8)
LANGUAGE sql AS $$
    WITH per AS (
        SELECT t.customer_id, cardinality(t.skus) AS n,
               coalesce(sum(1 / (ln(r.rank + 1) / ln(2))) FILTER (WHERE r.sku = ANY (t.skus)), 0) AS dcg,
               count(*) FILTER (WHERE r.sku = ANY (t.skus)) AS hits
          FROM rb.truth t
          LEFT JOIN rb.recs r ON r.customer_id = t.customer_id AND r.method = m AND r.rank <= 10
         WHERE t.phase = p
         GROUP BY t.customer_id, t.skus)
    SELECT m, count(*),
           avg(dcg / (SELECT sum(1 / (ln(i + 1) / ln(2))) FROM generate_series(1, least(n, 10)) i)),
           avg(hits::float8 / n), avg((hits > 0)::int::float8), avg(hits / 10.0)
      FROM per
$$;

-- per-call latency of recommend, measured in the server, and the CPU time
-- the backend spent per call (user + system, from /proc: the wall-clock
-- figures swing with the load of the shared machine, CPU time much less)
CREATE FUNCTION rb.backend_cpu_ms() RETURNS float8 LANGUAGE sql AS $$
    SELECT (split_part(f, ' ', 12)::float8 + split_part(f, ' ', 13)::float8) * 10
      FROM (SELECT regexp_replace(pg_read_file('/proc/' || pg_backend_pid() || '/stat'), '^.*\) ', '') AS f) s
$$;

CREATE FUNCTION rb.latency(calls int, loc text)
RETURNS TABLE (p50_ms float8, p99_ms float8, max_ms float8, cpu_ms float8)
LANGUAGE plpgsql AS $$
DECLARE
    c bigint;
    t0 timestamptz;
    cpu0 float8;
    ms float8[] := '{}';
BEGIN
    PERFORM setseed(0.42);
    cpu0 := rb.backend_cpu_ms();
    FOR c IN SELECT customer_id FROM rb.customers ORDER BY random() LIMIT calls LOOP
        t0 := clock_timestamp();
        PERFORM count(*) FROM omni.recommend(c, 10, loc);
        ms := ms || (extract(epoch FROM clock_timestamp() - t0) * 1000)::float8;
    END LOOP;
    RETURN QUERY SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x),
                        percentile_cont(0.99) WITHIN GROUP (ORDER BY x), max(x),
                        (rb.backend_cpu_ms() - cpu0) / calls
                   FROM unnest(ms) x;
END
$$;

-- The blocking-key index (GIN operator class omni.identity_blocking_ops):
-- valid, used by candidate search, and giving what a sequential scan gives;
-- then training (EM) on a table of generated people.
\set VERBOSITY default
\set SHOW_CONTEXT never

SELECT opc.opcname, amvalidate(opc.oid) AS valid
  FROM pg_opclass opc JOIN pg_am am ON am.oid = opc.opcmethod
 WHERE opc.opcname = 'identity_blocking_ops' AND am.amname = 'gin';

-- 600 people, some of them twice with a typo, from several channels
SELECT count(*) AS identified FROM (
    SELECT omni.identify((ARRAY['web', 'app', 'pos'])[1 + g % 3], 'gen-' || g,
        jsonb_build_object(
            'first_name', (ARRAY['Ana', 'Bruno', 'Carla', 'Diego', 'Elena', 'Fabio', 'Gina', 'Hugo', 'Iris', 'Joao', 'Kai', 'Lia'])[1 + g % 12],
            'last_name', (ARRAY['Silva', 'Santos', 'Oliveira', 'Souza', 'Lima', 'Pereira', 'Costa', 'Rocha', 'Alves', 'Gomes', 'Martins', 'Araujo', 'Barros', 'Freitas', 'Cardoso', 'Teixeira', 'Moreira'])[1 + (g / 12) % 17],
            'postcode', lpad((10000 + (g * 7919) % 600)::text, 5, '0'),
            'city', (ARRAY['Recife', 'Natal', 'Belem', 'Manaus', 'Curitiba'])[1 + g % 5],
            'birth_date', (date '1950-01-01' + (g * 97) % 18000)::text)) AS r
      FROM generate_series(1, 600) AS g) s;
SELECT count(*) AS identified_again FROM (
    SELECT omni.identify('support', 'dup-' || g,
        jsonb_build_object(
            'first_name', (ARRAY['Anna', 'Bruno', 'Karla', 'Diego', 'Helena', 'Fabio', 'Gina', 'Hugo', 'Iris', 'Joao', 'Kai', 'Lia'])[1 + g % 12],
            'last_name', (ARRAY['Silva', 'Santos', 'Oliveira', 'Sousa', 'Lima', 'Pereira', 'Costa', 'Rocha', 'Alves', 'Gomes', 'Martins', 'Araujo', 'Barros', 'Freitas', 'Cardoso', 'Teixeira', 'Moreira'])[1 + (g / 12) % 17],
            'postcode', lpad((10000 + (g * 7919) % 600)::text, 5, '0'),
            'city', (ARRAY['Recife', 'Natal', 'Belem', 'Manaus', 'Curitiba'])[1 + g % 5],
            'birth_date', (date '1950-01-01' + (g * 97) % 18000)::text)) AS r
      FROM generate_series(1, 600, 5) AS g) s;
-- every duplicate found its original
SELECT count(*) AS duplicates, count(*) FILTER (WHERE d.customer_id = o.customer_id) AS linked
  FROM omni.identities d JOIN omni.identities o ON o.source_key = 'gen-' || substr(d.source_key, 5)
 WHERE d.source_key LIKE 'dup-%';

-- candidate search is an index scan on the blocking keys
SET enable_seqscan = off;
SET plan_cache_mode = force_generic_plan;
PREPARE candidates(jsonb) AS
    SELECT identity_id FROM omni.identities WHERE norm OPERATOR(omni.&&) $1 ORDER BY identity_id;
EXPLAIN (COSTS OFF) EXECUTE candidates('{"fn": "ana", "ln": "silva"}');
CREATE TEMP TABLE by_index AS
    SELECT g, array_agg(identity_id ORDER BY identity_id) AS ids
      FROM generate_series(1, 600, 37) AS g,
           LATERAL (SELECT identity_id FROM omni.identities
                     WHERE norm OPERATOR(omni.&&)
                               (SELECT norm FROM omni.identities WHERE source_key = 'gen-' || g)) c
     GROUP BY g;
RESET enable_seqscan;
SET enable_bitmapscan = off;
SET enable_indexscan = off;
EXPLAIN (COSTS OFF) EXECUTE candidates('{"fn": "ana", "ln": "silva"}');
CREATE TEMP TABLE by_scan AS
    SELECT g, array_agg(identity_id ORDER BY identity_id) AS ids
      FROM generate_series(1, 600, 37) AS g,
           LATERAL (SELECT identity_id FROM omni.identities
                     WHERE norm OPERATOR(omni.&&)
                               (SELECT norm FROM omni.identities WHERE source_key = 'gen-' || g)) c
     GROUP BY g;
RESET enable_bitmapscan;
RESET enable_indexscan;
RESET plan_cache_mode;
-- the look-up of identify and match_candidates asks for chosen keys by hash
-- (norm && int4[]): an index scan too, finding what the record operator finds
SET enable_seqscan = off;
SET plan_cache_mode = force_generic_plan;
PREPARE by_keys(int4[]) AS
    SELECT identity_id FROM omni.identities WHERE norm OPERATOR(omni.&&) $1 LIMIT 2000;
EXPLAIN (COSTS OFF) EXECUTE by_keys('{1, 2}');
RESET enable_seqscan;
RESET plan_cache_mode;
SELECT count(*) AS probes,
       count(*) FILTER (WHERE (SELECT array_agg(i.identity_id ORDER BY i.identity_id) FROM omni.identities i
                                WHERE i.norm OPERATOR(omni.&&) omni.identity_blocking_keys(r.norm))
                              = (SELECT array_agg(i.identity_id ORDER BY i.identity_id) FROM omni.identities i
                                  WHERE i.norm OPERATOR(omni.&&) r.norm)) AS same_rows
  FROM omni.identities r WHERE r.source_key IN ('gen-1', 'gen-38', 'gen-75', 'dup-6');
-- and the look-up itself finds a duplicate's original first
SELECT l.customer_id = (SELECT customer_id FROM omni.identities WHERE source_key = 'gen-6') AS original_first,
       l.explanation ? 'fields' AS explained
  FROM omni.identity_lookup((SELECT norm FROM omni.identities WHERE source_key = 'dup-6'), 1) l;

SELECT count(*) AS probes, count(*) FILTER (WHERE i.ids = s.ids) AS same_rows,
       min(cardinality(i.ids)) >= 1 AS each_finds_itself
  FROM by_index i FULL JOIN by_scan s USING (g);
-- a record with nothing to block on has no candidates
SELECT omni.identity_blocking_keys('{}') AS no_keys;

-- training: u from random pairs, m by EM per rule, the prior from candidates
SELECT r ->> 'trained' AS trained, (r ->> 'identities')::int AS identities,
       (r ->> 'prior_weight')::float8 < -5 AS prior_is_small
  FROM omni.train_matcher() AS r;
-- exact agreement is evidence for a match, disagreement against, for every field with data
SELECT field,
       bool_and(match_weight > 0) FILTER (WHERE level_name = 'exact') AS exact_for,
       bool_and(match_weight < 0) FILTER (WHERE level_name = 'none') AS none_against
  FROM omni.identity_model_weights
 WHERE field IN ('first_name', 'last_name', 'birth_date')
 GROUP BY field ORDER BY field;
-- term frequencies: a name seen 50 times is discounted more than one never seen
SELECT (omni.identity_tf('{"fn": "ana"}'))[1] > (omni.identity_tf('{"fn": "zebulon"}'))[1] AS ana_is_commoner;

-- hot keys (blocks too big to be worth reading) are left out of a look-up
-- when the record has other keys
SELECT count(*) AS hot_keys_here FROM omni.identity_hot_keys;
INSERT INTO omni.identity_hot_keys
SELECT (omni.identity_blocking_keys(norm))[1] FROM omni.identities WHERE source_key = 'gen-1';
SELECT jsonb_array_length(omni.identity_query(norm) -> 'xk') AS left_out,
       norm OPERATOR(omni.&&) omni.identity_query(norm) AS still_finds_itself,
       (SELECT count(*) FROM omni.identities i WHERE i.norm OPERATOR(omni.&&) omni.identity_query(r.norm))
         <= (SELECT count(*) FROM omni.identities i WHERE i.norm OPERATOR(omni.&&) r.norm) AS no_more_candidates
  FROM omni.identities r WHERE source_key = 'gen-1';
-- every key hot: none is left out
INSERT INTO omni.identity_hot_keys
SELECT unnest(omni.identity_blocking_keys(norm)) FROM omni.identities WHERE source_key = 'gen-1'
ON CONFLICT DO NOTHING;
SELECT omni.identity_query(norm) ? 'xk' AS marked FROM omni.identities WHERE source_key = 'gen-1';
DELETE FROM omni.identity_hot_keys;

-- EM on patterns alone: 900 pairs that agree on both fields, 100 that agree
-- on neither; from even odds it finds the share of matches
SELECT round((1 / (1 + 2 ^ (-m[1])))::numeric, 2) AS match_share
  FROM omni.identity_em(ARRAY[ARRAY[3, 3, -1, -1, -1, -1, -1, -1], ARRAY[0, 0, -1, -1, -1, -1, -1, -1]]::int2[],
                        ARRAY[900, 100]::float8[],
                        (SELECT array_agg(CASE WHEN o = 1 THEN 0 ELSE x END ORDER BY o)
                           FROM unnest(omni.identity_default_model()) WITH ORDINALITY AS u(x, o)),
                        50, true, false) AS m;

-- resolve_identities keeps every duplicate with its original: 600 people,
-- and the 4 customers left by the identity test
SELECT clusters FROM omni.resolve_identities();
SELECT count(*) FILTER (WHERE d.customer_id = o.customer_id) AS still_linked
  FROM omni.identities d JOIN omni.identities o ON o.source_key = 'gen-' || substr(d.source_key, 5)
 WHERE d.source_key LIKE 'dup-%';
-- with one partner per identity (its smallest block, taken whole) every
-- duplicate still finds its original
SET omni.identity_resolve_partners = 1;
SELECT clusters FROM omni.resolve_identities();
RESET omni.identity_resolve_partners;
SELECT count(*) FILTER (WHERE d.customer_id = o.customer_id) AS still_linked
  FROM omni.identities d JOIN omni.identities o ON o.source_key = 'gen-' || substr(d.source_key, 5)
 WHERE d.source_key LIKE 'dup-%';

-- a bulk load: 150 people twice, each record its own customer (as an import
-- would leave them); resolve moves 150 identities, through the pending list
-- of the blocking index, which is then merged and switched off again, and
-- the index still finds every moved identity
CREATE TEMP TABLE imp AS
SELECT 'imp-' || g || '-' || k AS source_key, x.norm, x.email_key, x.phone,
       jsonb_build_object('first_name', 'Bulk' || g, 'last_name', 'Loaded', 'postcode', (20000 + g)::text) AS attrs,
       nextval(pg_get_serial_sequence('omni.customers', 'customer_id')) AS customer_id
  FROM generate_series(1, 150) AS g, generate_series(1, 2) AS k,
       LATERAL omni.identity_record(jsonb_build_object('first_name', 'Bulk' || g, 'last_name', 'Loaded',
                                                       'postcode', (20000 + g)::text)) x;
INSERT INTO omni.customers (customer_id) SELECT customer_id FROM imp;
INSERT INTO omni.identities (channel, source_key, customer_id, attributes, email_key, phone, norm)
SELECT 'web', source_key, customer_id, attrs, email_key, phone, norm FROM imp;
SELECT merged FROM omni.resolve_identities();
SELECT count(*) AS people, count(*) FILTER (WHERE a.customer_id = b.customer_id) AS linked
  FROM omni.identities a JOIN omni.identities b ON b.source_key = regexp_replace(a.source_key, '-1$', '-2')
 WHERE a.source_key LIKE 'imp-%-1';
SELECT reloptions FROM pg_class WHERE oid = 'omni.identities_blocking_idx'::regclass;
SET enable_seqscan = off;
SELECT count(*) AS found_by_index FROM omni.identities
 WHERE norm OPERATOR(omni.&&) (SELECT array_agg(k) FROM omni.identities i, unnest(omni.identity_blocking_keys(i.norm)) k
                                WHERE i.source_key LIKE 'imp-%')
   AND source_key LIKE 'imp-%';
RESET enable_seqscan;
DELETE FROM omni.identities WHERE source_key LIKE 'imp-%';

DELETE FROM omni.identities WHERE source_key LIKE 'gen-%' OR source_key LIKE 'dup-%';

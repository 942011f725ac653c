-- pgTAP: random jsonb documents (deterministic seed) through the readers of
-- order lines (omni.route, omni.place_order) and identity attributes
-- (omni.identify, omni.match_candidates).  Each call succeeds or fails with
-- a documented SQLSTATE; anything else (an internal error, a stray cast
-- error) fails the test.  Complements the libFuzzer harnesses, which run the
-- plain-C readers outside the server.
BEGIN;
SELECT plan(4);

SELECT omni.add_product('JZ-1', 'jsonb fuzz');
SELECT omni.add_location('jz-st', 'JZ store', 'store', 0, 0);
SELECT omni.set_price('JZ-1', 1, NULL, '2026-01-01');
SELECT omni.receive('JZ-1', 'jz-st', 50);
SELECT customer_id AS jz_cust FROM omni.identify('app', 'jz-0', '{"email": "jz@example.com"}') \gset

-- a random JSON value; lines=true biases it towards arrays of {sku, qty}
CREATE FUNCTION pg_temp.rand_json(depth int, lines boolean) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    r float8 := random();
    o jsonb;
    keys text[] := CASE WHEN lines THEN ARRAY['sku', 'qty', 'sku', 'qty', 'note']
                        ELSE ARRAY['email', 'phone', 'first_name', 'last_name', 'birth_date',
                                   'postcode', 'city', 'address', 'x', ''] END;
BEGIN
    IF depth <= 0 OR (lines AND depth = 1) OR (NOT lines AND r < 0.3) THEN
        r := random();
        RETURN CASE WHEN r < 0.1 THEN 'null'::jsonb
                    WHEN r < 0.3 THEN to_jsonb((random() * 12 - 2)::int)
                    WHEN r < 0.35 THEN to_jsonb(random() * 1e12)
                    WHEN r < 0.4 THEN '1e400'::jsonb
                    WHEN r < 0.45 THEN to_jsonb(random() < 0.5)
                    WHEN r < 0.6 THEN to_jsonb('JZ-1'::text)
                    WHEN r < 0.65 THEN to_jsonb('NOPE'::text)
                    WHEN r < 0.75 THEN to_jsonb(repeat(chr(65 + (random() * 60)::int), (random() * 40)::int))
                    WHEN r < 0.85 THEN to_jsonb('+55 11 9' || (random() * 1e8)::bigint)
                    WHEN r < 0.9 THEN to_jsonb('ana' || (random() * 100)::int || '@example.com')
                    ELSE to_jsonb('1990-13-45'::text) END;
    ELSIF (lines AND depth = 2) OR (NOT lines AND r < 0.75) THEN
        o := '{}';
        FOR i IN 1..(random() * 4)::int LOOP
            o := o || jsonb_build_object(keys[1 + (random() * (cardinality(keys) - 1))::int],
                                         pg_temp.rand_json(depth - 1, lines));
        END LOOP;
        RETURN o;
    ELSE
        o := '[]';
        FOR i IN 1..(random() * 4)::int LOOP
            o := o || jsonb_build_array(pg_temp.rand_json(depth - 1, lines));
        END LOOP;
        RETURN o;
    END IF;
END
$$;

CREATE TEMP TABLE outcomes (reader text, code text);
DO $$
DECLARE
    d jsonb;
    c bigint := (SELECT customer_id FROM omni.identities WHERE source_key = 'jz-0');
BEGIN
    PERFORM setseed(0.42);
    FOR i IN 1..600 LOOP
        d := pg_temp.rand_json(3, true);
        BEGIN
            PERFORM * FROM omni.route(d, 'pickup', NULL, NULL, 'jz-st');
            INSERT INTO outcomes VALUES ('lines', 'ok');
        EXCEPTION WHEN OTHERS THEN INSERT INTO outcomes VALUES ('lines', SQLSTATE);
        END;
        BEGIN
            PERFORM omni.place_order(c, 'app', d, 'pickup', NULL, NULL, 'jz-st');
            INSERT INTO outcomes VALUES ('lines', 'ok');
        EXCEPTION WHEN OTHERS THEN INSERT INTO outcomes VALUES ('lines', SQLSTATE);
        END;
        d := pg_temp.rand_json(3, false);
        BEGIN
            PERFORM * FROM omni.match_candidates(d, 3);
            INSERT INTO outcomes VALUES ('attrs', 'ok');
        EXCEPTION WHEN OTHERS THEN INSERT INTO outcomes VALUES ('attrs', SQLSTATE);
        END;
        BEGIN
            PERFORM * FROM omni.identify('app', 'jz-' || i, d);
            INSERT INTO outcomes VALUES ('attrs', 'ok');
        EXCEPTION WHEN OTHERS THEN INSERT INTO outcomes VALUES ('attrs', SQLSTATE);
        END;
    END LOOP;
END
$$;

SELECT is_empty($$SELECT DISTINCT code FROM outcomes WHERE reader = 'lines'
                    AND code NOT IN ('ok', '22023', 'OM001', 'OM003', 'OM005')$$,
                'random order lines get only documented SQLSTATEs');
SELECT ok((SELECT count(*) FROM outcomes WHERE reader = 'lines' AND code = 'ok') > 0,
          'and some of them are valid orders');
SELECT is_empty($$SELECT DISTINCT code FROM outcomes WHERE reader = 'attrs'
                    AND code NOT IN ('ok', '22023', '22P02')$$,
                'random identity attributes get only documented SQLSTATEs');
SELECT ok((SELECT count(*) FROM outcomes WHERE reader = 'attrs' AND code = 'ok') > 0,
          'and some of them are valid records');

SELECT * FROM finish();
ROLLBACK;

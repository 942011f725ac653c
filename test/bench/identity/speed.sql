-- Speed benchmark helpers (test/bench/identity.sh speed N): N generated
-- identities with realistic name and place frequencies, bulk-loaded, then
-- identify and match_candidates timed one call at a time.
CREATE SCHEMA IF NOT EXISTS bench;

-- Vocabularies with their real frequencies: the clean North Carolina voter
-- records (ocp_0) loaded into bench.voters by identity.sh.
CREATE TABLE IF NOT EXISTS bench.voters (recid text, givenname text, surname text, suburb text, postcode text);

CREATE OR REPLACE FUNCTION bench.vocab(col text)
RETURNS TABLE (value text, lo float8, hi float8) LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        SELECT v, coalesce(lag(c) OVER w, 0) / t, c / t
          FROM (SELECT v, sum(n) OVER (ORDER BY n DESC, v) AS c, sum(n) OVER () AS t
                  FROM (SELECT %1$s AS v, count(*)::float8 AS n FROM bench.voters
                         WHERE %1$s <> '' GROUP BY 1) s) s
        WINDOW w AS (ORDER BY c)$q$, col);
END
$$;

-- N identities of about 0.8 N people: a quarter of the people have a second
-- identity in another channel, with a typo in one name half of the time.
CREATE OR REPLACE PROCEDURE bench.generate(n int, seed float8 DEFAULT 0.42)
LANGUAGE plpgsql AS $$
DECLARE
    people int := (n / 1.25)::int;
BEGIN
    PERFORM setseed(seed);
    CREATE TEMP TABLE fv AS SELECT * FROM bench.vocab('givenname');
    CREATE TEMP TABLE lv AS SELECT * FROM bench.vocab('surname');
    CREATE TEMP TABLE pv AS SELECT * FROM bench.vocab('postcode || ''|'' || suburb');
    CREATE INDEX ON fv (hi); CREATE INDEX ON lv (hi); CREATE INDEX ON pv (hi);
    CREATE TEMP TABLE people AS
    SELECT p, (SELECT value FROM fv WHERE hi >= r1 ORDER BY hi LIMIT 1) AS fn,
              (SELECT value FROM lv WHERE hi >= r2 ORDER BY hi LIMIT 1) AS ln,
              (SELECT value FROM pv WHERE hi >= r3 ORDER BY hi LIMIT 1) AS place,
              date '1940-01-01' + (r4 * 24000)::int AS dob, r5 AS r5
      FROM (SELECT p, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
              FROM generate_series(1, people) AS p) s;
    INSERT INTO bench.records (channel, source_key, entity, attrs)
    SELECT (ARRAY['web', 'app', 'pos', 'social', 'support', 'marketplace'])[1 + (x.p + x.k) % 6],
           'gen-' || x.p || '-' || x.k, x.p::text,
           jsonb_strip_nulls(jsonb_build_object(
               'first_name', CASE WHEN x.k = 1 AND x.r5 < 0.1 THEN overlay(x.fn placing 'x' from 2 for 1) ELSE x.fn END,
               'last_name', CASE WHEN x.k = 1 AND x.r5 >= 0.1 AND x.r5 < 0.15 THEN overlay(x.ln placing 'e' from 3 for 1) ELSE x.ln END,
               'postcode', split_part(x.place, '|', 1), 'city', split_part(x.place, '|', 2),
               'birth_date', CASE WHEN x.r5 < 0.7 THEN x.dob::text END,
               'email', CASE WHEN (x.p + x.k) % 2 = 0 THEN regexp_replace(x.fn || '.' || x.ln, '[^a-z.]', '', 'g') || '.' || x.p || '@example.com' END,
               'phone', CASE WHEN (x.p + x.k) % 5 < 2 THEN '+1' || (2002000000 + x.p)::text END))
      FROM (SELECT pe.*, k FROM people pe, generate_series(0, 1) AS k WHERE k = 0 OR pe.r5 < 0.25) x
     ORDER BY x.p, x.k
     LIMIT n;
    DROP TABLE fv, lv, pv, people;
END
$$;

-- Bulk load: the blocking index is built once at the end, as a DBA would.
CREATE OR REPLACE PROCEDURE bench.bulk_import()
LANGUAGE plpgsql AS $$
BEGIN
    DROP INDEX omni.identities_blocking_idx;
    CALL bench.import();
    CREATE INDEX identities_blocking_idx ON omni.identities USING gin (norm omni.identity_blocking_ops)
        WITH (fastupdate = off);
    ANALYZE omni.identities;
    ANALYZE omni.customers;
END
$$;

CREATE TABLE IF NOT EXISTS bench.timings (kind text, ms float8);

-- calls identify for n records (alternately a new identity of a known person
-- and a new person), each in its own transaction, timing the call itself
CREATE OR REPLACE PROCEDURE bench.time_identify(n int)
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    t0 timestamptz;
    i int := 0;
BEGIN
    FOR r IN SELECT seq, attrs FROM bench.records ORDER BY md5(seq::text) LIMIT n LOOP
        i := i + 1;
        t0 := clock_timestamp();
        IF i % 2 = 0 THEN
            PERFORM omni.identify('support', 'timed-' || r.seq, r.attrs || '{"email": null, "phone": null}');
        ELSE
            PERFORM omni.identify('support', 'timed-new-' || r.seq,
                jsonb_build_object('first_name', r.attrs ->> 'last_name', 'last_name', r.attrs ->> 'first_name',
                                   'postcode', r.attrs ->> 'postcode', 'city', r.attrs ->> 'city'));
        END IF;
        INSERT INTO bench.timings VALUES ('identify', extract(epoch FROM clock_timestamp() - t0) * 1000);
        COMMIT;
    END LOOP;
END
$$;

CREATE OR REPLACE PROCEDURE bench.time_match(n int)
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    t0 timestamptz;
BEGIN
    FOR r IN SELECT seq, attrs FROM bench.records ORDER BY md5('m' || seq::text) LIMIT n LOOP
        t0 := clock_timestamp();
        PERFORM * FROM omni.match_candidates(r.attrs - 'email' - 'phone', 5);
        INSERT INTO bench.timings VALUES ('match_candidates', extract(epoch FROM clock_timestamp() - t0) * 1000);
        COMMIT;
    END LOOP;
END
$$;

CREATE OR REPLACE VIEW bench.latency AS
    SELECT kind, count(*) AS calls,
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 3) AS p50_ms,
           round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 3) AS p99_ms,
           round(max(ms)::numeric, 3) AS max_ms
      FROM bench.timings GROUP BY kind ORDER BY kind;

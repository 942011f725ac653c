-- Accuracy benchmark helpers (test/bench/identity.sh): the records of a data
-- set in bench.records, fed one by one through omni.identify, then scored
-- pairwise against the truth (records of one entity are one customer).
CREATE SCHEMA IF NOT EXISTS bench;

CREATE TABLE IF NOT EXISTS bench.records (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel    text NOT NULL,
    source_key text NOT NULL,
    entity     text NOT NULL,
    attrs      jsonb NOT NULL
);

-- One identify per record and per transaction, in a fixed shuffled order;
-- the model is re-trained as the table grows (at 500, 1000, 2000, ...
-- identities), as a scheduled omni.train_matcher() would do in production.
CREATE OR REPLACE PROCEDURE bench.feed(train boolean DEFAULT true)
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n bigint := 0;
    next_train bigint := 500;
BEGIN
    FOR r IN SELECT * FROM bench.records ORDER BY md5(seq::text) LOOP
        PERFORM omni.identify(r.channel, r.source_key, r.attrs);
        n := n + 1;
        IF train AND n = next_train THEN
            PERFORM omni.train_matcher();
            next_train := next_train * 2;
        END IF;
        COMMIT;
    END LOOP;
END
$$;

-- Pairwise precision, recall and F1: a pair of records is predicted a match
-- when both are linked to one customer, truly a match when one entity.
CREATE OR REPLACE FUNCTION bench.pairwise(OUT true_pairs bigint, OUT predicted_pairs bigint,
    OUT true_positives bigint, OUT "precision" numeric, OUT recall numeric, OUT f1 numeric)
LANGUAGE sql AS $$
    WITH x AS (
        SELECT r.entity, i.customer_id
          FROM bench.records r
          JOIN omni.identities i ON i.channel = r.channel AND i.source_key = r.source_key
    ), t AS (SELECT sum(c * (c - 1) / 2) AS n FROM (SELECT count(*) AS c FROM x GROUP BY entity) s),
       p AS (SELECT sum(c * (c - 1) / 2) AS n FROM (SELECT count(*) AS c FROM x GROUP BY customer_id) s),
       tp AS (SELECT sum(c * (c - 1) / 2) AS n FROM (SELECT count(*) AS c FROM x GROUP BY entity, customer_id) s)
    SELECT t.n::bigint, p.n::bigint, tp.n::bigint,
           round(tp.n::numeric / nullif(p.n, 0), 4),
           round(tp.n::numeric / nullif(t.n, 0), 4),
           round(2 * tp.n::numeric / nullif(p.n + t.n, 0), 4)
      FROM t, p, tp
$$;

-- Bulk import without matching (each record its own customer), for the
-- batch-only measurement: resolve_identities then does all the linking.
CREATE OR REPLACE PROCEDURE bench.import()
LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMP TABLE _imp AS
    SELECT r.seq, r.channel, r.source_key, r.attrs, x.norm, x.email_key, x.phone,
           nextval(pg_get_serial_sequence('omni.customers', 'customer_id')) AS customer_id
      FROM bench.records r, LATERAL omni.identity_record(r.attrs) x;
    INSERT INTO omni.customers (customer_id) SELECT customer_id FROM _imp;
    INSERT INTO omni.identities (channel, source_key, customer_id, attributes, email_key, phone, norm)
    SELECT channel, source_key, customer_id, attrs, email_key, phone, norm FROM _imp ORDER BY seq;
    DROP TABLE _imp;
END
$$;

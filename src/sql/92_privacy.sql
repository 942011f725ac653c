-- Privacy: consent, the right of access (export_customer) and the right to
-- erasure (forget_customer).
--
-- What is personal data, and what erasure does to it, is declared once in
-- omni.personal_data; export and erasure both work from that list, so a
-- part that adds a table holding customer data registers it there and both
-- rights cover it.  Erasure keeps what reporting needs (sales, stock,
-- loyalty totals, keyed by a customer id that no longer leads to a person)
-- and removes the rest; it leaves a salted, non-reversible tombstone of
-- each channel record so that replayed channel events cannot silently
-- re-create the person, and an audit entry (who, when) without the data.

CREATE TABLE omni.consents (
    customer_id bigint NOT NULL,
    channel     text NOT NULL REFERENCES omni.channels (channel),
    purpose     text NOT NULL CHECK (purpose IN ('marketing', 'personalisation', 'analytics')),
    granted     boolean NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, channel, purpose)
);
COMMENT ON TABLE omni.consents IS
    'Consent per customer, channel and purpose (marketing, personalisation, analytics); no row means not granted';
SELECT pg_catalog.pg_extension_config_dump('omni.consents', '');
SELECT omni.register_customer_reference('omni.consents', 'customer_id');

CREATE TABLE omni.personal_data (
    relation        regclass PRIMARY KEY,
    customer_column name NOT NULL,
    on_forget       text NOT NULL CHECK (on_forget IN ('delete', 'anonymise', 'keep')),
    anonymise_set   text,
    CHECK ((on_forget = 'anonymise') = (anonymise_set IS NOT NULL))
);
COMMENT ON TABLE omni.personal_data IS
    'Tables holding data about a customer: exported by export_customer(); on forget_customer(): delete the rows, anonymise them (anonymise_set is the SET list applied), or keep them (sales figures)';

INSERT INTO omni.personal_data VALUES
    ('omni.identities', 'customer_id', 'delete', NULL),
    ('omni.consents', 'customer_id', 'delete', NULL),
    ('omni.interactions', 'customer_id', 'delete', NULL),
    -- an order's delivery point locates a home: kept to about 10 km (one
    -- decimal of a degree), enough for delivery statistics; the sale stays
    ('omni.orders', 'customer_id', 'anonymise',
     'ship_lat = round(ship_lat::numeric, 1)::float8, ship_lon = round(ship_lon::numeric, 1)::float8'),
    ('omni.returns', 'customer_id', 'keep', NULL),
    ('omni.loyalty_accounts', 'customer_id', 'keep', NULL),
    ('omni.loyalty_ledger', 'customer_id', 'keep', NULL);

CREATE TABLE omni.erasure_tombstones (
    record_hash text PRIMARY KEY,
    erased_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE omni.erasure_tombstones IS
    'Salted SHA-256 of each erased channel record (channel and source key): identify() refuses to re-create it';

CREATE TABLE omni.erasure_log (
    erasure_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL,
    erased_by   name NOT NULL DEFAULT session_user,
    erased_at   timestamptz NOT NULL DEFAULT now(),
    rows_affected jsonb NOT NULL
);
COMMENT ON TABLE omni.erasure_log IS
    'Who erased which customer id when, and how many rows per table; never what was erased';
CREATE INDEX erasure_log_customer_idx ON omni.erasure_log (customer_id);

-- The salt of tombstones and pseudonyms: readable by the owner only.  No
-- key on purpose: CREATE EXTENSION adds a row, and a restore adds the dumped
-- one, which is older and wins, so tombstones and pseudonyms survive a dump.
CREATE TABLE omni.privacy_secret (
    secret     text NOT NULL DEFAULT (pg_catalog.gen_random_uuid()::text || pg_catalog.gen_random_uuid()::text),
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE omni.privacy_secret IS 'The salt of erasure tombstones and analyst pseudonyms (owner only); the oldest row is used';
INSERT INTO omni.privacy_secret DEFAULT VALUES;
SELECT pg_catalog.pg_extension_config_dump('omni.privacy_secret', '');
SELECT pg_catalog.pg_extension_config_dump('omni.erasure_tombstones', '');
SELECT pg_catalog.pg_extension_config_dump('omni.erasure_log', '');

-- PL/pgSQL, not SQL: every identify inserts an identity, whose trigger
-- (refuse_erased_identity) calls this; a SQL function is planned again at
-- every call, a PL/pgSQL one keeps its plan for the session.
CREATE FUNCTION omni.privacy_hash(value text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
               (SELECT s.secret FROM omni.privacy_secret s ORDER BY s.created_at, s.secret LIMIT 1)
               || ':' || value, 'UTF8')), 'hex');
END
$$;
COMMENT ON FUNCTION omni.privacy_hash(text) IS
    'Salted SHA-256 (the salt is omni.privacy_secret): tombstones and pseudonyms cannot be reversed without it';

CREATE FUNCTION omni.customer_pseudonym(customer_id bigint) RETURNS text
LANGUAGE sql STABLE
RETURN pg_catalog.left(omni.privacy_hash('customer:' || customer_id::text), 16);
COMMENT ON FUNCTION omni.customer_pseudonym(bigint) IS
    'A stable pseudonym of a customer id for analysts: joins across views, leads to no person';

CREATE FUNCTION omni.set_consent(customer_id bigint, channel text, purpose text, granted boolean)
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM omni.check_customer(set_consent.customer_id);
    PERFORM omni.check_channel(set_consent.channel);
    IF set_consent.purpose IS NULL OR set_consent.purpose NOT IN ('marketing', 'personalisation', 'analytics') THEN
        RAISE EXCEPTION 'unknown consent purpose "%"', set_consent.purpose
            USING ERRCODE = '22023', DETAIL = 'A purpose is marketing, personalisation or analytics.';
    END IF;
    IF set_consent.granted IS NULL THEN
        RAISE EXCEPTION 'granted must not be null' USING ERRCODE = '22004';
    END IF;
    INSERT INTO omni.consents AS c (customer_id, channel, purpose, granted)
    VALUES (set_consent.customer_id, set_consent.channel, set_consent.purpose, set_consent.granted)
    ON CONFLICT ON CONSTRAINT consents_pkey
        DO UPDATE SET granted = excluded.granted, updated_at = now();
END
$$;
COMMENT ON FUNCTION omni.set_consent(bigint, text, text, boolean) IS
    'Records a customer''s consent (or its withdrawal) for a purpose in a channel';

CREATE FUNCTION omni.has_consent(customer_id bigint, channel text, purpose text)
RETURNS boolean LANGUAGE sql STABLE
RETURN coalesce((SELECT c.granted FROM omni.consents c
                  WHERE c.customer_id = has_consent.customer_id AND c.channel = has_consent.channel
                    AND c.purpose = has_consent.purpose), false);
COMMENT ON FUNCTION omni.has_consent(bigint, text, text) IS
    'True only if the customer granted this purpose in this channel (no answer is no)';

-- Marketing (a newsletter, a push message) may use recommendations only
-- with the customer's consent for that channel.
CREATE FUNCTION omni.marketing_recommendations(customer_id bigint, channel text, k int DEFAULT 10)
RETURNS TABLE (sku text, score float8, reason text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM omni.check_customer(marketing_recommendations.customer_id);
    PERFORM omni.check_channel(marketing_recommendations.channel);
    IF NOT omni.has_consent(marketing_recommendations.customer_id, marketing_recommendations.channel, 'marketing') THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT r.sku, r.score, r.reason
                   FROM omni.recommend(marketing_recommendations.customer_id, marketing_recommendations.k) r;
END
$$;
COMMENT ON FUNCTION omni.marketing_recommendations(bigint, text, int) IS
    'Recommendations for marketing in a channel: none unless the customer consented to marketing there';

-- The customer and every customer merged into it, so that a person's
-- older records go with them.
CREATE FUNCTION omni.customer_family(customer_id bigint) RETURNS bigint[]
LANGUAGE sql STABLE
RETURN ARRAY(WITH RECURSIVE family(id) AS (
                 SELECT customer_family.customer_id
                 UNION
                 SELECT c.customer_id FROM omni.customers c JOIN family f ON c.merged_into = f.id)
             SELECT id FROM family ORDER BY id);
COMMENT ON FUNCTION omni.customer_family(bigint) IS 'A customer id and the ids merged into it';

CREATE FUNCTION omni.export_customer(customer_id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_ids bigint[];
    v_rel record;
    v_rows jsonb;
    v_result jsonb;
BEGIN
    PERFORM omni.check_customer(export_customer.customer_id);
    v_ids := omni.customer_family(export_customer.customer_id);
    SELECT jsonb_build_object(
               'customer_id', export_customer.customer_id,
               'exported_at', now(),
               'customer', (SELECT to_jsonb(c) FROM omni.customers c WHERE c.customer_id = export_customer.customer_id),
               'merged_records', (SELECT coalesce(jsonb_agg(to_jsonb(c) ORDER BY c.customer_id), '[]')
                                    FROM omni.customers c
                                   WHERE c.customer_id = ANY (v_ids) AND c.customer_id <> export_customer.customer_id),
               'merge_history', (SELECT coalesce(jsonb_agg(to_jsonb(a) ORDER BY a.audit_id), '[]')
                                   FROM omni.identity_audit a
                                  WHERE a.customer_id = ANY (v_ids) OR a.other_customer_id = ANY (v_ids)))
      INTO v_result;
    FOR v_rel IN SELECT * FROM omni.personal_data ORDER BY relation::text LOOP
        EXECUTE format('SELECT coalesce(jsonb_agg(to_jsonb(t)), ''[]'') FROM %s t WHERE t.%I = ANY ($1)',
                       v_rel.relation, v_rel.customer_column)
           INTO v_rows USING v_ids;
        v_result := v_result || jsonb_build_object(v_rel.relation::text, v_rows);
    END LOOP;
    -- what an order was: its lines, even though they carry no customer id
    v_result := v_result || jsonb_build_object('order_lines',
        (SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.order_id, l.line), '[]')
           FROM omni.order_lines l JOIN omni.orders o ON o.order_id = l.order_id
          WHERE o.customer_id = ANY (v_ids)));
    RETURN v_result;
END
$$;
COMMENT ON FUNCTION omni.export_customer(bigint) IS
    'Right of access and portability: everything held about a customer (profile, identities, consents, orders with lines, returns, interactions, loyalty, merge history) as one jsonb; OM006 if unknown or forgotten';

CREATE FUNCTION omni.forget_customer(customer_id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_ids bigint[];
    v_rel record;
    v_count bigint;
    v_counts jsonb := '{}';
BEGIN
    PERFORM omni.check_customer(forget_customer.customer_id);
    v_ids := omni.customer_family(forget_customer.customer_id);
    -- one erasure at a time per person: a concurrent identify() or order
    -- cannot slip a row in between (they lock the customer row too)
    PERFORM 1 FROM omni.customers c WHERE c.customer_id = ANY (v_ids) FOR UPDATE;

    INSERT INTO omni.erasure_tombstones (record_hash)
    SELECT omni.privacy_hash(i.channel || ':' || i.source_key)
      FROM omni.identities i WHERE i.customer_id = ANY (v_ids)
    ON CONFLICT DO NOTHING;

    FOR v_rel IN SELECT * FROM omni.personal_data WHERE on_forget <> 'keep' ORDER BY relation::text LOOP
        IF v_rel.on_forget = 'delete' THEN
            EXECUTE format('DELETE FROM %s t WHERE t.%I = ANY ($1)', v_rel.relation, v_rel.customer_column)
                USING v_ids;
        ELSE
            EXECUTE format('UPDATE %s t SET %s WHERE t.%I = ANY ($1)', v_rel.relation,
                           v_rel.anonymise_set, v_rel.customer_column)
                USING v_ids;
        END IF;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        v_counts := v_counts || jsonb_build_object(v_rel.relation::text, v_count);
    END LOOP;

    DELETE FROM omni.identity_audit a WHERE a.customer_id = ANY (v_ids) OR a.other_customer_id = ANY (v_ids);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_counts := v_counts || jsonb_build_object('identity_audit', v_count);
    -- absorbed records point at their survivor: delete them first
    DELETE FROM omni.customers c WHERE c.customer_id = ANY (v_ids) AND c.customer_id <> forget_customer.customer_id;
    DELETE FROM omni.customers c WHERE c.customer_id = forget_customer.customer_id;
    v_counts := v_counts || jsonb_build_object('customers', cardinality(v_ids));

    INSERT INTO omni.erasure_log (customer_id, rows_affected) VALUES (forget_customer.customer_id, v_counts);
END
$$;
COMMENT ON FUNCTION omni.forget_customer(bigint) IS
    'Right to erasure: personal data of the customer (and of records merged into it) is deleted or anonymised; sales, stock and loyalty totals stay; a tombstone stops old channel records from re-creating the person; audited without the data. Afterwards the id raises OM006';

-- identify() and any other path that inserts a channel record meets this.
CREATE FUNCTION omni.refuse_erased_identity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM omni.erasure_tombstones t
                WHERE t.record_hash = omni.privacy_hash(NEW.channel || ':' || NEW.source_key)) THEN
        RAISE EXCEPTION 'the % record "%" belongs to a person who asked to be forgotten', NEW.channel, NEW.source_key
            USING ERRCODE = 'OM006',
                  DETAIL = 'Its customer was erased with omni.forget_customer(); the record is not re-created silently.',
                  HINT = 'If the person signs up again, the channel gives them a new source key, or an admin calls omni.allow_reidentify().';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION omni.refuse_erased_identity() IS
    'Trigger: refuses to record again a channel record whose person was forgotten';
CREATE TRIGGER identities_not_erased
    BEFORE INSERT ON omni.identities
    FOR EACH ROW EXECUTE FUNCTION omni.refuse_erased_identity();

CREATE FUNCTION omni.allow_reidentify(channel text, source_key text) RETURNS boolean
LANGUAGE sql VOLATILE
BEGIN ATOMIC
    DELETE FROM omni.erasure_tombstones t
     WHERE t.record_hash = omni.privacy_hash(allow_reidentify.channel || ':' || allow_reidentify.source_key)
    RETURNING true;
END;
COMMENT ON FUNCTION omni.allow_reidentify(text, text) IS
    'Removes the tombstone of one channel record, after the person came back and consented again; true if there was one';

-- Analysts: customers only under a pseudonym, no personal column.
CREATE VIEW omni.analyst_customers AS
SELECT omni.customer_pseudonym(c.customer_id) AS customer, c.status, c.created_at,
       c.profile->>'city' AS city
  FROM omni.customers c;
COMMENT ON VIEW omni.analyst_customers IS 'Customers for analysts: a pseudonym, status, sign-up date and city, nothing that names a person';

CREATE VIEW omni.analyst_orders AS
SELECT o.order_id, omni.customer_pseudonym(o.customer_id) AS customer, o.channel, o.mode, o.status,
       o.pickup_location, o.total, o.points, o.placed_at
  FROM omni.orders o;
COMMENT ON VIEW omni.analyst_orders IS 'Orders for analysts: the customer as a pseudonym, no delivery point';

CREATE VIEW omni.analyst_interactions AS
SELECT omni.customer_pseudonym(i.customer_id) AS customer, i.channel, i.event, i.sku, i.at
  FROM omni.interactions i;
COMMENT ON VIEW omni.analyst_interactions IS 'Interactions for analysts: the customer as a pseudonym';

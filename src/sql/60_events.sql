-- Events: every committed change of stock, price or order is announced on
-- a NOTIFY channel (omni_stock, omni_price, omni_order) and kept in the log
-- omni.events, so a listener that was away replays what it missed
-- (src/events.c, src/events/, doc/events.md).
--
-- Writers never NOTIFY: their triggers record the event (a row in
-- omni.event_queue, or a logical message when the events worker reads a
-- logical slot), and the events worker numbers what committed, appends it
-- to omni.events and NOTIFYs, in batches, after commit.  Ids are handed out
-- after commit by one numberer at a time (omni.flush_events() under one
-- lock), so a reader never sees event n+1 before event n.

CREATE TABLE omni.event_channels (
    channel     text PRIMARY KEY CHECK (channel ~ '^[a-z_][a-z0-9_]{0,62}$'),
    description text NOT NULL
);
COMMENT ON TABLE omni.event_channels IS
    'The NOTIFY channels events are sent on; add a row to use omni.emit_event() with a channel of your own';
INSERT INTO omni.event_channels VALUES
    ('omni_stock', 'Stock of a SKU at a location changed: sku, location, on_hand, reserved, available'),
    ('omni_price', 'A price was set: sku, channel (null = every channel), price in force from valid_from'),
    ('omni_order', 'An order was created or changed status: order_id, status');
SELECT pg_catalog.pg_extension_config_dump('omni.event_channels',
    $$WHERE channel NOT IN ('omni_stock', 'omni_price', 'omni_order')$$);

CREATE SEQUENCE omni.events_event_id_seq;
COMMENT ON SEQUENCE omni.events_event_id_seq IS
    'Event ids, handed out after commit by omni.log_events() only, under the numberer''s lock';

CREATE TABLE omni.events (
    event_id    bigint PRIMARY KEY,
    channel     text NOT NULL,
    payload     jsonb NOT NULL,
    created_at  timestamptz NOT NULL,
    logged_at   timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
ALTER SEQUENCE omni.events_event_id_seq OWNED BY omni.events.event_id;
COMMENT ON TABLE omni.events IS
    'The event log: one row per committed change, numbered in the order it became visible; payload is what was NOTIFYed';
COMMENT ON COLUMN omni.events.created_at IS 'When the writing transaction recorded the change (at its commit for stock)';
COMMENT ON COLUMN omni.events.logged_at IS 'When the event was numbered and NOTIFYed';
CREATE INDEX events_created_at_idx ON omni.events (created_at);
SELECT pg_catalog.pg_extension_config_dump('omni.events', '');
SELECT pg_catalog.pg_extension_config_dump('omni.events_event_id_seq', '');

-- Queue mode: writers append here, the numberer empties it.  No index:
-- only the numberer reads it, all of it, under its lock.  Its own sequence
-- without cache, so that an event caused by another one (a buyer who waited
-- for a row lock) always sorts after it.
CREATE SEQUENCE omni.event_queue_seq;
CREATE TABLE omni.event_queue (
    seq         bigint NOT NULL DEFAULT nextval('omni.event_queue_seq'),
    channel     text NOT NULL,
    payload     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
ALTER SEQUENCE omni.event_queue_seq OWNED BY omni.event_queue.seq;
COMMENT ON SEQUENCE omni.event_queue_seq IS
    'Order in which queued events were recorded (queue mode); not the event id';
COMMENT ON TABLE omni.event_queue IS
    'Events recorded by transactions and not yet numbered (queue mode); emptied by omni.flush_events()';
SELECT pg_catalog.pg_extension_config_dump('omni.event_queue', '');

CREATE FUNCTION omni.emit_event(channel text, payload jsonb)
RETURNS void AS 'MODULE_PATHNAME', 'omni_emit_event' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION omni.emit_event(text, jsonb) IS
    'Records an event of this transaction on a channel of omni.event_channels; numbered, logged and NOTIFYed once it commits, never if it rolls back';

CREATE FUNCTION omni.events_worker_serves()
RETURNS boolean AS 'MODULE_PATHNAME', 'omni_events_worker_serves' LANGUAGE C VOLATILE;
-- VOLATILE: the worker can start or stop at any moment.
COMMENT ON FUNCTION omni.events_worker_serves() IS
    'True when the events worker runs and serves this database (omni.events_database)';

-- What a stock event says: the pair's totals as omni.stock_levels shows
-- them, as committed when the event is published (src/events/triggers.c).
-- A single SELECT with a SQL-standard body: bound when created, so it needs
-- no pinned search_path (src/sql/95_security.sql), and the planner inlines
-- it where it is used in FROM (a function with a SET clause is never
-- inlined: the events worker paid an executor start-up per stock event).
-- STABLE: reads the tables and now() (expired reservations no longer count).
CREATE FUNCTION omni.stock_totals(sku text, location text)
RETURNS TABLE (on_hand int, reserved int, available int)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT s.on_hand, s.reserved - e.expired, s.on_hand - s.reserved + e.expired
      FROM (SELECT coalesce(sum(t.on_hand), 0)::int AS on_hand,
                   coalesce(sum(t.reserved), 0)::int AS reserved,
                   min(t.earliest_expiry) AS first
              FROM omni.stock_slots t
             WHERE t.sku = stock_totals.sku AND t.location = stock_totals.location) s,
           -- reservations are read only when a slot may hold expired ones,
           -- and none expires before its slot's earliest_expiry
           LATERAL (SELECT CASE WHEN s.first <= pg_catalog.now() THEN
                        (SELECT coalesce(sum(r.qty), 0)::int
                           FROM omni.reservations r
                          WHERE r.sku = stock_totals.sku AND r.location = stock_totals.location
                            AND r.status = 'active'
                            AND r.expires_at BETWEEN s.first AND pg_catalog.now())
                        ELSE 0 END AS expired) e;
END;
COMMENT ON FUNCTION omni.stock_totals(text, text) IS
    'On hand, reserved (active, unexpired) and available of one SKU at one location, as omni.stock_levels shows them';

-- Number and log a batch of committed events, in the order given: the one
-- place that hands out event ids.  Stock events get their totals here.
-- The caller holds the numberer's lock and NOTIFYs what it returns.
-- PL/pgSQL, not SQL: a SQL function called from FROM is planned again at
-- every call, and the events worker calls this once per batch, all day;
-- PL/pgSQL keeps the plan for the session.
CREATE FUNCTION omni.log_events(channels text[], payloads jsonb[], created timestamptz[])
RETURNS TABLE (event_id bigint, channel text, payload jsonb)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN QUERY
    WITH numbered AS (      -- materialised (nextval): ids in the given order
        SELECT pg_catalog.nextval('omni.events_event_id_seq') AS event_id, b.*
          FROM (SELECT u.n, u.channel, u.payload, u.created_at
                  FROM unnest(channels, payloads, created)
                       WITH ORDINALITY AS u(channel, payload, created_at, n)
                 ORDER BY u.n) b
    ),
    -- the totals of each pair once per batch (one snapshot: the same for
    -- all its events), not once per event: a flash sale's batch is
    -- hundreds of events of one pair
    totals AS MATERIALIZED (
        SELECT p.sku, p.location, t.on_hand, t.reserved, t.available
          FROM (SELECT DISTINCT coalesce(b.payload->>'sku', '') AS sku,
                                coalesce(b.payload->>'location', '') AS location
                  FROM numbered b WHERE b.channel = 'omni_stock') p,
               LATERAL omni.stock_totals(p.sku, p.location) t
    )
    INSERT INTO omni.events AS e (event_id, channel, payload, created_at)
    SELECT b.event_id, b.channel,
           pg_catalog.jsonb_build_object('event_id', b.event_id) || b.payload ||
           CASE WHEN b.channel = 'omni_stock'
                THEN pg_catalog.jsonb_build_object('on_hand', t.on_hand,
                         'reserved', t.reserved, 'available', t.available)
                ELSE '{}' END,
           b.created_at
      FROM numbered b
      LEFT JOIN totals t
             ON b.channel = 'omni_stock'
            AND t.sku = coalesce(b.payload->>'sku', '')
            AND t.location = coalesce(b.payload->>'location', '')
     ORDER BY b.event_id
    RETURNING e.event_id, e.channel, e.payload;
END
$$;
COMMENT ON FUNCTION omni.log_events(text[], jsonb[], timestamptz[]) IS
    'Internal: numbers and logs a batch of committed events (stock events get their totals); called under the numberer''s lock';

-- The numberer.  Serialised by a transaction-level advisory lock (key
-- 1330464339 = ''OMNI'', 1), held until commit, so the ids that become
-- visible are always a prefix: the next batch starts after this one committed.
CREATE FUNCTION omni.flush_events(wait boolean DEFAULT true)
RETURNS int LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_channels text[];
    v_payloads jsonb[];
    v_created timestamptz[];
    n int;
BEGIN
    IF wait THEN
        PERFORM pg_catalog.pg_advisory_xact_lock(1330464339, 1);
    ELSIF NOT pg_catalog.pg_try_advisory_xact_lock(1330464339, 1) THEN
        RETURN 0;               -- another numberer is at work
    END IF;
    WITH moved AS (
        DELETE FROM omni.event_queue RETURNING seq, channel, payload, created_at
    )
    SELECT array_agg(m.channel ORDER BY m.seq), array_agg(m.payload ORDER BY m.seq),
           array_agg(m.created_at ORDER BY m.seq)
      INTO v_channels, v_payloads, v_created
      FROM moved m;
    IF v_channels IS NULL THEN
        RETURN 0;
    END IF;
    SELECT count(*) INTO n
      FROM (SELECT pg_catalog.pg_notify(l.channel, l.payload::text)
              FROM omni.log_events(v_channels, v_payloads, v_created) l
             ORDER BY l.event_id) s;
    RETURN n;
END
$$;
COMMENT ON FUNCTION omni.flush_events(boolean) IS
    'Numbers the committed events waiting in omni.event_queue, appends them to omni.events and NOTIFYs each; the events worker calls it; returns how many';

CREATE FUNCTION omni.events_since(last_event_id bigint, channel text DEFAULT NULL,
                                  max_events int DEFAULT NULL)
RETURNS SETOF omni.events LANGUAGE plpgsql VOLATILE AS $$
-- VOLATILE: where no worker serves this database it numbers pending events first.
BEGIN
    IF last_event_id IS NULL OR last_event_id < 0 THEN
        RAISE EXCEPTION 'invalid last_event_id %', coalesce(last_event_id::text, 'NULL')
            USING ERRCODE = '22023',
                  DETAIL = 'Event ids start at 1; 0 replays the whole log.',
                  HINT = 'Pass the last event_id your listener processed, or 0.';
    END IF;
    IF events_since.channel IS NOT NULL AND NOT EXISTS
           (SELECT 1 FROM omni.event_channels c WHERE c.channel = events_since.channel) THEN
        RAISE EXCEPTION 'unknown event channel "%"', events_since.channel
            USING ERRCODE = '22023',
                  DETAIL = 'Event channels are listed in omni.event_channels.',
                  HINT = 'Use omni_stock, omni_price or omni_order, or NULL for every channel.';
    END IF;
    IF max_events IS NOT NULL AND max_events < 1 THEN
        RAISE EXCEPTION 'invalid max_events %', max_events
            USING ERRCODE = '22023', DETAIL = 'max_events is at least 1, or NULL for no limit.';
    END IF;
    IF NOT omni.events_worker_serves() AND NOT pg_catalog.pg_is_in_recovery() THEN
        PERFORM omni.flush_events(false);
    END IF;
    RETURN QUERY
        SELECT e.* FROM omni.events e
         WHERE e.event_id > last_event_id
           AND (events_since.channel IS NULL OR e.channel = events_since.channel)
         ORDER BY e.event_id
         LIMIT max_events;
END
$$;
COMMENT ON FUNCTION omni.events_since(bigint, text, int) IS
    'Every logged event after last_event_id (optionally of one channel, at most max_events), in order: what a listener that was away missed';

CREATE FUNCTION omni.prune_events(keep interval)
RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    n bigint;
BEGIN
    IF keep IS NULL OR keep < interval '0' THEN
        RAISE EXCEPTION 'invalid retention %', coalesce(keep::text, 'NULL')
            USING ERRCODE = '22023',
                  DETAIL = 'The retention is how long events are kept: zero or more.',
                  HINT = 'For example omni.prune_events(''7 days'').';
    END IF;
    DELETE FROM omni.events WHERE created_at < pg_catalog.now() - keep;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION omni.prune_events(interval) IS
    'Deletes logged events older than keep; returns how many. A listener away longer than keep cannot replay them';

-- The triggers (C, src/events/triggers.c).
CREATE FUNCTION omni.stock_event_trigger()
RETURNS trigger AS 'MODULE_PATHNAME', 'omni_stock_event_trigger' LANGUAGE C;
COMMENT ON FUNCTION omni.stock_event_trigger() IS
    'Trigger on omni.stock_slots: one omni_stock event per changed (sku, location) and transaction; the totals are added when it is published';
CREATE TRIGGER stock_slots_events
    AFTER INSERT OR UPDATE OR DELETE ON omni.stock_slots
    FOR EACH ROW EXECUTE FUNCTION omni.stock_event_trigger();
COMMENT ON TRIGGER stock_slots_events ON omni.stock_slots IS
    'Records an omni_stock event for each (sku, location) a transaction changes';

CREATE FUNCTION omni.price_event_trigger()
RETURNS trigger AS 'MODULE_PATHNAME', 'omni_price_event_trigger' LANGUAGE C;
COMMENT ON FUNCTION omni.price_event_trigger() IS
    'Trigger on omni.prices: one omni_price event per price set, with the price in force for that channel from valid_from';
CREATE TRIGGER prices_events
    AFTER INSERT OR UPDATE ON omni.prices
    FOR EACH ROW EXECUTE FUNCTION omni.price_event_trigger();
COMMENT ON TRIGGER prices_events ON omni.prices IS
    'Records an omni_price event for each price written';

CREATE FUNCTION omni.order_event()
RETURNS trigger AS 'MODULE_PATHNAME', 'omni_order_event' LANGUAGE C;
COMMENT ON FUNCTION omni.order_event() IS
    'Trigger for any table with columns order_id and status: AFTER INSERT OR UPDATE OF status ... FOR EACH ROW; one omni_order event per new status';

-- Decoding mode: how far the events worker has published from its slot,
-- recorded in the transaction that logs the events, so that a transaction
-- decoded again after a crash is not logged twice.
CREATE TABLE omni.events_decoded (
    slot_name     name PRIMARY KEY,
    confirmed_lsn pg_lsn NOT NULL
);
COMMENT ON TABLE omni.events_decoded IS
    'Commit LSN up to which the events worker has logged the events of its logical slot (decoding mode)';
-- Messages committed before this extension was created (a slot left by an
-- earlier, dropped instance) are not ours to publish.
INSERT INTO omni.events_decoded VALUES ('omni_events', pg_catalog.pg_current_wal_lsn());

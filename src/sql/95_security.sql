-- Security: roles, privileges, hardened functions, and the personal-data
-- registry that export_customer() and forget_customer() work from.
--
-- Runs last, so that it sees every object the other parts created.  A part
-- that adds a table or an API function adds it to the lists below (and a
-- table holding personal data to omni.personal_data); the pgTAP suite
-- test/pgtap/95_security.sql fails if something is left unclassified.
--
-- The roles (cluster-wide, so created only if missing and not dropped with
-- the extension):
--   omni_channel  the web shop, the app, the POS, ...: calls the API
--                 functions; reads the catalogue, prices and stock levels;
--                 cannot write any table directly.
--   omni_analyst  reads sales, stock, interactions and recommendations, but
--                 never raw personal data: customers appear under a
--                 pseudonym in the omni.analyst_* views.
--   omni_admin    manages: catalogue, prices, slots, jobs, privacy requests;
--                 may do what the two others do.

DO $$
DECLARE
    v_role text;
BEGIN
    FOREACH v_role IN ARRAY ARRAY['omni_channel', 'omni_analyst', 'omni_admin'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = v_role) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', v_role);
        END IF;
    END LOOP;
END
$$;
GRANT omni_channel, omni_analyst TO omni_admin;
-- Everyone may use the types (omni.email, omni.phone) and see the names;
-- the tables and the API stay closed to PUBLIC below.
GRANT USAGE ON SCHEMA omni TO PUBLIC;

-- Tables and views: nothing for PUBLIC (error_codes aside), then by role.
REVOKE ALL ON ALL TABLES IN SCHEMA omni FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA omni FROM PUBLIC;
GRANT SELECT ON omni.error_codes TO PUBLIC;

-- What a channel shows its customers.
GRANT SELECT ON omni.channels, omni.products, omni.locations, omni.current_prices,
                omni.stock_levels, omni.order_statuses
   TO omni_channel;

-- What an analyst reads: no column of these holds personal data; customers
-- appear only as pseudonyms (omni.analyst_* views, omni/92_privacy.sql).
GRANT SELECT ON omni.channels, omni.products, omni.locations, omni.prices,
                omni.current_prices, omni.stock_slots, omni.stock_levels,
                omni.reservations, omni.stock_movements, omni.health,
                omni.job_definitions, omni.order_lines, omni.fulfilments,
                omni.order_allocations, omni.return_lines, omni.location_routing,
                omni.order_statuses, omni.order_transitions, omni.events,
                omni.analyst_customers, omni.analyst_orders, omni.analyst_interactions,
                omni.recommend_neighbours, omni.recommend_popularity,
                omni.recommend_store_popularity, omni.recommend_model, omni.recommend_settings
   TO omni_analyst;

-- Admins read everything and change what the API does not cover.
GRANT SELECT ON ALL TABLES IN SCHEMA omni TO omni_admin;
GRANT INSERT, UPDATE, DELETE ON omni.channels, omni.products, omni.locations,
                                omni.job_definitions
   TO omni_admin;

-- Functions.  The API runs as the extension's owner (SECURITY DEFINER) so
-- that callers need no table privileges; every such function pins its
-- search_path, and every function of ours that runs SQL does too, so that
-- no object a caller puts on its own search_path can stand in for ours or
-- for a built-in.
CREATE TABLE omni.api_functions (
    function_name name PRIMARY KEY,
    callers       text[] NOT NULL CHECK (callers <@ ARRAY['omni_channel', 'omni_analyst', 'omni_admin']),
    definer       boolean NOT NULL DEFAULT true,
    CHECK ('omni_admin' = ANY (callers))
);
COMMENT ON TABLE omni.api_functions IS
    'Which roles may call each API function (all overloads of the name); definer = runs as the extension owner';

INSERT INTO omni.api_functions (function_name, callers, definer) VALUES
    -- catalogue and prices
    ('price',                   '{omni_channel,omni_analyst,omni_admin}', true),
    ('price_history',           '{omni_channel,omni_analyst,omni_admin}', true),
    ('add_channel',             '{omni_admin}', true),
    ('add_product',             '{omni_admin}', true),
    ('add_location',            '{omni_admin}', true),
    ('set_price',               '{omni_admin}', true),
    ('clear_price_override',    '{omni_admin}', true),
    -- inventory
    ('receive',                 '{omni_channel,omni_admin}', true),
    ('adjust',                  '{omni_channel,omni_admin}', true),
    ('set_count',               '{omni_channel,omni_admin}', true),
    -- SECURITY INVOKER: its fast path needs no rights and runs no SQL; the
    -- rest runs in omni.reserve_through_sql, a definer (src/stock.c)
    ('reserve',                 '{omni_channel,omni_admin}', false),
    ('commit_reservation',      '{omni_channel,omni_admin}', true),
    ('release_reservation',     '{omni_channel,omni_admin}', true),
    ('expire_reservations',     '{omni_channel,omni_admin}', true),
    ('sell',                    '{omni_channel,omni_admin}', true),
    ('available',               '{omni_channel,omni_analyst,omni_admin}', true),
    ('set_stock_slots',         '{omni_admin}', true),
    ('check_stock',             '{omni_analyst,omni_admin}', true),
    ('stock_direct_path',       '{omni_analyst,omni_admin}', true),
    -- a procedure that commits cannot be SECURITY DEFINER; it calls
    -- expire_reservations(), which is
    ('expire_all_reservations', '{omni_channel,omni_admin}', false),
    -- identity
    ('identify',                '{omni_channel,omni_admin}', true),
    ('match_candidates',        '{omni_channel,omni_admin}', true),
    ('customer_identities',     '{omni_channel,omni_admin}', true),
    ('resolve_identities',      '{omni_admin}', true),
    ('merge_customers',         '{omni_admin}', true),
    ('unmerge_identity',        '{omni_admin}', true),
    ('train_matcher',           '{omni_admin}', true),
    -- events
    ('events_since',            '{omni_channel,omni_analyst,omni_admin}', true),
    ('prune_events',            '{omni_admin}', true),
    ('emit_event',              '{omni_admin}', true),
    ('flush_events',            '{omni_admin}', true),
    -- orders and fulfilment
    ('route',                   '{omni_channel,omni_analyst,omni_admin}', true),
    ('place_order',             '{omni_channel,omni_admin}', true),
    ('complete_fulfillment',    '{omni_channel,omni_admin}', true),
    ('mark_ready',              '{omni_channel,omni_admin}', true),
    ('cancel_order',            '{omni_channel,omni_admin}', true),
    ('return_items',            '{omni_channel,omni_admin}', true),
    ('record_pos_sale',         '{omni_channel,omni_admin}', true),
    ('track',                   '{omni_channel,omni_admin}', true),
    ('customer_360',            '{omni_channel,omni_admin}', true),
    ('loyalty_balance',         '{omni_channel,omni_admin}', true),
    ('redeem_points',           '{omni_channel,omni_admin}', true),
    ('set_location_routing',    '{omni_admin}', true),
    -- recommendations
    ('recommend',               '{omni_channel,omni_analyst,omni_admin}', true),
    ('similar_items',           '{omni_channel,omni_analyst,omni_admin}', true),
    ('bought_together',         '{omni_channel,omni_analyst,omni_admin}', true),
    ('trending',                '{omni_channel,omni_analyst,omni_admin}', true),
    ('recommend_segment',       '{omni_analyst,omni_admin}', true),
    ('refresh_recommendations', '{omni_admin}', true),
    ('marketing_recommendations', '{omni_channel,omni_admin}', true),
    -- privacy
    ('set_consent',             '{omni_channel,omni_admin}', true),
    ('has_consent',             '{omni_channel,omni_admin}', true),
    ('export_customer',         '{omni_admin}', true),
    ('forget_customer',         '{omni_admin}', true),
    ('allow_reidentify',        '{omni_admin}', true),
    -- the analyst views call it: it reads the salt, which no caller may
    ('customer_pseudonym',      '{omni_analyst,omni_admin}', true),
    ('privacy_hash',            '{omni_admin}', true),
    -- operations
    ('schedule_jobs',           '{omni_admin}', false),
    ('unschedule_jobs',         '{omni_admin}', false),
    ('scheduled_jobs',          '{omni_analyst,omni_admin}', false),
    ('health_checks',           '{omni_analyst,omni_admin}', true);

DO $$
DECLARE
    v_fn record;
    v_role text;
BEGIN
    FOR v_fn IN
        SELECT p.oid::pg_catalog.regprocedure AS sig, p.prokind, a.callers, a.definer
          FROM omni.api_functions a
          JOIN pg_catalog.pg_proc p ON p.proname = a.function_name
                                   AND p.pronamespace = 'omni'::pg_catalog.regnamespace
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON %s %s FROM PUBLIC',
                                  CASE WHEN v_fn.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
                                  v_fn.sig);
        IF v_fn.definer THEN
            EXECUTE pg_catalog.format('ALTER FUNCTION %s SECURITY DEFINER', v_fn.sig);
        END IF;
        FOREACH v_role IN ARRAY v_fn.callers LOOP
            EXECUTE pg_catalog.format('GRANT EXECUTE ON %s %s TO %I',
                                      CASE WHEN v_fn.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
                                      v_fn.sig, v_role);
        END LOOP;
    END LOOP;

    -- Every function of ours that runs SQL gets a pinned search_path
    -- (C functions of the API run SQL through SPI; type support functions
    -- run none and keep the cheapest call).  Procedures are left out: one
    -- with a SET clause may not COMMIT, and ours are SECURITY INVOKER and
    -- schema-qualify what they call.  So are SQL functions with a
    -- SQL-standard body (BEGIN ATOMIC) that are not SECURITY DEFINER: their
    -- names were resolved when they were created, so no search_path can
    -- change what they call, and without a SET clause the planner can
    -- inline them into the calling query.
    FOR v_fn IN
        SELECT p.oid::pg_catalog.regprocedure AS sig, p.prokind
          FROM pg_catalog.pg_proc p
          JOIN pg_catalog.pg_language l ON l.oid = p.prolang
         WHERE p.pronamespace = 'omni'::pg_catalog.regnamespace
           AND p.prokind <> 'p'
           AND (l.lanname IN ('plpgsql', 'sql') OR p.prosecdef)
           AND (p.prosqlbody IS NULL OR p.prosecdef)
           AND NOT coalesce(p.proconfig::text[] && ARRAY['search_path=pg_catalog, omni, pg_temp'], false)
    LOOP
        EXECUTE pg_catalog.format('ALTER %s %s SET search_path = pg_catalog, omni, pg_temp',
                                  CASE WHEN v_fn.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
                                  v_fn.sig);
    END LOOP;
END
$$;

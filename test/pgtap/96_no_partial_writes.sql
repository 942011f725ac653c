-- pgTAP: every API function refuses bad input with its documented SQLSTATE
-- and leaves every table exactly as it was (no partial write).  The
-- snapshot is an md5 of the full content of every omni table except the
-- event log and queue, which the events worker writes on its own.
BEGIN;
SELECT plan(93);

SELECT omni.add_product('NP-1', 'no partial');
SELECT omni.add_location('np-st', 'NP store', 'store', -23.5, -46.6);
SELECT omni.add_location('np-dc', 'NP dc', 'warehouse', -23.4, -46.8);
SELECT omni.set_price('NP-1', 10, NULL, '2026-01-01');
SELECT omni.receive('NP-1', 'np-st', 5) + omni.receive('NP-1', 'np-dc', 5);
SELECT omni.reserve('NP-1', 'np-st', 1);
SELECT customer_id AS cust FROM omni.identify('app', 'np-1',
    '{"email": "np@example.com", "first_name": "No", "last_name": "Partial"}') \gset
SELECT omni.place_order(:cust, 'app', '[{"sku": "NP-1", "qty": 1}]', 'pickup', NULL, NULL, 'np-st') AS ord \gset

CREATE FUNCTION pg_temp.snapshot() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_rel regclass;
    v_all text := '';
    v_one text;
BEGIN
    FOR v_rel IN SELECT c.oid FROM pg_class c
                  WHERE c.relnamespace = 'omni'::regnamespace AND c.relkind = 'r'
                    AND c.relname NOT IN ('events', 'event_queue')
                  ORDER BY c.relname LOOP
        EXECUTE format('SELECT md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '''')) FROM %s t', v_rel)
           INTO v_one;
        v_all := v_all || v_rel::text || '=' || v_one || ' ';
    END LOOP;
    RETURN md5(v_all);
END
$$;

CREATE FUNCTION pg_temp.refuses_cleanly(call text, code text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    v_before text := pg_temp.snapshot();
BEGIN
    RETURN NEXT throws_ok(call, code, NULL, format('%s: %s', code, call));
    RETURN NEXT is(pg_temp.snapshot(), v_before, format('nothing written by %s', call));
END
$$;

-- %1$s in a call stands for the test's customer, %2$s for its order
SELECT pg_temp.refuses_cleanly(format(c, :cust, :ord), s) FROM (VALUES
    -- catalogue and prices
    ($$SELECT omni.add_channel('Bad Name', 'x')$$, '22023'),
    ($$SELECT omni.add_product('', 'x')$$, '22023'),
    ($$SELECT omni.add_location('np x', 'x', 'store', 0, 0)$$, '22023'),
    ($$SELECT omni.set_price('NP-1', -1)$$, '22023'),
    ($$SELECT omni.clear_price_override('NOPE', 'web')$$, 'OM003'),
    ($$SELECT omni.price('NP-1', 'fax')$$, '22023'),
    ($$SELECT omni.price_history('NOPE')$$, 'OM003'),
    -- inventory
    ($$SELECT omni.receive('NOPE', 'np-st', 1)$$, 'OM003'),
    ($$SELECT omni.adjust('NP-1', 'np-st', -100, 'damage')$$, 'OM001'),
    ($$SELECT omni.set_count('NP-1', 'np-st', -1)$$, '22023'),
    ($$SELECT omni.reserve('NP-1', 'np-st', 1000)$$, 'OM001'),
    ($$SELECT omni.reserve('NP-1', 'nowhere', 1)$$, 'OM004'),
    ($$SELECT omni.commit_reservation(999999999)$$, 'OM002'),
    ($$SELECT omni.release_reservation(999999999)$$, 'OM002'),
    ($$SELECT omni.sell('NP-1', 'np-st', 1000)$$, 'OM001'),
    ($$SELECT omni.available('NOPE')$$, 'OM003'),
    ($$SELECT omni.set_stock_slots('NP-1', 'np-st', 0)$$, '22023'),
    -- identity
    ($$SELECT * FROM omni.identify('fax', 'k', '{}')$$, '22023'),
    ($$SELECT * FROM omni.identify('app', 'k', '"not an object"')$$, '22023'),
    ($$SELECT * FROM omni.identify('app', 'k2', '{"email": "bad"}')$$, '22P02'),
    ($$SELECT * FROM omni.match_candidates('[]', 5)$$, '22023'),
    ($$SELECT omni.merge_customers(%1$s, 999999999)$$, 'OM006'),
    ($$SELECT omni.unmerge_identity(999999999)$$, '22023'),
    ($$SELECT * FROM omni.customer_identities(999999999)$$, 'OM006'),
    -- events
    ($$SELECT omni.emit_event('bogus', '{}')$$, '22023'),
    ($$SELECT * FROM omni.events_since(-1, 'bogus')$$, '22023'),
    ($$SELECT omni.prune_events('-1 day')$$, '22023'),
    -- orders and fulfilment
    ($$SELECT omni.set_location_routing('nowhere', 1, 1)$$, 'OM004'),
    ($$SELECT * FROM omni.route('{}', 'ship')$$, '22023'),
    ($$SELECT omni.place_order(%1$s, 'app', '[{"sku": "NOPE", "qty": 1}]', 'pickup', NULL, NULL, 'np-st')$$, 'OM003'),
    ($$SELECT omni.place_order(%1$s, 'app', '[{"sku": "NP-1", "qty": 1000}]', 'pickup', NULL, NULL, 'np-st')$$, 'OM005'),
    ($$SELECT omni.place_order(999999999, 'app', '[{"sku": "NP-1", "qty": 1}]', 'pickup', NULL, NULL, 'np-st')$$, 'OM006'),
    ($$SELECT omni.complete_fulfillment(999999999)$$, '22023'),
    ($$SELECT omni.mark_ready(999999999)$$, '22023'),
    ($$SELECT omni.cancel_order(999999999)$$, '22023'),
    ($$SELECT omni.record_pos_sale(%1$s, 'nowhere', '[{"sku": "NP-1", "qty": 1}]')$$, 'OM004'),
    ($$SELECT omni.customer_360(999999999)$$, 'OM006'),
    ($$SELECT omni.loyalty_balance(999999999)$$, 'OM006'),
    ($$SELECT omni.redeem_points(%1$s, 999999, 'pos')$$, '22023'),
    ($$SELECT omni.track(%1$s, 'app', 'dance')$$, '22023'),
    -- recommendations
    ($$SELECT * FROM omni.recommend(999999999)$$, 'OM006'),
    ($$SELECT * FROM omni.recommend(%1$s, 0)$$, '22023'),
    ($$SELECT * FROM omni.similar_items('NOPE')$$, 'OM003'),
    -- privacy
    ($$SELECT omni.set_consent(%1$s, 'app', 'spam', true)$$, '22023'),
    ($$SELECT omni.export_customer(999999999)$$, 'OM006'),
    ($$SELECT omni.forget_customer(999999999)$$, 'OM006')
) v(c, s);

SELECT ok(:ord > 0, 'the order placed for the test still stands');

SELECT * FROM finish();
ROLLBACK;

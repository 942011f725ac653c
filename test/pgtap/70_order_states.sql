-- pgTAP: the order state machine, exhaustively.  For every mode and every
-- pair of statuses, omni.order_transition() must allow exactly the moves
-- listed below (written out here, independently of omni.order_transitions)
-- and refuse every other one with OM007.  Plus the objects of the orders
-- contract.
BEGIN;
SELECT plan(4 * 8 * 8 + 12);

SELECT omni.add_location('tap-store', 'TAP store', 'store', 1, 1);

CREATE TEMP TABLE expected_moves (mode text, from_status text, to_status text);
INSERT INTO expected_moves
SELECT m, f, t FROM (VALUES
    ('placed', 'partially_shipped'), ('placed', 'shipped'), ('partially_shipped', 'shipped'),
    ('placed', 'cancelled'), ('shipped', 'partially_returned'), ('shipped', 'returned'),
    ('partially_returned', 'partially_returned'), ('partially_returned', 'returned')) v(f, t),
    (VALUES ('ship')) x(m)
UNION ALL
SELECT m, f, t FROM (VALUES
    ('placed', 'ready_for_pickup'), ('placed', 'picked_up'), ('ready_for_pickup', 'picked_up'),
    ('placed', 'cancelled'), ('ready_for_pickup', 'cancelled'),
    ('picked_up', 'partially_returned'), ('picked_up', 'returned'),
    ('partially_returned', 'partially_returned'), ('partially_returned', 'returned')) v(f, t),
    (VALUES ('pickup'), ('curbside')) x(m)
UNION ALL
SELECT 'instore', f, t FROM (VALUES
    ('picked_up', 'partially_returned'), ('picked_up', 'returned'),
    ('partially_returned', 'partially_returned'), ('partially_returned', 'returned')) v(f, t);

-- 'allowed', or the SQLSTATE of the refusal; the order row is made directly
CREATE FUNCTION pg_temp.try_move(p_mode text, p_from text, p_to text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
    v_status text;
BEGIN
    INSERT INTO omni.orders (customer_id, channel, mode, status, ship_lat, ship_lon, pickup_location)
    VALUES (0, 'web', p_mode, p_from,
            CASE WHEN p_mode = 'ship' THEN 1 END, CASE WHEN p_mode = 'ship' THEN 1 END,
            CASE WHEN p_mode <> 'ship' THEN 'tap-store' END)
    RETURNING order_id INTO v_id;
    BEGIN
        PERFORM omni.order_transition(v_id, p_to);
    EXCEPTION WHEN OTHERS THEN
        SELECT status INTO v_status FROM omni.orders WHERE order_id = v_id;
        RETURN SQLSTATE || CASE WHEN v_status = p_from THEN '' ELSE ' (status changed!)' END;
    END;
    SELECT status INTO v_status FROM omni.orders WHERE order_id = v_id;
    RETURN CASE WHEN v_status = p_to THEN 'allowed' ELSE 'allowed but status is ' || v_status END;
END
$$;

SELECT is(pg_temp.try_move(m, f, t),
          CASE WHEN EXISTS (SELECT 1 FROM expected_moves e
                             WHERE e.mode = m AND e.from_status = f AND e.to_status = t)
               THEN 'allowed' ELSE 'OM007' END,
          format('%s order: %s -> %s', m, f, t))
  FROM unnest(ARRAY['ship', 'pickup', 'curbside', 'instore']) m,
       unnest(ARRAY['placed', 'partially_shipped', 'shipped', 'ready_for_pickup', 'picked_up',
                    'cancelled', 'partially_returned', 'returned']) f,
       unnest(ARRAY['placed', 'partially_shipped', 'shipped', 'ready_for_pickup', 'picked_up',
                    'cancelled', 'partially_returned', 'returned']) t
 ORDER BY m, f, t;

-- every move is recorded in the history
SELECT cmp_ok((SELECT count(*) FROM omni.order_history h JOIN omni.orders o USING (order_id)
                WHERE o.customer_id = 0), '=',
              (SELECT count(*) FROM expected_moves), 'each allowed move wrote one history row');

-- the contract's functions, with their signatures
SELECT has_function('omni', 'route', ARRAY['jsonb', 'text', 'double precision', 'double precision', 'text']);
SELECT has_function('omni', 'place_order', ARRAY['bigint', 'text', 'jsonb', 'text', 'double precision', 'double precision', 'text']);
SELECT has_function('omni', 'complete_fulfillment', ARRAY['bigint', 'text']);
SELECT has_function('omni', 'cancel_order', ARRAY['bigint']);
SELECT has_function('omni', 'return_items', ARRAY['bigint', 'jsonb', 'text']);
SELECT has_function('omni', 'track', ARRAY['bigint', 'text', 'text', 'text', 'timestamp with time zone']);
SELECT has_function('omni', 'customer_360', ARRAY['bigint']);
SELECT has_function('omni', 'loyalty_balance', ARRAY['bigint']);
SELECT has_function('omni', 'redeem_points', ARRAY['bigint', 'integer', 'text']);
SELECT is(provolatile::text, 's', 'omni.route is STABLE (read-only)')
  FROM pg_proc WHERE oid = 'omni.route(jsonb,text,float8,float8,text)'::regprocedure;
-- every table of the orders part that refers to a customer names it customer_id
SELECT is(ARRAY(SELECT c.table_name::text FROM information_schema.columns c
                 WHERE c.table_schema = 'omni' AND c.column_name = 'customer_id'
                   AND c.table_name IN ('orders', 'returns', 'loyalty_accounts', 'loyalty_ledger', 'interactions')
                 ORDER BY 1),
          ARRAY['interactions', 'loyalty_accounts', 'loyalty_ledger', 'orders', 'returns'],
          'orders, returns, loyalty and interactions key customers by customer_id');

SELECT * FROM finish();
ROLLBACK;

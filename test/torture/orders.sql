-- Order load for the crash test (scripts/crash.sh): customers place pickup
-- orders of the torture SKUs, then complete or cancel them at random.
SELECT omni.set_price('T' || g, 10, NULL, '2026-01-01') FROM generate_series(1, 3) g;
SELECT count(*) FROM (
    SELECT omni.identify('app', 'crash-' || g, jsonb_build_object('email', 'crash' || g || '@example.com'))
      FROM generate_series(1, 20) g) s;

CREATE FUNCTION torture_order_step(p_customer int, p_op int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_customer bigint;
    v_order bigint;
BEGIN
    SELECT customer_id INTO v_customer FROM omni.identities
     WHERE channel = 'app' AND source_key = 'crash-' || p_customer;
    BEGIN
        IF p_op <= 50 THEN
            PERFORM omni.place_order(v_customer, 'app',
                jsonb_build_array(jsonb_build_object('sku', 'T' || (1 + p_op % 3), 'qty', 1)),
                'pickup', NULL, NULL, 'ts1');
        ELSE
            SELECT order_id INTO v_order FROM omni.orders
             WHERE customer_id = v_customer AND status = 'placed' ORDER BY order_id LIMIT 1;
            IF v_order IS NULL THEN RETURN; END IF;
            IF p_op <= 80 THEN
                PERFORM omni.complete_fulfillment(v_order);
            ELSE
                PERFORM omni.cancel_order(v_order);
            END IF;
        END IF;
    EXCEPTION WHEN SQLSTATE 'OM001' OR SQLSTATE 'OM002' OR SQLSTATE 'OM005' OR SQLSTATE 'OM007' THEN
        NULL;   -- short stock, an order someone else moved on: expected under load
    END;
END
$$;

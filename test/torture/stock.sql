-- Torture harness for the inventory engine: a random mix of every stock
-- operation on a few scarce SKUs, each outcome logged, so that afterwards
-- the invariants can be checked in SQL (test/torture/check.sql).
-- Loaded into a scratch database by test/torture/stock.sh.

CREATE TABLE torture_log (
    op          text NOT NULL,
    outcome     text NOT NULL,          -- ok, or the SQLSTATE
    requested   int,
    available   int,                    -- what the engine said was available (OM001)
    detail      text,
    at          timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE FUNCTION torture_step(p_sku int, p_op int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_sku   text := 'T' || p_sku;
    v_loc   text := CASE WHEN p_op % 2 = 0 THEN 'tw1' ELSE 'ts1' END;
    v_qty   int := 1 + (random() * 2)::int;
    v_id    bigint;
    v_op    text;
    v_state text;
    v_detail text;
BEGIN
    BEGIN
        IF p_op <= 40 THEN
            v_op := 'reserve';
            PERFORM omni.reserve(v_sku, v_loc, v_qty,
                                 CASE WHEN p_op <= 8 THEN interval '1 millisecond'
                                      ELSE interval '10 minutes' END);
        ELSIF p_op <= 55 THEN
            v_op := 'commit';
            SELECT reservation_id INTO v_id FROM omni.reservations
             WHERE sku = v_sku AND status = 'active' ORDER BY random() LIMIT 1;
            IF v_id IS NULL THEN RETURN; END IF;
            PERFORM omni.commit_reservation(v_id);
        ELSIF p_op <= 70 THEN
            v_op := 'release';
            SELECT reservation_id INTO v_id FROM omni.reservations
             WHERE sku = v_sku AND status = 'active' ORDER BY random() LIMIT 1;
            IF v_id IS NULL THEN RETURN; END IF;
            PERFORM omni.release_reservation(v_id);
        ELSIF p_op <= 80 THEN
            v_op := 'sell';
            PERFORM omni.sell(v_sku, v_loc, v_qty, 'pos');
        ELSIF p_op <= 84 THEN
            v_op := 'expire';
            PERFORM omni.expire_reservations();
        ELSIF p_op <= 90 THEN
            v_op := 'adjust';
            PERFORM omni.adjust(v_sku, v_loc, CASE WHEN p_op % 3 = 0 THEN 1 ELSE -1 END, 'torture');
        ELSIF p_op <= 93 THEN
            v_op := 'count';
            v_qty := (random() * 8)::int;
            PERFORM omni.set_count(v_sku, v_loc, v_qty);
        ELSIF p_op <= 95 THEN
            v_op := 'slots';
            PERFORM omni.set_stock_slots(v_sku, v_loc, 1 + (random() * 7)::int);
        ELSE
            v_op := 'receive';
            PERFORM omni.receive(v_sku, v_loc, v_qty);
        END IF;
        INSERT INTO torture_log (op, outcome, requested) VALUES (v_op, 'ok', v_qty);
    EXCEPTION WHEN SQLSTATE 'OM001' OR SQLSTATE 'OM002' OR deadlock_detected THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_detail = PG_EXCEPTION_DETAIL;
        INSERT INTO torture_log (op, outcome, requested, available, detail)
        VALUES (v_op, v_state, v_qty,
                (regexp_match(v_detail, 'available (\d+)'))[1]::int, v_detail);
    END;
END
$$;

SELECT omni.add_location('tw1', 'Torture DC', 'warehouse', 0, 0);
SELECT omni.add_location('ts1', 'Torture store', 'store', 0, 0);
SELECT omni.add_product('T' || g, 'torture ' || g) FROM generate_series(1, 3) g;
SELECT omni.receive('T' || g, l, 20) FROM generate_series(1, 3) g, unnest(ARRAY['tw1', 'ts1']) l;

-- demand far beyond supply: 3,000 units of one SKU
SELECT omni.add_product('FLASH', 'Flash sale');
SELECT omni.receive('FLASH', 'tw1', 3000);
SELECT omni.set_stock_slots('FLASH', 'tw1', 32);
CREATE TABLE flash_log (ok boolean NOT NULL);
CREATE FUNCTION flash_buy() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM omni.reserve('FLASH', 'tw1', 1);
    INSERT INTO flash_log VALUES (true);
EXCEPTION WHEN SQLSTATE 'OM001' THEN
    INSERT INTO flash_log VALUES (false);
END
$$;

-- Invariants after a torture run; each row is one named check, ok or not.
\pset footer off
WITH levels AS (
    SELECT s.sku, s.location, sum(s.on_hand) AS on_hand, sum(s.reserved) AS reserved,
           min(s.on_hand) AS min_slot_on_hand, min(s.on_hand - s.reserved) AS min_slot_free
      FROM omni.stock_slots s GROUP BY 1, 2
), active AS (
    SELECT sku, location, sum(qty) AS qty FROM omni.reservations WHERE status = 'active' GROUP BY 1, 2
), checks AS (
    SELECT 'no negative stock' AS name,
           NOT EXISTS (SELECT 1 FROM levels WHERE min_slot_on_hand < 0 OR min_slot_free < 0) AS ok
    UNION ALL
    SELECT 'active reservations never exceed on hand',
           NOT EXISTS (SELECT 1 FROM levels l LEFT JOIN active a USING (sku, location)
                        WHERE coalesce(a.qty, 0) > l.on_hand)
    UNION ALL
    SELECT 'reserved + sold <= received (ledger = balances, check_stock empty)',
           NOT EXISTS (SELECT 1 FROM omni.check_stock())
    UNION ALL
    SELECT 'every committed reservation has exactly one sale in the ledger',
           (SELECT count(*) FROM omni.reservations WHERE status = 'committed')
         = (SELECT count(*) FROM omni.stock_movements WHERE reference LIKE 'reservation %')
    UNION ALL
    SELECT 'every OM001 of reserve/sell happened while availability was really short',
           NOT EXISTS (SELECT 1 FROM torture_log WHERE outcome = 'OM001' AND op IN ('reserve', 'sell')
                        AND (available IS NULL OR available >= requested))
    UNION ALL
    -- "On hand H, reserved R, change D" / "counted C": refused only if it would go below R
    SELECT 'every refused adjust/count would really have gone below what was reserved',
           NOT EXISTS (SELECT 1 FROM torture_log,
                              regexp_match(detail, 'On hand (\d+), reserved (\d+), (change|counted) (-?\d+)') m
                        WHERE outcome = 'OM001' AND op IN ('adjust', 'count')
                          AND (m IS NULL OR CASE WHEN m[3] = 'change' THEN m[1]::int + m[4]::int
                                                 ELSE m[4]::int END >= m[2]::int))
    UNION ALL
    -- single-operation transactions take locks in one global order
    SELECT 'no deadlock and no unexpected outcome',
           NOT EXISTS (SELECT 1 FROM torture_log WHERE outcome NOT IN ('ok', 'OM001', 'OM002'))
    UNION ALL
    SELECT 'flash sale: exactly 3,000 reservations succeeded',
           (SELECT count(*) FROM flash_log WHERE ok) = 3000
    UNION ALL
    SELECT 'flash sale: availability ends at exactly 0',
           omni.available('FLASH', 'tw1') = 0
)
SELECT CASE WHEN ok THEN 'ok' ELSE 'FAILED' END AS result, name FROM checks;

-- Invariants after a crash and recovery (scripts/crash.sh): one row per
-- check, "ok|name" or "FAILED|name".
WITH checks AS (
    SELECT 'stock ledger = balances, slot counters = active reservations' AS name,
           NOT EXISTS (SELECT 1 FROM omni.check_stock()) AS ok
    UNION ALL
    SELECT 'no negative stock, nothing reserved beyond on hand',
           NOT EXISTS (SELECT 1 FROM omni.stock_slots WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand)
    UNION ALL
    SELECT 'one ledger sale per committed reservation',
           (SELECT count(*) FROM omni.reservations WHERE status = 'committed')
         = (SELECT count(*) FROM omni.stock_movements
             WHERE reference LIKE 'reservation %'
                OR reference IN (SELECT coalesce(ref, '') FROM omni.reservations WHERE status = 'committed'))
    UNION ALL
    SELECT 'picked-up orders hold no active reservation',
           NOT EXISTS (SELECT 1 FROM omni.orders o
                         JOIN omni.order_allocations a ON a.order_id = o.order_id
                         JOIN omni.reservations r ON r.reservation_id = a.reservation_id
                        WHERE o.status IN ('picked_up', 'cancelled') AND r.status = 'active')
    UNION ALL
    -- (ids come from a sequence: a crash may skip some, as it may skip
    -- sequence values anywhere; what matters is that no change goes
    -- unannounced, checked by the last event of each thing below)
    SELECT 'the last order event of every order shows its status',
           NOT EXISTS (
               SELECT 1 FROM omni.orders o
                LEFT JOIN LATERAL (SELECT e.payload FROM omni.events e
                                    WHERE e.channel = 'omni_order' AND (e.payload->>'order_id')::bigint = o.order_id
                                    ORDER BY e.event_id DESC LIMIT 1) e ON true
                WHERE e.payload IS NULL OR e.payload->>'status' <> o.status)
    UNION ALL
    SELECT 'the last stock event of every SKU and location shows its stock as it is',
           NOT EXISTS (
               SELECT 1 FROM omni.stock_levels l
                LEFT JOIN LATERAL (SELECT e.payload FROM omni.events e
                                    WHERE e.channel = 'omni_stock' AND e.payload->>'sku' = l.sku
                                      AND e.payload->>'location' = l.location
                                    ORDER BY e.event_id DESC LIMIT 1) e ON true
                WHERE e.payload IS NULL OR (e.payload->>'on_hand')::int <> l.on_hand
                   OR (e.payload->>'reserved')::int <> l.reserved)
)
SELECT CASE WHEN ok THEN 'ok' ELSE 'FAILED' END || '|' || name FROM checks;

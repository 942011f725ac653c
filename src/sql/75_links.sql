-- Links between parts that were built side by side: identity's merges move
-- the rows of orders, returns, interactions and loyalty; orders emit
-- omni_order events.  Kept in one place so that each part stays readable
-- on its own.

-- Merges move these rows with the customer (omni.move_customer_rows).
SELECT omni.register_customer_reference('omni.orders', 'customer_id');
SELECT omni.register_customer_reference('omni.returns', 'customer_id');
SELECT omni.register_customer_reference('omni.interactions', 'customer_id');

-- The loyalty balance cannot move by a plain UPDATE (one account per
-- customer, and the ledger must keep each customer's history): it follows
-- an audited merge through the ledger instead.
CREATE FUNCTION omni.loyalty_follows_merge() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.other_customer_id IS NOT NULL
       AND EXISTS (SELECT 1 FROM omni.customers c
                    WHERE c.customer_id = NEW.other_customer_id AND c.status = 'merged'
                      AND c.merged_into = NEW.customer_id) THEN
        PERFORM omni.move_loyalty(NEW.other_customer_id, NEW.customer_id);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION omni.loyalty_follows_merge() IS
    'Trigger: when a merge is audited, the absorbed customer''s loyalty points move to the survivor';
CREATE TRIGGER identity_audit_moves_loyalty
    AFTER INSERT ON omni.identity_audit
    FOR EACH ROW WHEN (NEW.action IN ('merge', 'resolve'))
    EXECUTE FUNCTION omni.loyalty_follows_merge();

-- Every new order and every status change notifies omni_order.
CREATE TRIGGER orders_events
    AFTER INSERT OR UPDATE OF status ON omni.orders
    FOR EACH ROW EXECUTE FUNCTION omni.order_event();

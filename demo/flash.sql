-- The flash sale's set-up (demo/flash.sh): a limited shirt, 300 units in
-- the Cajamar distribution centre, split into slots so that concurrent
-- buyers do not queue on one row; buyers are real customers of the demo.
\set ON_ERROR_STOP 1
\if :{?units}
\else
\set units 300
\endif
SELECT omni.add_product('FLASH-CAMISA-2026', 'Camisa Seleção 2026 edição limitada', 'vestuário', '{"size": "M"}') \gset
SELECT omni.set_price('FLASH-CAMISA-2026', 199.90) \gset
SELECT omni.receive('FLASH-CAMISA-2026', 'dc-cajamar', :units, 'flash sale') \gset
SELECT omni.set_stock_slots('FLASH-CAMISA-2026', 'dc-cajamar', 8) \gset
CREATE TABLE demo.flash_buyers AS
SELECT row_number() OVER (ORDER BY customer_id)::int AS i, customer_id
  FROM omni.customers WHERE status = 'active';
ALTER TABLE demo.flash_buyers ADD PRIMARY KEY (i);
CREATE TABLE demo.flash_log (customer_id bigint, order_id bigint, outcome text);
-- one attempt: an app order shipped to São Paulo; sold out is an answer, not a failure
CREATE FUNCTION demo.flash_buy(i int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    c bigint := (SELECT b.customer_id FROM demo.flash_buyers b
                  WHERE b.i = 1 + (flash_buy.i - 1) % (SELECT count(*) FROM demo.flash_buyers));
    o bigint;
BEGIN
    o := omni.place_order(c, 'app', '[{"sku": "FLASH-CAMISA-2026", "qty": 1}]', 'ship', -23.55, -46.63);
    INSERT INTO demo.flash_log VALUES (c, o, 'bought');
    RETURN 'bought';
EXCEPTION WHEN SQLSTATE 'OM005' OR SQLSTATE 'OM001' THEN
    INSERT INTO demo.flash_log VALUES (c, NULL, 'sold out');
    RETURN 'sold out';
END $$;

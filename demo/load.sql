-- A small demo retailer: a Brazilian sports chain with stores in real
-- cities, a distribution centre, a few products and prices per channel.
-- Only the public API is used, as an application would.
-- `make demo` generates a much bigger retailer (demo/generate.sql, doc/demo.md);
-- this small one is the fixture of test/dump (pg_dump and restore).

SELECT omni.add_location('dc-cajamar', 'CD Cajamar', 'warehouse', -23.3560, -46.8769,
                         city => 'Cajamar', region => 'SP', country => 'BR');
SELECT omni.add_location('dc-recife', 'CD Recife', 'warehouse', -8.0476, -34.8770,
                         city => 'Recife', region => 'PE', country => 'BR');
SELECT omni.add_location('store-sp-paulista', 'Loja Paulista', 'store', -23.5614, -46.6559,
                         can_curbside => true, city => 'São Paulo', region => 'SP', country => 'BR');
SELECT omni.add_location('store-rj-copacabana', 'Loja Copacabana', 'store', -22.9711, -43.1822,
                         city => 'Rio de Janeiro', region => 'RJ', country => 'BR');
SELECT omni.add_location('store-bh-savassi', 'Loja Savassi', 'store', -19.9386, -43.9336,
                         can_curbside => true, city => 'Belo Horizonte', region => 'MG', country => 'BR');
SELECT omni.add_location('store-poa-moinhos', 'Loja Moinhos', 'store', -30.0277, -51.2007,
                         city => 'Porto Alegre', region => 'RS', country => 'BR');
SELECT omni.add_location('locker-sp-pinheiros', 'Armário Pinheiros', 'locker', -23.5670, -46.6930,
                         city => 'São Paulo', region => 'SP', country => 'BR');

SELECT omni.add_product(sku, name, category, attrs::jsonb)
  FROM (VALUES
    ('TENIS-RUN-42', 'Tênis de corrida Vento', 'calçados', '{"size": 42, "color": "azul"}'),
    ('TENIS-RUN-40', 'Tênis de corrida Vento', 'calçados', '{"size": 40, "color": "azul"}'),
    ('CAMISA-SEL-M', 'Camisa Seleção', 'vestuário', '{"size": "M"}'),
    ('BOLA-FUT-5', 'Bola de futebol', 'esportes', '{}'),
    ('GARRAFA-1L', 'Garrafa térmica 1 L', 'acessórios', '{"volume_ml": 1000}')
  ) v(sku, name, category, attrs);

-- base prices for every channel, an app-only promotion, and next week's price
SELECT omni.set_price(sku, price, NULL, '2026-01-01')
  FROM (VALUES ('TENIS-RUN-42', 399.90), ('TENIS-RUN-40', 399.90), ('CAMISA-SEL-M', 249.90),
               ('BOLA-FUT-5', 129.90), ('GARRAFA-1L', 89.90)) v(sku, price);
SELECT omni.set_price('TENIS-RUN-42', 359.90, 'app', '2026-01-01');
SELECT omni.set_price('CAMISA-SEL-M', 199.90, NULL, now() + interval '7 days');

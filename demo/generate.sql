-- The demo retailer: "Esporte Total", a Brazilian sports and lifestyle chain
-- with stores in real cities, two distribution centres, a catalogue with
-- prices per channel, stock everywhere, customers whose records are spread
-- messily over every channel, a year of interactions, and orders.
--
-- Deterministic: every choice is a hash of fixed inputs (demo.h), so two runs
-- make the same retailer.  Every write goes through the public omni.* API,
-- as the channels' applications would; the schema "demo" only holds the
-- generator's inputs (cities, names) and its ground truth (which channel
-- record belongs to which real person), used to score identity resolution.
--
-- Sizes are psql variables (defaults: the full demo):
--   psql -v stores=30 -v skus=2000 -v customers=20000 -f demo/generate.sql
-- stores (max 34), skus, customers; orders and interactions follow from them.

\set ON_ERROR_STOP 1
\if :{?stores}
\else
\set stores 34
\endif
\if :{?skus}
\else
\set skus 2000
\endif
\if :{?customers}
\else
\set customers 20000
\endif
\pset footer off
\timing off

SET omni.default_country = 'BR';
SET client_min_messages = warning;

DROP SCHEMA IF EXISTS demo CASCADE;
CREATE SCHEMA demo;

-- A uniform number in [0, 1) from any text: the generator's only source of
-- "randomness".
CREATE FUNCTION demo.h(VARIADIC parts text[]) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ('x' || substr(md5(array_to_string(parts, '|')), 1, 8))::bit(32)::bigint / 4294967296.0
$$;
-- An integer in [lo, hi].
CREATE FUNCTION demo.hi(lo int, hi int, VARIADIC parts text[]) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lo + floor(demo.h(VARIADIC parts) * (hi - lo + 1))::int
$$;
-- One element of an array.
CREATE FUNCTION demo.pick(a text[], VARIADIC parts text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT a[1 + floor(demo.h(VARIADIC parts) * cardinality(a))::int]
$$;
-- Without accents, as a POS keyboard or a social handle writes names.
CREATE FUNCTION demo.plain(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT translate(t, 'áàâãäéèêëíìîïóòôõöúùûüçÁÀÂÃÉÊÍÓÔÕÚÇ', 'aaaaaeeeeiiiiooooouuuucAAAAEEIOOOUC')
$$;
-- A typo: two neighbouring letters swapped.
CREATE FUNCTION demo.typo(t text, VARIADIC parts text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN length(t) < 4 THEN t
                ELSE overlay(t PLACING substr(t, p + 1, 1) || substr(t, p, 1) FROM p FOR 2) END
      FROM (SELECT demo.hi(2, greatest(length(t) - 2, 2), VARIADIC parts) AS p) x
$$;

-- ------------------------------------------------------------ locations
-- Real cities, real coordinates (neighbourhood of each store), area codes
-- (DDD) and postcode (CEP) prefixes.  Stores are listed so that the first
-- N of them cover the country (a small demo still spans several cities).
CREATE TABLE demo.stores (
    n int PRIMARY KEY, code text, name text, city text, uf text, lat float8, lon float8,
    ddd text, cep text, curbside boolean, ships boolean, weight int);
INSERT INTO demo.stores VALUES
 ( 1, 'store-sp-paulista',      'Loja Paulista',           'São Paulo',      'SP', -23.5614, -46.6559, '11', '013', true,  true,  10),
 ( 2, 'store-rj-copacabana',    'Loja Copacabana',         'Rio de Janeiro', 'RJ', -22.9711, -43.1822, '21', '220', true,  true,   8),
 ( 3, 'store-bh-savassi',       'Loja Savassi',            'Belo Horizonte', 'MG', -19.9386, -43.9336, '31', '301', true,  false,  5),
 ( 4, 'store-sp-pinheiros',     'Loja Pinheiros',          'São Paulo',      'SP', -23.5670, -46.6930, '11', '054', true,  false,  8),
 ( 5, 'store-poa-moinhos',      'Loja Moinhos de Vento',   'Porto Alegre',   'RS', -30.0277, -51.2007, '51', '905', false, false,  4),
 ( 6, 'store-rec-boaviagem',    'Loja Boa Viagem',         'Recife',         'PE',  -8.1190, -34.9030, '81', '510', true,  false,  4),
 ( 7, 'store-bsb-asa-sul',      'Loja Asa Sul',            'Brasília',       'DF', -15.8160, -47.9010, '61', '702', true,  false,  4),
 ( 8, 'store-ssa-barra',        'Loja Barra',              'Salvador',       'BA', -13.0090, -38.5320, '71', '401', false, false,  4),
 ( 9, 'store-for-aldeota',      'Loja Aldeota',            'Fortaleza',      'CE',  -3.7350, -38.4960, '85', '601', false, false,  4),
 (10, 'store-cwb-batel',        'Loja Batel',              'Curitiba',       'PR', -25.4430, -49.2890, '41', '804', true,  false,  4),
 (11, 'store-mao-adrianopolis', 'Loja Adrianópolis',       'Manaus',         'AM',  -3.1020, -60.0100, '92', '690', false, false,  3),
 (12, 'store-bel-nazare',       'Loja Nazaré',             'Belém',          'PA',  -1.4520, -48.4800, '91', '660', false, false,  3),
 (13, 'store-gyn-setor-bueno',  'Loja Setor Bueno',        'Goiânia',        'GO', -16.7050, -49.2650, '62', '742', false, false,  3),
 (14, 'store-cps-cambui',       'Loja Cambuí',             'Campinas',       'SP', -22.8940, -47.0530, '19', '130', true,  false,  3),
 (15, 'store-sp-moema',         'Loja Moema',              'São Paulo',      'SP', -23.6010, -46.6650, '11', '040', true,  false,  7),
 (16, 'store-rj-barra',         'Loja Barra da Tijuca',    'Rio de Janeiro', 'RJ', -23.0000, -43.3650, '21', '226', true,  false,  6),
 (17, 'store-sp-tatuape',       'Loja Tatuapé',            'São Paulo',      'SP', -23.5400, -46.5760, '11', '033', false, false,  6),
 (18, 'store-bh-pampulha',      'Loja Pampulha',           'Belo Horizonte', 'MG', -19.8580, -43.9700, '31', '313', false, false,  3),
 (19, 'store-rj-tijuca',        'Loja Tijuca',             'Rio de Janeiro', 'RJ', -22.9250, -43.2330, '21', '205', false, false,  5),
 (20, 'store-sp-santana',       'Loja Santana',            'São Paulo',      'SP', -23.5020, -46.6250, '11', '020', false, false,  5),
 (21, 'store-sp-morumbi',       'Loja Morumbi',            'São Paulo',      'SP', -23.6230, -46.6990, '11', '056', true,  false,  5),
 (22, 'store-poa-centro',       'Loja Centro Histórico',   'Porto Alegre',   'RS', -30.0300, -51.2300, '51', '900', false, false,  3),
 (23, 'store-rec-recife-antigo','Loja Recife Antigo',      'Recife',         'PE',  -8.0630, -34.8710, '81', '500', false, false,  2),
 (24, 'store-bsb-asa-norte',    'Loja Asa Norte',          'Brasília',       'DF', -15.7630, -47.8830, '61', '707', false, false,  3),
 (25, 'store-ssa-pituba',       'Loja Pituba',             'Salvador',       'BA', -12.9990, -38.4580, '71', '418', true,  false,  3),
 (26, 'store-for-meireles',     'Loja Meireles',           'Fortaleza',      'CE',  -3.7250, -38.5050, '85', '601', false, false,  3),
 (27, 'store-cwb-centro',       'Loja Rua XV',             'Curitiba',       'PR', -25.4300, -49.2710, '41', '800', false, false,  3),
 (28, 'store-nit-icarai',       'Loja Icaraí',             'Niterói',        'RJ', -22.9060, -43.1110, '21', '242', false, false,  2),
 (29, 'store-stos-gonzaga',     'Loja Gonzaga',            'Santos',         'SP', -23.9670, -46.3330, '13', '110', false, false,  2),
 (30, 'store-fln-centro',       'Loja Centro',             'Florianópolis',  'SC', -27.5960, -48.5490, '48', '880', true,  false,  3),
 (31, 'store-vix-praia-canto',  'Loja Praia do Canto',     'Vitória',        'ES', -20.2970, -40.2930, '27', '290', false, false,  2),
 (32, 'store-nat-ponta-negra',  'Loja Ponta Negra',        'Natal',          'RN',  -5.8780, -35.1760, '84', '590', false, false,  2),
 (33, 'store-slz-renascenca',   'Loja Renascença',         'São Luís',       'MA',  -2.4990, -44.2850, '98', '650', false, false,  2),
 (34, 'store-cgr-centro',       'Loja Afonso Pena',        'Campo Grande',   'MS', -20.4630, -54.6160, '67', '790', false, false,  2);
DELETE FROM demo.stores WHERE n > :stores;

SELECT count(*) AS warehouses FROM (
  SELECT omni.add_location('dc-cajamar', 'CD Cajamar', 'warehouse', -23.3560, -46.8769,
                           priority => 0, city => 'Cajamar', region => 'SP', country => 'BR')
  UNION ALL
  SELECT omni.add_location('dc-recife', 'CD Jaboatão (Recife)', 'warehouse', -8.1590, -34.9850,
                           priority => 0, city => 'Jaboatão dos Guararapes', region => 'PE', country => 'BR')) x;
SELECT count(*) AS stores FROM (
  SELECT omni.add_location(code, name, 'store', lat, lon, can_ship => ships, can_curbside => curbside,
                           city => city, region => uf, country => 'BR')
    FROM demo.stores ORDER BY n) x;
SELECT omni.add_location('locker-sp-paulista-metro', 'Armário Metrô Consolação', 'locker', -23.5576, -46.6606,
                         city => 'São Paulo', region => 'SP', country => 'BR') AS locker;

-- ------------------------------------------------------------ catalogue
CREATE TABLE demo.categories (cat text PRIMARY KEY, prefix text, items text[], lo numeric, hi numeric, sizes text[]);
INSERT INTO demo.categories VALUES
 ('calçados',    'CAL', '{"Tênis de corrida","Tênis casual","Chuteira society","Chuteira de campo","Sandália","Tênis de caminhada","Bota de trilha"}', 149, 899, '{37,38,39,40,41,42,43,44}'),
 ('vestuário',   'VES', '{"Camiseta dry","Camisa de time","Bermuda","Legging","Jaqueta corta-vento","Moletom","Top esportivo","Regata"}', 49, 399, '{PP,P,M,G,GG}'),
 ('futebol',     'FUT', '{"Bola de futebol","Caneleira","Luva de goleiro","Meião","Rede de gol","Colete de treino"}', 29, 349, '{}'),
 ('corrida',     'COR', '{"Relógio GPS","Cinto de hidratação","Viseira","Meia de compressão","Braçadeira para celular"}', 39, 1999, '{}'),
 ('ciclismo',    'CIC', '{"Capacete","Luva de ciclismo","Bermuda com forro","Farol LED","Garrafa de ciclismo","Bomba de ar"}', 29, 699, '{}'),
 ('fitness',     'FIT', '{"Halter","Tapete de yoga","Elástico de resistência","Corda de pular","Kettlebell","Rolo de liberação"}', 29, 499, '{}'),
 ('natação',     'NAT', '{"Óculos de natação","Touca","Sunga","Maiô","Prancha de natação","Nadadeira"}', 29, 299, '{}'),
 ('acessórios',  'ACE', '{"Mochila","Garrafa térmica","Boné","Bolsa de academia","Toalha de microfibra","Pochete"}', 39, 349, '{}');
CREATE TABLE demo.products AS
SELECT n, c.cat, c.prefix || '-' || lpad(n::text, 5, '0') AS sku,
       demo.pick(c.items, 'item', n::text) || ' ' ||
       demo.pick('{Vento,Raio,Onda,Trilha,Pampa,Cerrado,Maré,Serra,Garoa,Sertão}', 'brand', n::text) AS name,
       round((c.lo + (c.hi - c.lo) * demo.h('price', n::text) ^ 2)::numeric, 0) - 0.10 AS price,
       jsonb_strip_nulls(jsonb_build_object(
           'brand', demo.pick('{Vento,Raio,Onda,Trilha,Pampa,Cerrado,Maré,Serra,Garoa,Sertão}', 'brand', n::text),
           'color', demo.pick('{preto,branco,azul,verde,vermelho,amarelo,cinza,rosa}', 'color', n::text),
           'size', CASE WHEN cardinality(c.sizes) > 0 THEN demo.pick(c.sizes, 'size', n::text) END)) AS attrs
  FROM generate_series(1, :skus) n
  JOIN LATERAL (SELECT * FROM demo.categories ORDER BY demo.h('cat', n::text, cat) LIMIT 1) c ON true;
CREATE INDEX ON demo.products (cat, n);
SELECT count(*) AS products FROM (SELECT omni.add_product(sku, name, cat, attrs) FROM demo.products ORDER BY n) x;

-- Prices: a base for every channel since a year ago, a cut in April for a
-- quarter of the range, app-only promotions, marketplace mark-ups.
SELECT count(*) AS base_prices FROM (
  SELECT omni.set_price(sku, price, NULL, date_trunc('day', now()) - interval '365 days')
    FROM demo.products ORDER BY n) x;
SELECT count(*) AS price_changes FROM (
  SELECT omni.set_price(sku, round(price * 0.9, 1) - 0.00, NULL, date_trunc('day', now()) - interval '200 days')
    FROM demo.products WHERE demo.h('cut', sku) < 0.25 ORDER BY n) x;
SELECT count(*) AS app_overrides FROM (
  SELECT omni.set_price(sku, round(price * 0.92, 1) - 0.10, 'app', date_trunc('day', now()) - interval '60 days')
    FROM demo.products WHERE demo.h('app', sku) < 0.15 ORDER BY n) x;
SELECT count(*) AS marketplace_overrides FROM (
  SELECT omni.set_price(sku, round(price * 1.08, 1) - 0.10, 'marketplace', date_trunc('day', now()) - interval '90 days')
    FROM demo.products WHERE demo.h('mkt', sku) < 0.10 ORDER BY n) x;

-- ------------------------------------------------------------ people
-- The real people behind the records (ground truth, never shown to omni).
CREATE TABLE demo.load_log (phase text, rows bigint, at timestamptz DEFAULT clock_timestamp());
CREATE FUNCTION demo.mark(phase text, rows bigint DEFAULT NULL) RETURNS void
LANGUAGE sql AS $$ INSERT INTO demo.load_log (phase, rows) VALUES ($1, $2) $$;

CREATE TABLE demo.persons AS
WITH f AS (SELECT '{Maria,Ana,Francisca,Antônia,Adriana,Juliana,Márcia,Fernanda,Patrícia,Aline,Luíza,Beatriz,Camila,Letícia,Gabriela,Larissa,Bruna,Amanda,Vitória,Lúcia,Helena,Sônia,Cláudia,Renata,Tatiana,Débora,Yasmin,Giovana,Rafaela,Mônica,José,João,Antônio,Francisco,Carlos,Paulo,Pedro,Lucas,Luiz,Marcos,Luís,Gabriel,Rafael,Daniel,Marcelo,Bruno,Eduardo,Felipe,Raimundo,Rodrigo,Thiago,Matheus,Gustavo,André,Fábio,Vinícius,Sérgio,Caio,Otávio,Heitor}'::text[] AS a),
     l AS (SELECT '{Silva,Santos,Oliveira,Souza,Rodrigues,Ferreira,Alves,Pereira,Lima,Gomes,Costa,Ribeiro,Martins,Carvalho,Almeida,Lopes,Soares,Fernandes,Vieira,Barbosa,Rocha,Dias,Nascimento,Andrade,Moreira,Nunes,Marques,Machado,Mendes,Freitas,Cardoso,Ramos,Gonçalves,Santana,Teixeira,Araújo,Siqueira,Azevedo,Cavalcanti,Monteiro,Correia,Moura,Pinto,Campos,Brandão,Sampaio,Figueiredo,Queiroz,Bezerra,Farias}'::text[] AS a),
     -- each store's share of the customers: cumulative weights
     s AS (SELECT x.*, sum(weight) OVER (ORDER BY n) - weight AS lo, sum(weight) OVER (ORDER BY n) AS hi,
                  sum(weight) OVER () AS tw
             FROM demo.stores x)
SELECT p, first, last, st.n AS store_n, st.code AS home_store, st.city, st.uf, st.ddd,
       st.cep || lpad(demo.hi(0, 99, 'cep', p::text)::text, 2, '0') || '-' || lpad(demo.hi(0, 999, 'cep2', p::text)::text, 3, '0') AS postcode,
       '9' || lpad(demo.hi(0, 99999999, 'tel', p::text)::text, 8, '0') AS phone9,
       lower(demo.plain(first)) || demo.pick('{.,"",_}', 'sep', p::text)
         || lower(demo.plain(split_part(last, ' ', 1)))
         || p::text   -- e-mail addresses are unique to a person (the generator's names are not)
         || '@' || demo.pick('{gmail.com,gmail.com,gmail.com,hotmail.com,outlook.com,yahoo.com.br,uol.com.br,bol.com.br}', 'dom', p::text) AS email,
       (date '1960-01-01' + demo.hi(0, 15000, 'birth', p::text))::text AS birth_date,
       demo.pick(ARRAY(SELECT cat FROM demo.categories ORDER BY cat), 'fav', p::text) AS fav_cat,
       st.lat + (demo.h('lat', p::text) - 0.5) * 0.12 AS lat,
       st.lon + (demo.h('lon', p::text) - 0.5) * 0.12 AS lon,
       demo.pick('{"Rua das Flores","Avenida Brasil","Rua São João","Rua Sete de Setembro","Avenida Getúlio Vargas","Rua XV de Novembro","Rua da Paz","Avenida Independência","Rua Tiradentes","Rua Dom Pedro II"}', 'street', p::text)
         || ', ' || demo.hi(1, 2500, 'no', p::text) AS address
  FROM (SELECT p, demo.pick(f.a, 'first', p::text) AS first,
               demo.pick(l.a, 'last', p::text)
                 || CASE WHEN demo.h('last2', p::text) < 0.45 THEN ' ' || demo.pick(l.a, 'last2b', p::text) ELSE '' END AS last,
               demo.h('home', p::text) AS home
          FROM generate_series(1, :customers) p, f, l
        OFFSET 0) nm
  JOIN s st ON nm.home * st.tw >= st.lo AND nm.home * st.tw < st.hi;
ALTER TABLE demo.persons ADD PRIMARY KEY (p);
-- Person 0 is the heroine of the journey (demo/journey.sql): Luíza Conceição,
-- who lives near Avenida Paulista, has the app and a loyalty card.  Nobody
-- else is called Conceição here, so her story never meets a namesake.
INSERT INTO demo.persons
SELECT 0, 'Luíza', 'Conceição', n, code, city, uf, ddd, '01310-100', '987654321', 'luiza.conceicao@gmail.com',
       '1991-04-17', 'corrida', -23.5630, -46.6540, 'Alameda Santos, 1200'
  FROM demo.stores WHERE code = 'store-sp-paulista';

-- Their records in each channel, as messy as channels make them.
CREATE TABLE demo.records (p int, channel text, source_key text, attrs jsonb, customer_id bigint,
                           PRIMARY KEY (channel, source_key));
-- phone formats people and systems type
CREATE FUNCTION demo.phone_as(ddd text, phone9 text, style int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE style
        WHEN 0 THEN '+55 ' || ddd || ' ' || substr(phone9, 1, 5) || '-' || substr(phone9, 6)
        WHEN 1 THEN '(' || ddd || ') ' || substr(phone9, 1, 5) || '-' || substr(phone9, 6)
        WHEN 2 THEN ddd || phone9
        WHEN 3 THEN '0' || ddd || ' ' || substr(phone9, 1, 5) || ' ' || substr(phone9, 6)
        WHEN 4 THEN '+55' || ddd || phone9
        ELSE '+55 (' || ddd || ') ' || substr(phone9, 1, 5) || '-' || substr(phone9, 6) END
$$;
-- gmail ignores dots and +tags: people use that
CREATE FUNCTION demo.email_variant(email text, v float8) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN split_part(email, '@', 2) = 'gmail.com' AND v < 0.4
                THEN replace(split_part(email, '@', 1), '.', '') || '+loja@gmail.com'
                WHEN v < 0.7 THEN initcap(split_part(email, '@', 1)) || '@' || upper(split_part(email, '@', 2))
                ELSE email END
$$;

INSERT INTO demo.records (p, channel, source_key, attrs) VALUES
 (0, 'app', 'app-luiza', '{"email": "luiza.conceicao@gmail.com", "phone": "+55 11 98765-4321",
                          "first_name": "Luíza", "last_name": "Conceição", "city": "São Paulo", "birth_date": "1991-04-17"}'),
 (0, 'pos', 'card-00000001', '{"phone": "(11) 98765-4321", "first_name": "LUIZA", "last_name": "CONCEICAO",
                               "city": "SAO PAULO"}');
INSERT INTO demo.records (p, channel, source_key, attrs)
SELECT p, 'app', 'app-' || to_hex(p * 7919 + 100000),
       jsonb_strip_nulls(jsonb_build_object(
           'email', email, 'phone', demo.phone_as(ddd, phone9, 0), 'first_name', first, 'last_name', last,
           'city', city, 'birth_date', CASE WHEN demo.h('app-bd', p::text) < 0.6 THEN birth_date END))
  FROM demo.persons WHERE p > 0 AND demo.h('ch-app', p::text) < 0.42;
INSERT INTO demo.records (p, channel, source_key, attrs)
SELECT p, 'web', 'web-' || lpad((p * 31 + 500000)::text, 8, '0'),
       jsonb_strip_nulls(jsonb_build_object(
           'email', demo.email_variant(email, demo.h('web-em', p::text)),
           'phone', CASE WHEN demo.h('web-ph', p::text) < 0.4 THEN demo.phone_as(ddd, phone9, 1) END,
           'first_name', first, 'last_name', last, 'postcode', postcode, 'address', address, 'city', city))
  FROM demo.persons WHERE p > 0 AND demo.h('ch-web', p::text) < 0.22;
INSERT INTO demo.records (p, channel, source_key, attrs)
SELECT p, 'pos', 'card-' || lpad((p * 13 + 1000000)::text, 8, '0'),
       jsonb_strip_nulls(jsonb_build_object(
           'phone', CASE WHEN demo.h('pos-oldph', p::text) < 0.03
                         THEN demo.phone_as(ddd, '9' || lpad(demo.hi(0, 99999999, 'old', p::text)::text, 8, '0'), 1)
                         ELSE demo.phone_as(ddd, phone9, demo.hi(1, 4, 'pos-fmt', p::text)) END,
           'first_name', upper(demo.plain(first)),
           'last_name', upper(CASE WHEN demo.h('pos-typo', p::text) < 0.15 THEN demo.typo(demo.plain(last), 'pt', p::text)
                                   ELSE demo.plain(last) END),
           'email', CASE WHEN demo.h('pos-em', p::text) < 0.2 THEN email END,
           'city', upper(demo.plain(city))))
  FROM demo.persons p0
 WHERE p > 0 AND demo.h('ch-pos', p::text) < 0.3
    OR p > 0 AND NOT (demo.h('ch-app', p::text) < 0.42 OR demo.h('ch-web', p::text) < 0.22 OR demo.h('ch-social', p::text) < 0.15
            OR demo.h('ch-support', p::text) < 0.04 OR demo.h('ch-mkt', p::text) < 0.05);
INSERT INTO demo.records (p, channel, source_key, attrs)
SELECT p, 'social', '@' || lower(demo.plain(first)) || lower(replace(demo.plain(split_part(last, ' ', 1)), ' ', '')) || p,
       jsonb_strip_nulls(jsonb_build_object(
           'first_name', CASE WHEN demo.h('so-fn', p::text) < 0.5 THEN demo.plain(first) ELSE first END,
           'last_name', CASE WHEN demo.h('so-typo', p::text) < 0.2 THEN demo.typo(last, 'st', p::text) ELSE last END,
           'email', CASE WHEN demo.h('so-em', p::text) < 0.4 THEN demo.email_variant(email, demo.h('so-emv', p::text)) END,
           'city', demo.plain(city)))
  FROM demo.persons WHERE p > 0 AND demo.h('ch-social', p::text) < 0.15;
INSERT INTO demo.records (p, channel, source_key, attrs)
SELECT p, 'support', 'ticket-' || (p * 17 + 70000),
       jsonb_strip_nulls(jsonb_build_object(
           'phone', demo.phone_as(ddd, phone9, 5), 'first_name', first, 'last_name', split_part(last, ' ', 1),
           'email', CASE WHEN demo.h('su-em', p::text) < 0.5 THEN email END))
  FROM demo.persons WHERE p > 0 AND demo.h('ch-support', p::text) < 0.04;
INSERT INTO demo.records (p, channel, source_key, attrs)
SELECT p, 'marketplace', 'mkt-' || md5('mkt' || p)::uuid,
       jsonb_strip_nulls(jsonb_build_object(
           'email', email, 'first_name', first, 'last_name', last, 'postcode', postcode,
           'address', address, 'city', city))
  FROM demo.persons WHERE p > 0 AND demo.h('ch-mkt', p::text) < 0.05;

-- ------------------------------------------------------------ a year of interactions
-- Views, wishlists, carts and support contacts over the last 365 days, in
-- the channels each person uses, mostly in their favourite category, each
-- attributed to the customer that channel's record is linked to.
CREATE TABLE demo.cat_skus AS
SELECT cat, row_number() OVER (PARTITION BY cat ORDER BY n)::int AS i, sku,
       count(*) OVER (PARTITION BY cat)::int AS n_cat
  FROM demo.products;
CREATE INDEX ON demo.cat_skus (cat, i);
-- a SKU for person p's k-th choice: favourite category 70% of the time
CREATE FUNCTION demo.sku_for(p int, fav text, k text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_cat text := fav;
    v_n int;
    v_sku text;
BEGIN
    IF demo.h('favp', p::text, k) >= 0.7 THEN
        v_cat := (SELECT c.cat FROM demo.categories c ORDER BY demo.h('oc', p::text, k, c.cat) LIMIT 1);
    END IF;
    SELECT c.n_cat INTO v_n FROM demo.cat_skus c WHERE c.cat = v_cat AND c.i = 1;
    -- popular items first: a skewed choice within the category
    SELECT c.sku INTO v_sku FROM demo.cat_skus c
     WHERE c.cat = v_cat AND c.i = 1 + floor(demo.h('sku', p::text, k) ^ 1.5 * v_n)::int;
    RETURN v_sku;
END $$;
ANALYZE demo.cat_skus;
CREATE TABLE demo.interactions AS
SELECT r.p, r.channel, r.source_key, k,
       CASE WHEN r.channel = 'support' THEN 'support'
            ELSE (ARRAY['view','view','view','view','view','view','wishlist','cart','cart','view'])[1 + floor(demo.h('ev', r.p::text, k::text) * 10)::int] END AS event,
       demo.sku_for(r.p, pe.fav_cat, 'i' || k) AS sku,
       date_trunc('second', now() - interval '365 days' * demo.h('at', r.p::text, k::text)) AS at
  FROM demo.records r
  JOIN demo.persons pe USING (p)
  CROSS JOIN LATERAL generate_series(1, demo.hi(0, CASE r.channel WHEN 'app' THEN 5 WHEN 'web' THEN 4 WHEN 'social' THEN 4
                                                                  WHEN 'support' THEN 1 ELSE 0 END, 'nint', r.channel, r.p::text)) k;
-- ------------------------------------------------------------ orders
CREATE FUNCTION demo.try_order(c bigint, ch text, lines jsonb, mode text, lat float8, lon float8, store text)
RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    RETURN omni.place_order(c, ch, lines, mode, lat, lon, store);
EXCEPTION WHEN SQLSTATE 'OM005' OR SQLSTATE 'OM001' THEN
    RETURN NULL;    -- nothing can fulfil it any more: the shopper gives up
END $$;
CREATE TABLE demo.orders AS
SELECT r.p, r.channel, r.source_key, k,
       CASE WHEN r.channel = 'marketplace' OR demo.h('mode', r.p::text, k::text) < 0.62 THEN 'ship'
            WHEN pe.home_store IN (SELECT code FROM demo.stores WHERE curbside)
                 AND demo.h('mode', r.p::text, k::text) > 0.92 THEN 'curbside'
            ELSE 'pickup' END AS mode,
       pe.lat, pe.lon, pe.home_store,
       (SELECT jsonb_agg(DISTINCT jsonb_build_object('sku', demo.sku_for(r.p, pe.fav_cat, 'o' || k || '-' || j), 'qty', 1))
         FROM generate_series(1, demo.hi(1, 3, 'nl', r.p::text, k::text)) j) AS lines,
       demo.h('outcome', r.p::text, k::text) AS outcome,
       NULL::bigint AS order_id
  FROM demo.records r
  JOIN demo.persons pe USING (p)
  CROSS JOIN LATERAL generate_series(1, CASE WHEN demo.h('no', r.channel, r.p::text) < 0.25 THEN 1
                                             WHEN demo.h('no', r.channel, r.p::text) < 0.33 THEN 2 ELSE 0 END) k
 WHERE r.channel IN ('app', 'web', 'marketplace');
-- Store sales to known customers (their loyalty card), at their store.
CREATE FUNCTION demo.try_pos_sale(c bigint, store text, lines jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
    RETURN omni.record_pos_sale(c, store, lines);
EXCEPTION WHEN SQLSTATE 'OM001' THEN
    RETURN NULL;    -- not on that shelf
END $$;
CREATE TABLE demo.pos_sales AS
SELECT r.p, r.source_key, k, pe.home_store,
       (SELECT jsonb_agg(DISTINCT jsonb_build_object('sku', demo.sku_for(r.p, pe.fav_cat, 's' || k || '-' || j), 'qty', 1))
         FROM generate_series(1, demo.hi(1, 2, 'snl', r.p::text, k::text)) j) AS lines,
       NULL::bigint AS order_id
  FROM demo.records r
  JOIN demo.persons pe USING (p)
  CROSS JOIN LATERAL generate_series(1, demo.hi(0, 2, 'npos', r.p::text)) k
 WHERE r.channel = 'pos';
-- the heroine's store purchases of the last months
INSERT INTO demo.pos_sales (p, source_key, k, home_store, lines)
SELECT 0, 'card-00000001', 10 + j, 'store-sp-paulista',
       jsonb_build_array(jsonb_build_object('sku', demo.sku_for(0, 'corrida', 'hero' || j), 'qty', 1))
  FROM generate_series(1, 3) j;

-- ------------------------------------------------------------ the loading steps
-- demo/load.sh runs each step in several sessions at once (part of nparts),
-- committing as it goes, as the channels' applications would.
CREATE FUNCTION demo.customer_of(ch text, key text) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT i.customer_id FROM omni.identities i WHERE i.channel = ch AND i.source_key = key
$$;

CREATE PROCEDURE demo.load_stock(part int, nparts int)
LANGUAGE plpgsql AS $$
DECLARE l record;
BEGIN
    -- one receipt per (SKU, location): the distribution centres carry
    -- every SKU, each store about half of the range
    FOR l IN SELECT code, kind FROM omni.locations WHERE kind <> 'locker' ORDER BY code LOOP
        CONTINUE WHEN abs(hashtext(l.code)) % nparts <> part;
        PERFORM omni.receive(p.sku, l.code, q, 'initial load')
           FROM (SELECT p.sku, p.n,
                        CASE WHEN l.kind = 'warehouse' THEN demo.hi(80, 400, 'dc', p.sku, l.code)
                             ELSE demo.hi(2, 14, 'st', p.sku, l.code) END AS q
                   FROM demo.products p
                  WHERE l.kind = 'warehouse' OR demo.h('carry', p.sku, l.code) < 0.55
                  ORDER BY p.n) p;
        COMMIT;
    END LOOP;
END $$;

CREATE PROCEDURE demo.load_identities(ch text, part int, nparts int)
LANGUAGE plpgsql AS $$
DECLARE r record; c bigint;
BEGIN
    FOR r IN SELECT * FROM demo.records WHERE channel = ch AND p % nparts = part ORDER BY p LOOP
        SELECT x.customer_id INTO c FROM omni.identify(r.channel, r.source_key, r.attrs) x;
        UPDATE demo.records SET customer_id = c WHERE channel = r.channel AND source_key = r.source_key;
        COMMIT;
    END LOOP;
END $$;

CREATE PROCEDURE demo.load_interactions(part int, nparts int)
LANGUAGE plpgsql AS $$
DECLARE r record; n int := 0;
BEGIN
    FOR r IN SELECT * FROM demo.interactions WHERE p % nparts = part ORDER BY at, p, k LOOP
        PERFORM omni.track(demo.customer_of(r.channel, r.source_key), r.channel, r.event, r.sku, r.at);
        n := n + 1;
        IF n % 200 = 0 THEN COMMIT; END IF;
    END LOOP;
END $$;

CREATE PROCEDURE demo.load_orders(part int, nparts int)
LANGUAGE plpgsql AS $$
DECLARE r record; v bigint;
BEGIN
    FOR r IN SELECT * FROM demo.orders WHERE p % nparts = part ORDER BY p, channel, k LOOP
        v := demo.try_order(demo.customer_of(r.channel, r.source_key), r.channel, r.lines, r.mode,
                            CASE WHEN r.mode = 'ship' THEN r.lat END, CASE WHEN r.mode = 'ship' THEN r.lon END,
                            CASE WHEN r.mode <> 'ship' THEN r.home_store END);
        IF v IS NOT NULL THEN
            UPDATE demo.orders SET order_id = v WHERE p = r.p AND channel = r.channel AND k = r.k;
            -- most are delivered (shipped, picked up), some cancelled, some still open
            IF r.outcome < 0.07 THEN
                PERFORM omni.cancel_order(v);
            ELSIF r.outcome >= 0.12 THEN
                PERFORM omni.complete_fulfillment(v);
                IF r.outcome >= 0.93 THEN   -- and a few come back, to a store of the same city
                    PERFORM omni.return_items(v, jsonb_build_array(r.lines -> 0), r.home_store);
                END IF;
            END IF;
        END IF;
        COMMIT;
    END LOOP;
END $$;

CREATE PROCEDURE demo.load_pos_sales(part int, nparts int)
LANGUAGE plpgsql AS $$
DECLARE r record; v bigint;
BEGIN
    FOR r IN SELECT * FROM demo.pos_sales WHERE p % nparts = part ORDER BY p, k LOOP
        v := demo.try_pos_sale(demo.customer_of('pos', r.source_key), r.home_store, r.lines);
        IF v IS NOT NULL THEN
            UPDATE demo.pos_sales SET order_id = v WHERE p = r.p AND k = r.k;
            IF demo.h('ret', r.p::text, r.k::text) < 0.04 THEN
                PERFORM omni.return_items(v, jsonb_build_array(r.lines -> 0), r.home_store);
            END IF;
        END IF;
        COMMIT;
    END LOOP;
END $$;
CREATE INDEX ON demo.orders (p, channel, k);
CREATE INDEX ON demo.pos_sales (p, k);
CREATE INDEX ON demo.records (p);
ANALYZE demo.records, demo.orders, demo.pos_sales, demo.interactions, demo.persons, demo.products;

-- ------------------------------------------------------------ the journey's products
-- The running shoe Luíza discovers, and the socks she adds: her usual store
-- (Paulista) has no shoes left, stores nearby do.
SELECT omni.add_product('COR-VENTO-PRO-38', 'Tênis de corrida Vento Pro', 'calçados',
                        '{"brand": "Vento", "size": 38, "color": "coral"}') \gset
SELECT omni.add_product('COR-MEIA-COMP-M', 'Meia de compressão Vento', 'corrida', '{"size": "M"}') \gset
SELECT omni.set_price('COR-VENTO-PRO-38', 699.90, NULL, now() - interval '30 days') \gset
SELECT omni.set_price('COR-VENTO-PRO-38', 649.90, 'app', now() - interval '30 days') \gset
SELECT omni.set_price('COR-MEIA-COMP-M', 89.90, NULL, now() - interval '30 days') \gset
SELECT count(omni.receive(v.sku, v.loc, v.qty, 'initial load'))
  FROM (VALUES ('COR-VENTO-PRO-38', 'dc-cajamar', 40), ('COR-VENTO-PRO-38', 'store-sp-pinheiros', 3),
               ('COR-VENTO-PRO-38', 'store-rj-copacabana', 4), ('COR-VENTO-PRO-38', 'store-sp-moema', 2),
               ('COR-MEIA-COMP-M', 'dc-cajamar', 100), ('COR-MEIA-COMP-M', 'store-sp-pinheiros', 10),
               ('COR-MEIA-COMP-M', 'store-sp-paulista', 12), ('COR-MEIA-COMP-M', 'store-sp-moema', 6)) v(sku, loc, qty)
  JOIN omni.locations l ON l.code = v.loc \gset

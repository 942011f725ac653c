-- UCI Online Retail into the bench database, through the API.
-- rb.raw holds the CSV already (test/bench/recommend.sh copies it in).
\set ON_ERROR_STOP 1
-- Lines of known customers and real products (stock codes starting with a
-- digit: POST, DOT, M, C2, BANK CHARGES, AMAZONFEE, ... are fees, not goods).
CREATE TABLE rb.lines AS
SELECT invoice, upper(stockcode) AS sku, qty, at AS at_local, customer::numeric::bigint AS ext_customer,
       invoice LIKE 'C%' AS is_return
  FROM rb.raw
 WHERE customer IS NOT NULL AND customer <> '' AND stockcode ~ '^[0-9]';

-- Purchase invoices of each customer, last first: n = 1 is the test
-- basket, n = 2 the validation basket (the protocol of doc/recommend.md)
CREATE TABLE rb.invoices AS
SELECT ext_customer, invoice, at_local,
       row_number() OVER (PARTITION BY ext_customer ORDER BY at_local DESC, invoice DESC) AS n,
       count(*) OVER (PARTITION BY ext_customer) AS invoices
  FROM (SELECT ext_customer, invoice, min(at_local) AS at_local FROM rb.lines
         WHERE NOT is_return AND qty > 0 GROUP BY 1, 2) i;
CREATE INDEX ON rb.invoices (invoice);

-- catalogue and customers through the API
SELECT count(omni.add_product(l.sku, coalesce(n.name, l.sku)))
  FROM (SELECT DISTINCT sku FROM rb.lines) l
  LEFT JOIN (SELECT DISTINCT ON (upper(stockcode)) upper(stockcode) AS sku, description AS name
               FROM rb.raw WHERE description <> '' ORDER BY upper(stockcode), description) n USING (sku);
CREATE TABLE rb.customers AS
SELECT c.ext_customer, (SELECT i.customer_id FROM omni.identify('web', 'uci-' || c.ext_customer, jsonb_build_object('country', c.country)) i) AS customer_id
  FROM (SELECT DISTINCT ON (customer::numeric::bigint) customer::numeric::bigint AS ext_customer, country
          FROM rb.raw WHERE customer IS NOT NULL AND customer <> '' ORDER BY 1, country) c;
CREATE UNIQUE INDEX ON rb.customers (ext_customer);

-- every line with its phase: 'train' (before validation), 'val', 'test';
-- a return belongs to the first phase whose basket comes after it
CREATE TABLE rb.signals AS
SELECT c.customer_id, l.sku, l.is_return, l.at_local::timestamptz AS at, l.invoice,
       CASE WHEN l.is_return THEN
                CASE WHEN l.at_local < coalesce(v.at_local, 'infinity') THEN 'train'
                     WHEN l.at_local < coalesce(t.at_local, 'infinity') THEN 'val' ELSE 'after' END
            WHEN i.n = 1 AND i.invoices >= 2 THEN 'test'
            WHEN i.n = 2 THEN 'val'
            ELSE 'train' END AS phase
  FROM rb.lines l
  JOIN rb.customers c USING (ext_customer)
  LEFT JOIN rb.invoices i ON i.invoice = l.invoice AND NOT l.is_return
  LEFT JOIN rb.invoices v ON v.ext_customer = l.ext_customer AND v.n = 2
  LEFT JOIN rb.invoices t ON t.ext_customer = l.ext_customer AND t.n = 1 AND t.invoices >= 2
 WHERE l.is_return OR l.qty > 0;

-- held-out baskets: distinct SKUs of each customer's test / validation invoice
CREATE TABLE rb.truth AS
SELECT phase, customer_id, array_agg(DISTINCT sku ORDER BY sku) AS skus
  FROM rb.signals WHERE phase IN ('val', 'test') AND NOT is_return GROUP BY 1, 2;
-- validation is scored only for customers with history before it
DELETE FROM rb.truth t WHERE t.phase = 'val'
   AND NOT EXISTS (SELECT 1 FROM rb.signals s WHERE s.customer_id = t.customer_id AND s.phase = 'train' AND NOT s.is_return);
CREATE INDEX ON rb.truth (phase, customer_id);

SELECT phase, count(*) AS lines, count(DISTINCT customer_id) AS customers FROM rb.signals GROUP BY 1 ORDER BY 1;
SELECT phase, count(*) AS baskets, round(avg(cardinality(skus)), 1) AS avg_skus FROM rb.truth GROUP BY 1 ORDER BY 1;

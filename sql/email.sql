-- omni.email: normalisation, validation, every error, operators and opclasses.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT '  Ana.Souza@Example.COM '::omni.email AS normalised;
SELECT 'joão@exemplo.com.br'::omni.email AS international;
SELECT 'ANA@example.com'::omni.email = 'ana@EXAMPLE.com'::omni.email AS equal_after_folding;
SELECT 'a@example.com'::omni.email < 'b@example.com'::omni.email AS lt,
       'b@example.com'::omni.email >= 'a@example.com'::omni.email AS ge,
       'a@example.com'::omni.email <> 'a@example.org'::omni.email AS ne;

-- every kind of malformed input is 22P02 and quotes the input
SELECT ''::omni.email;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT 'ana.example.com'::omni.email;
SELECT 'ana@@example.com'::omni.email;
SELECT '@example.com'::omni.email;
SELECT 'ana@'::omni.email;
SELECT 'ana@localhost'::omni.email;
SELECT 'ana souza@example.com'::omni.email;
SELECT E'ana\tx@example.com'::omni.email;
SELECT '.ana@example.com'::omni.email;
SELECT 'an..a@example.com'::omni.email;
SELECT 'ana@exam_ple.com'::omni.email;
SELECT 'ana@example..com'::omni.email;
SELECT 'ana@-example.com'::omni.email;
SELECT 'ana@10.0.0.1'::omni.email;
SELECT (repeat('x', 65) || '@example.com')::omni.email;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ('a@' || repeat('d', 250) || '.com')::omni.email;
SELECT length((repeat('x', 64) || '@example.com')::omni.email::text) AS longest_local_ok;

-- matching keys
SELECT e, omni.email_key(e::omni.email) AS key, omni.email_domain(e::omni.email) AS domain
  FROM (VALUES ('Ana.Souza+promo@gmail.com'), ('ana.souza@googlemail.com'),
               ('ana+news@outlook.com'), ('ana+x@me.com'),
               ('ana.souza+x@example.com')) v(e);

-- binary input goes through the same checks as text: a text value sent in
-- binary has the same wire format, so it makes a good forged omni.email
CREATE TEMP TABLE bin (e omni.email);
COPY (SELECT 'Ana@Example.com'::omni.email) TO '/tmp/omni_regress_email.bin' (FORMAT binary);
COPY bin FROM '/tmp/omni_regress_email.bin' (FORMAT binary);
SELECT e AS recv_roundtrip FROM bin;
COPY (SELECT ' Bruno@Example.com'::text) TO '/tmp/omni_regress_email.bin' (FORMAT binary);
COPY bin FROM '/tmp/omni_regress_email.bin' (FORMAT binary);
COPY (SELECT 'not an email'::text) TO '/tmp/omni_regress_email.bin' (FORMAT binary);
COPY bin FROM '/tmp/omni_regress_email.bin' (FORMAT binary);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT e FROM bin ORDER BY e;

-- casts: text -> email on assignment, email -> text implicitly
CREATE TABLE customers_t (id int, email omni.email PRIMARY KEY);
INSERT INTO customers_t VALUES (1, 'User1@Example.com'), (2, 'user2@example.com');
INSERT INTO customers_t VALUES (3, ' USER1@example.COM');   -- unique after normalising
INSERT INTO customers_t VALUES (4, 'not an email');
SELECT id, email, upper(email) FROM customers_t ORDER BY email;

-- btree index scan, hash index, hash join
CREATE TABLE emails_big AS
    SELECT g AS id, ('user' || g || '@example.com')::omni.email AS email
      FROM generate_series(1, 2000) g;
CREATE INDEX emails_big_btree ON emails_big (email);
CREATE INDEX emails_big_hash ON emails_big USING hash (email);
ANALYZE emails_big;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM emails_big WHERE email = 'USER42@example.com';
SELECT id FROM emails_big WHERE email = 'USER42@example.com';
EXPLAIN (COSTS OFF) SELECT id FROM emails_big WHERE email BETWEEN 'user1990@example.com' AND 'USER1999@example.com' ORDER BY email;
SELECT id FROM emails_big WHERE email BETWEEN 'user1990@example.com' AND 'USER1999@example.com' ORDER BY email;
DROP INDEX emails_big_btree;
EXPLAIN (COSTS OFF) SELECT id FROM emails_big WHERE email = 'user7@example.com';
SELECT id FROM emails_big WHERE email = 'user7@example.com';
RESET enable_seqscan;
RESET enable_bitmapscan;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM emails_big a JOIN customers_t c ON a.email = c.email;
SELECT count(*) FROM emails_big a JOIN customers_t c ON c.email = a.email;
RESET enable_mergejoin;
RESET enable_nestloop;
SELECT count(DISTINCT email) AS distinct_hashagg FROM (SELECT email FROM emails_big UNION ALL SELECT email FROM emails_big) s;
DROP TABLE emails_big, customers_t, bin;

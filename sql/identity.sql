-- Customers and identity: comparators, identify (deterministic, probabilistic,
-- guard, idempotency), explanations, look-up, merge/unmerge, resolve, errors.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Comparators, known values
SELECT round(omni.jaro_winkler('MARTHA', 'MARHTA')::numeric, 4) AS martha,
       round(omni.jaro_winkler('DWAYNE', 'DUANE')::numeric, 4) AS dwayne,
       round(omni.jaro_winkler('DIXON', 'DICKSONX')::numeric, 4) AS dixon,
       round(omni.jaro('MARTHA', 'MARHTA')::numeric, 4) AS jaro_martha,
       omni.jaro_winkler('', '') AS both_empty, omni.jaro_winkler('abc', '') AS one_empty,
       omni.jaro_winkler('abc', 'xyz') AS nothing_common;
SELECT round(omni.jaro_winkler('São Paulo', 'Sao Paulo')::numeric, 4) AS by_character,
       omni.jaro_winkler(omni.fold('São Paulo'), omni.fold('SAO PAULO')) AS folded;
SELECT omni.damerau_levenshtein('CA', 'ABC') AS ca_abc,
       omni.damerau_levenshtein('kitten', 'sitting') AS kitten,
       omni.damerau_levenshtein('19810507', '19810570') AS transposed,
       omni.damerau_levenshtein('Müller', 'Muller') AS one_char,
       omni.damerau_levenshtein('', 'abc') AS from_empty;
SELECT omni.phonetic('Robert') AS robert, omni.phonetic('Rupert') AS rupert,
       omni.phonetic('Tymczak') AS tymczak, omni.phonetic('Pfister') AS pfister,
       omni.phonetic('Müller') AS muller, omni.phonetic('123') AS no_letters;
SELECT omni.fold('São Paulo') AS sao, omni.fold('  O''Brien-SMITH ') AS obrien, omni.fold('Straße 12') AS strasse;
SELECT omni.jaro_winkler(repeat('a', 300), 'a');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Agreement levels per field: -1 missing, 0 none, 1 weak, 2 close, 3 exact
SELECT omni.identity_levels(omni.identity_normalise('{"first_name": "Bill", "last_name": "Smith", "birth_date": "1981-05-07", "postcode": "27284", "city": "Kernersville"}', NULL, NULL),
                            omni.identity_normalise('{"first_name": "William", "last_name": "Smyth", "birth_date": "1981-07-05", "postcode": "27248", "city": "kernersville"}', NULL, NULL)) AS levels;
SELECT omni.identity_normalise('{"first_name": " José ", "last_name": "da Silva", "birth_date": "19810507", "postcode": "01310-100", "city": "São Paulo", "address": "Av. Paulista, 1000", "loyalty": 7}', 'ana@gmail.com', '+5511912345678') AS norm;

-- identify: a new person, then the same person from other channels
SELECT customer_id AS ana, is_new, score, explanation ->> 'rule' AS rule
  FROM omni.identify('web', 'web-1', '{"email": "Ana.Souza+promo@gmail.com", "first_name": "Ana", "last_name": "Souza", "city": "São Paulo", "postcode": "01310-100", "birth_date": "1985-03-02"}') \gset
\echo :ana :is_new :score :rule
-- the email key is the same (gmail ignores dots and +tags): a deterministic link
SELECT customer_id = :ana AS same_customer, is_new, score, explanation ->> 'rule' AS rule
  FROM omni.identify('app', 'app-77', '{"email": "anasouza@googlemail.com"}');
-- a phone in national format, read with omni.default_country
SET omni.default_country = 'BR';
SELECT customer_id = :ana AS same_customer, is_new, explanation ->> 'rule' AS rule
  FROM omni.identify('support', 'ticket-5', '{"email": "ANASOUZA@gmail.com", "phone": "(11) 91234-5678"}');
SELECT customer_id = :ana AS same_customer, explanation ->> 'rule' AS rule
  FROM omni.identify('social', 'insta-ana', '{"phone": "+55 11 91234 5678", "first_name": "Aninha"}');
RESET omni.default_country;
-- idempotent: the same (channel, source_key) again is the same identity
SELECT customer_id = :ana AS same_customer, is_new, explanation ->> 'rule' AS rule, explanation ->> 'linked_by' AS linked_by
  FROM omni.identify('app', 'app-77', '{"email": "anasouza@googlemail.com"}');
SELECT count(*) AS identities FROM omni.identities WHERE customer_id = :ana;

-- probabilistic: no email, no phone, names and place that agree (a typo, an accent)
SELECT customer_id = :ana AS same_customer, is_new, score > 0.9 AS confident,
       explanation ->> 'rule' AS rule,
       explanation -> 'fields' -> 'first_name' ->> 'level' AS first_name,
       explanation -> 'fields' -> 'last_name' ->> 'level' AS last_name,
       explanation -> 'fields' -> 'birth_date' ->> 'level' AS birth_date,
       explanation -> 'fields' -> 'postcode' ->> 'level' AS postcode
  FROM omni.identify('pos', 'card-9', '{"first_name": "ANA", "last_name": "Sousa", "city": "Sao Paulo", "postcode": "01310100", "birth_date": "1985-02-03"}');
-- the explanation: per-field weights that add up, with the prior, to the match weight
SELECT jsonb_pretty(explanation - 'identity_id' - 'matched_identity') AS explanation
  FROM omni.identify('pos', 'card-9', '{"first_name": "ANA", "last_name": "Sousa", "city": "Sao Paulo", "postcode": "01310100", "birth_date": "1985-02-03"}');
SELECT round((e ->> 'prior_weight')::numeric + (SELECT sum((v ->> 'weight')::numeric) FROM jsonb_each(e -> 'fields') AS f(k, v)), 2)
       = round((e ->> 'match_weight')::numeric, 2) AS weights_add_up
  FROM (SELECT explanation AS e FROM omni.identify('pos', 'card-9', '{}')) s;

-- the guard: same name, birth date and place, but another email AND another
-- phone than the customer has: never merged automatically
SELECT customer_id AS bob
  FROM omni.identify('web', 'web-bob', '{"email": "bob@example.com", "phone": "+12125550100", "first_name": "Robert", "last_name": "Kowalski", "birth_date": "1970-01-01", "postcode": "10001", "city": "New York"}') \gset
SELECT customer_id = :bob AS merged, is_new, explanation ->> 'rule' AS rule
  FROM omni.identify('app', 'app-bob2', '{"email": "robert.k@example.org", "phone": "+12125550199", "first_name": "Robert", "last_name": "Kowalski", "birth_date": "1970-01-01", "postcode": "10001", "city": "New York"}');
-- with only one strong identifier differing, the names decide
SELECT customer_id = :bob AS merged, explanation ->> 'rule' AS rule
  FROM omni.identify('pos', 'pos-bob', '{"email": "rk@example.net", "first_name": "Bob", "last_name": "Kowalski", "birth_date": "1970-01-01", "postcode": "10001", "city": "New York"}');
-- a different person
SELECT is_new FROM omni.identify('web', 'web-carla', '{"first_name": "Carla", "last_name": "Mendes", "postcode": "90210", "city": "Beverly Hills"}');

-- match_candidates: read-only, best first
SELECT count(*) AS identities_before FROM omni.identities \gset
SELECT customer_id = :ana AS is_ana, score > 0.9 AS likely, explanation ->> 'channel' AS via
  FROM omni.match_candidates('{"first_name": "Anna", "last_name": "Souza", "postcode": "01310-100", "birth_date": "1985-03-02"}', 3);
SELECT count(*) = :identities_before AS nothing_written FROM omni.identities;
SELECT count(*) AS nobody FROM omni.match_candidates('{"first_name": "Zebulon", "last_name": "Quuxley"}');

-- the golden record: per attribute, the most trusted channel (pos), then the most recent
SELECT profile ->> 'first_name' AS first_name, profile ->> 'last_name' AS last_name,
       profile ->> 'email' AS email, profile ->> 'phone' AS phone
  FROM omni.customers WHERE customer_id = :ana;
SELECT channel, source_key, link_rule FROM omni.customer_identities(:ana) ORDER BY identity_id;

-- merge and unmerge, audited, moving the rows of a registered table
CREATE TABLE test_orders (order_id int PRIMARY KEY, customer_id bigint, identity_id bigint);
SELECT omni.register_customer_reference('test_orders', 'customer_id', 'identity_id');
SELECT customer_id AS carla FROM omni.identities WHERE source_key = 'web-carla' \gset
SELECT identity_id AS carla_identity FROM omni.identities WHERE source_key = 'web-carla' \gset
INSERT INTO test_orders VALUES (1, :carla, :carla_identity), (2, :ana, NULL);
SELECT omni.merge_customers(:ana, :carla) = :ana AS kept;
SELECT status, merged_into = :ana AS into_ana FROM omni.customers WHERE customer_id = :carla;
SELECT order_id, customer_id = :ana AS moved FROM test_orders ORDER BY order_id;
SELECT action, customer_id = :ana AS survivor, other_customer_id = :carla AS absorbed, cardinality(identity_ids) AS identities, moved_rows
  FROM omni.identity_audit ORDER BY audit_id;
SELECT omni.unmerge_identity(:carla_identity) AS carla2 \gset
SELECT customer_id = :carla2 AS own_customer, link_rule FROM omni.identities WHERE identity_id = :carla_identity;
SELECT order_id, customer_id = :carla2 AS followed_identity FROM test_orders ORDER BY order_id;
SELECT action, customer_id = :carla2 AS new_customer, other_customer_id = :ana AS former FROM omni.identity_audit ORDER BY audit_id DESC LIMIT 1;

-- resolve_identities re-clusters everything and respects the unmerge
SELECT clusters > 0 AS some_clusters FROM omni.resolve_identities();
SELECT customer_id = :carla2 AS still_apart FROM omni.identities WHERE identity_id = :carla_identity;
SELECT count(DISTINCT customer_id) AS ana_customers FROM omni.identities
 WHERE source_key IN ('web-1', 'app-77', 'ticket-5', 'insta-ana', 'card-9');
SELECT (SELECT count(*) FROM omni.identities i JOIN omni.customers c USING (customer_id) WHERE c.status <> 'active') AS on_merged_customers;
-- the guard holds in batch too: the two Kowalskis with different emails and phones stay apart
SELECT count(DISTINCT customer_id) AS kowalski_customers FROM omni.identities WHERE source_key IN ('web-bob', 'app-bob2');
-- twice in a row: nothing more to do
SELECT merged FROM omni.resolve_identities();

-- the guard when a customer's email and phone are in two identities: Dora
-- has an email in one record and a phone in another; a record with another
-- email and another phone is not her, whatever the names say
SELECT customer_id AS dora, is_new
  FROM omni.identify('web', 'web-dora', '{"email": "dora@example.com", "first_name": "Dora", "last_name": "Lindqvist", "birth_date": "1981-07-09", "postcode": "94110", "city": "San Francisco"}') \gset
SELECT customer_id = :dora AS linked, explanation ->> 'rule' AS rule
  FROM omni.identify('app', 'app-dora', '{"phone": "+14155550123", "first_name": "Dora", "last_name": "Lindqvist", "birth_date": "1981-07-09", "postcode": "94110", "city": "San Francisco"}');
SELECT customer_id = :dora AS linked, is_new
  FROM omni.identify('pos', 'pos-dora2', '{"email": "d.lindqvist@example.org", "phone": "+14155550999", "first_name": "Dora", "last_name": "Lindqvist", "birth_date": "1981-07-09", "postcode": "94110", "city": "San Francisco"}');
-- nor does resolve_identities merge the two customers, in any order of the pairs
SELECT merged FROM omni.resolve_identities();
SELECT count(DISTINCT customer_id) AS dora_customers FROM omni.identities WHERE source_key IN ('web-dora', 'app-dora', 'pos-dora2');
-- the clustering on its own: node 0 has an email and a phone, node 1 another
-- email, node 2 another phone; 0-1 is the best pair.  Joining 2 to {0, 1}
-- would give one cluster two emails and two phones: refused
SELECT omni.identity_cluster('{1, 2, 0}', '{1, 0, 2}', '{0, 1, 0}', '{1, 2, 2}', '{20, 10, 10}', 3.17, -6.6) AS labels;
-- but sure links (shared identifiers) may tie several emails and phones,
-- and a record adding no conflict joins them
SELECT omni.identity_cluster('{1, 1, 2, 3}', '{1, 2, 2, 0}', '{0, 1, 2}', '{1, 2, 3}', '{1000, 1000, 10}', 3.17, -6.6) AS labels;

-- bridging: Eva's second record has her names swapped and an address, and
-- matches neither her first record nor anyone else: a second customer.  A
-- third record matches both (names with the first, address with the
-- second): it is linked to the first and the second customer is merged in
-- (with omni.identity_bridge on; it is off by default)
SET omni.identity_bridge = on;
SELECT customer_id AS eva, is_new
  FROM omni.identify('web', 'web-eva', '{"first_name": "Eva", "last_name": "Marchetti", "birth_date": "1990-04-12", "postcode": "30301", "city": "Atlanta"}') \gset
SELECT customer_id AS eva2, is_new
  FROM omni.identify('app', 'app-eva', '{"first_name": "Marchetti", "last_name": "Eva", "address": "7 Elm Court", "postcode": "30301", "city": "Atlanta"}') \gset
SELECT :eva2 <> :eva AS two_customers;
SELECT customer_id = :eva AS linked, (explanation ->> 'merged_customer')::bigint = :eva2 AS merged_second
  FROM omni.identify('pos', 'pos-eva', '{"first_name": "Eva", "last_name": "Marchetti", "birth_date": "1990-04-12", "address": "7 Elm Court", "postcode": "30301", "city": "Atlanta"}');
SELECT count(DISTINCT customer_id) AS eva_customers FROM omni.identities WHERE source_key IN ('web-eva', 'app-eva', 'pos-eva');
SELECT status, merged_into = :eva AS into_first FROM omni.customers WHERE customer_id = :eva2;
SELECT action, reason LIKE 'identify: identity % matches both' AS reason FROM omni.identity_audit WHERE other_customer_id = :eva2;
-- (Eva leaves no identity behind for the tests that follow)
DELETE FROM omni.identities WHERE source_key IN ('web-eva', 'app-eva', 'pos-eva');
RESET omni.identity_bridge;

-- errors
SELECT * FROM omni.identify('web', 'x', '[1, 2]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.identify('fax', 'x', '{}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.identify('web', '', '{}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.identify('web', 'x', '{"email": "not-an-email"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.identify('web', 'x', '{"phone": "12"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.match_candidates('"ana"');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.match_candidates('{}', 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.merge_customers(:ana, 999999);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.merge_customers(:ana, :ana);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.merge_customers(:carla, :ana);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.customer_identities(999999);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.unmerge_identity(999999);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.unmerge_identity(:carla_identity);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.identity_levels_weight('{1,2,3}', omni.identity_model(), NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.identity_weight('{}', '{}', '{1,2}', NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.train_matcher(-1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.train_matcher(NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM omni.identity_lookup('{}', 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- NULL in, NULL out (these take NULLs for their optional arguments)
SELECT omni.identity_normalise(NULL, NULL, NULL) IS NULL AS normalise_null,
       omni.identity_levels_weight(NULL, omni.identity_model(), NULL) IS NULL AS weight_null,
       omni.identity_weight(NULL, '{}', omni.identity_model(), NULL) IS NULL AS pair_null;

DROP TABLE test_orders;
DELETE FROM omni.customer_references;

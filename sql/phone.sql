-- omni.phone: E.164 parsing with omni.default_country, every error,
-- the setting, the parts, operators and opclasses.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- the first use loads the library, which defines the setting
SELECT '+1 212 555 0100'::omni.phone AS first_use;
SHOW omni.default_country;
SELECT '+55 11 91234-5678'::omni.phone AS br_international,
       '(212) 555-0100'::omni.phone AS us_national,
       '1-212-555-0100'::omni.phone AS us_with_trunk_1,
       '+1 212 555 0100'::omni.phone AS us_international,
       '011 44 20 7946 0018'::omni.phone AS us_dialling_abroad;

SET omni.default_country = 'GB';
SELECT '020 7946 0018'::omni.phone AS gb_national,
       '+44 (0)20 7946 0018'::omni.phone AS gb_written_trunk,
       '0044 20 7946 0018'::omni.phone AS gb_00_prefix,
       '(212) 555-0100'::omni.phone::text AS read_as_british;

SET omni.default_country = 'br';   -- case-insensitive, shown upper-case
SHOW omni.default_country;
SELECT '(11) 91234-5678'::omni.phone AS br_national,
       '011 91234-5678'::omni.phone AS br_with_trunk_0;
RESET omni.default_country;

-- explicit country, IMMUTABLE
SELECT omni.parse_phone('06 1234 5678', 'IT') AS italy_keeps_zero,
       omni.parse_phone('8 (495) 123-45-67', 'RU') AS russia_trunk_8,
       omni.parse_phone('030 123456', 'DE') AS berlin,
       omni.parse_phone('01 23 45 67 89', 'FR') AS paris;

-- a bad setting is refused with 22023 and leaves the old one
SET omni.default_country = 'XX';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SET omni.default_country = 'USA';
SET omni.default_country = '';
SHOW omni.default_country;
SELECT omni.parse_phone('020 7946 0018', 'ZZ');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the omni.* prefix is reserved: a typo is an error, not a silent placeholder
SET omni.default_countyr = 'GB';

-- malformed input: 22P02, quoting the input
SELECT ''::omni.phone;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT 'call me'::omni.phone;
SELECT '555-CALL'::omni.phone;
SELECT '+44 20 7946 0018 x12'::omni.phone;
SELECT '+'::omni.phone;
SELECT '++44 20 7946 0018'::omni.phone;
SELECT '12+34'::omni.phone;
SELECT '12'::omni.phone;
SELECT '+1234567890123456'::omni.phone;
SELECT '+999 1234 5678'::omni.phone;
SELECT '212 555 01'::omni.phone;
SELECT '212 555 01000'::omni.phone;
SELECT E'+55 11\t91234-5678'::omni.phone AS tab_inside_is_refused;
SELECT E'+55 11 91234-5678\n'::omni.phone AS trailing_newline_trimmed;

-- parts
SELECT p, omni.phone_country_code(p) AS cc, omni.phone_national_number(p) AS nsn,
       omni.phone_region(p) AS region
  FROM (VALUES ('+5511912345678'::omni.phone), ('+12125550100'), ('+442079460018'),
               ('+8613812345678'), ('+88012345678')) v(p);

-- binary: round trip, and a forged value is refused
CREATE TEMP TABLE pbin (p omni.phone);
COPY (SELECT '+442079460018'::omni.phone) TO '/tmp/omni_regress_phone.bin' (FORMAT binary);
COPY pbin FROM '/tmp/omni_regress_phone.bin' (FORMAT binary);
COPY (SELECT 0::int8) TO '/tmp/omni_regress_phone.bin' (FORMAT binary);
COPY pbin FROM '/tmp/omni_regress_phone.bin' (FORMAT binary);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
COPY (SELECT 9991234567::int8) TO '/tmp/omni_regress_phone.bin' (FORMAT binary);
COPY pbin FROM '/tmp/omni_regress_phone.bin' (FORMAT binary);
COPY (SELECT 1234567890123456::int8) TO '/tmp/omni_regress_phone.bin' (FORMAT binary);
COPY pbin FROM '/tmp/omni_regress_phone.bin' (FORMAT binary);
SELECT p AS recv_roundtrip FROM pbin;

-- operators and opclasses: unique after normalising, index scans, hash join
SELECT '+1 212 555 0100'::omni.phone = '(212) 555-0100'::omni.phone AS same_number,
       '+12125550100'::omni.phone < '+442079460018'::omni.phone AS numeric_order,
       '+12125550100'::omni.phone <> '+12125550101'::omni.phone AS ne;
CREATE TABLE phones_t (phone omni.phone PRIMARY KEY, who text);
INSERT INTO phones_t VALUES ('+1 212 555 0100', 'ana');
INSERT INTO phones_t VALUES ('(212) 555-0100', 'ana again');
INSERT INTO phones_t VALUES ('not a phone', 'x');
CREATE TABLE phones_big AS
    SELECT g AS id, ('+5511' || (900000000 + g))::omni.phone AS phone
      FROM generate_series(1, 2000) g;
CREATE INDEX phones_big_btree ON phones_big (phone);
CREATE INDEX phones_big_hash ON phones_big USING hash (phone);
ANALYZE phones_big;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM phones_big WHERE phone = '+55 11 90000-0042';
SELECT id FROM phones_big WHERE phone = '+55 11 90000-0042';
EXPLAIN (COSTS OFF) SELECT id FROM phones_big WHERE phone >= '+5511900001999' ORDER BY phone;
SELECT id FROM phones_big WHERE phone >= '+5511900001999' ORDER BY phone;
DROP INDEX phones_big_btree;
EXPLAIN (COSTS OFF) SELECT id FROM phones_big WHERE phone = '+5511900000007';
SELECT id FROM phones_big WHERE phone = '+5511900000007';
RESET enable_seqscan;
RESET enable_bitmapscan;
INSERT INTO phones_t SELECT phone, 'big' FROM phones_big WHERE id <= 10;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM phones_big b JOIN phones_t t ON b.phone = t.phone;
SELECT count(*) FROM phones_big b JOIN phones_t t ON b.phone = t.phone;
RESET enable_mergejoin;
RESET enable_nestloop;
DROP TABLE phones_big, phones_t, pbin;

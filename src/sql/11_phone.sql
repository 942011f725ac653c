-- omni.phone: a telephone number stored as E.164 (src/types/phone.c).

CREATE TYPE omni.phone;

-- STABLE, not IMMUTABLE: a national number is read with omni.default_country.
CREATE FUNCTION omni.phone_in(cstring) RETURNS omni.phone
    AS 'MODULE_PATHNAME', 'omni_phone_in' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION omni.phone_out(omni.phone) RETURNS cstring
    AS 'MODULE_PATHNAME', 'omni_phone_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION omni.phone_recv(internal) RETURNS omni.phone
    AS 'MODULE_PATHNAME', 'omni_phone_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION omni.phone_send(omni.phone) RETURNS bytea
    AS 'MODULE_PATHNAME', 'omni_phone_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE omni.phone (
    INPUT = omni.phone_in,
    OUTPUT = omni.phone_out,
    RECEIVE = omni.phone_recv,
    SEND = omni.phone_send,
    INTERNALLENGTH = 8,
    PASSEDBYVALUE,
    ALIGNMENT = double,
    STORAGE = plain,
    CATEGORY = 'U'
);
COMMENT ON TYPE omni.phone IS
    'Telephone number in E.164 (+CCNNN...), 8 bytes; national input read with omni.default_country';

CREATE CAST (text AS omni.phone) WITH INOUT AS ASSIGNMENT;
CREATE CAST (varchar AS omni.phone) WITH INOUT AS ASSIGNMENT;
CREATE CAST (omni.phone AS text) WITH INOUT AS ASSIGNMENT;

CREATE FUNCTION omni.parse_phone(number text, country text) RETURNS omni.phone
    AS 'MODULE_PATHNAME', 'omni_parse_phone' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION omni.parse_phone(text, text) IS
    'Reads a phone number with an explicit country (ISO alpha-2) for national formats; IMMUTABLE, so usable in indexes';

CREATE FUNCTION omni.phone_eq(omni.phone, omni.phone) RETURNS boolean
    AS 'MODULE_PATHNAME', 'omni_phone_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.phone_ne(omni.phone, omni.phone) RETURNS boolean
    AS 'MODULE_PATHNAME', 'omni_phone_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.phone_lt(omni.phone, omni.phone) RETURNS boolean
    AS 'MODULE_PATHNAME', 'omni_phone_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.phone_le(omni.phone, omni.phone) RETURNS boolean
    AS 'MODULE_PATHNAME', 'omni_phone_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.phone_gt(omni.phone, omni.phone) RETURNS boolean
    AS 'MODULE_PATHNAME', 'omni_phone_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.phone_ge(omni.phone, omni.phone) RETURNS boolean
    AS 'MODULE_PATHNAME', 'omni_phone_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.phone_cmp(omni.phone, omni.phone) RETURNS int
    AS 'MODULE_PATHNAME', 'omni_phone_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.phone_hash(omni.phone) RETURNS int
    AS 'MODULE_PATHNAME', 'omni_phone_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.phone_hash_extended(omni.phone, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'omni_phone_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

-- The operators live in pg_catalog, not omni: operator look-up follows
-- search_path, and "WHERE phone = '...'" must work for every application
-- whether or not it puts omni on its path.  pg_catalog is searched first,
-- so no other role can shadow them with an operator of its own either.
CREATE OPERATOR pg_catalog.= (
    LEFTARG = omni.phone, RIGHTARG = omni.phone, FUNCTION = omni.phone_eq,
    COMMUTATOR = OPERATOR(pg_catalog.=), NEGATOR = OPERATOR(pg_catalog.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR pg_catalog.<> (
    LEFTARG = omni.phone, RIGHTARG = omni.phone, FUNCTION = omni.phone_ne,
    COMMUTATOR = OPERATOR(pg_catalog.<>), NEGATOR = OPERATOR(pg_catalog.=),
    RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR pg_catalog.< (
    LEFTARG = omni.phone, RIGHTARG = omni.phone, FUNCTION = omni.phone_lt,
    COMMUTATOR = OPERATOR(pg_catalog.>), NEGATOR = OPERATOR(pg_catalog.>=),
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR pg_catalog.<= (
    LEFTARG = omni.phone, RIGHTARG = omni.phone, FUNCTION = omni.phone_le,
    COMMUTATOR = OPERATOR(pg_catalog.>=), NEGATOR = OPERATOR(pg_catalog.>),
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR pg_catalog.> (
    LEFTARG = omni.phone, RIGHTARG = omni.phone, FUNCTION = omni.phone_gt,
    COMMUTATOR = OPERATOR(pg_catalog.<), NEGATOR = OPERATOR(pg_catalog.<=),
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR pg_catalog.>= (
    LEFTARG = omni.phone, RIGHTARG = omni.phone, FUNCTION = omni.phone_ge,
    COMMUTATOR = OPERATOR(pg_catalog.<=), NEGATOR = OPERATOR(pg_catalog.<),
    RESTRICT = scalargesel, JOIN = scalargejoinsel);

CREATE OPERATOR CLASS omni.phone_btree_ops DEFAULT FOR TYPE omni.phone USING btree AS
    OPERATOR 1 pg_catalog.<,
    OPERATOR 2 pg_catalog.<=,
    OPERATOR 3 pg_catalog.=,
    OPERATOR 4 pg_catalog.>=,
    OPERATOR 5 pg_catalog.>,
    FUNCTION 1 omni.phone_cmp(omni.phone, omni.phone);

CREATE OPERATOR CLASS omni.phone_hash_ops DEFAULT FOR TYPE omni.phone USING hash AS
    OPERATOR 1 pg_catalog.=,
    FUNCTION 1 omni.phone_hash(omni.phone),
    FUNCTION 2 omni.phone_hash_extended(omni.phone, bigint);

CREATE FUNCTION omni.phone_country_code(omni.phone) RETURNS int
    AS 'MODULE_PATHNAME', 'omni_phone_country_code' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION omni.phone_country_code(omni.phone) IS 'Country calling code, e.g. 55 for +5511912345678';

CREATE FUNCTION omni.phone_national_number(omni.phone) RETURNS text
    AS 'MODULE_PATHNAME', 'omni_phone_national_number' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION omni.phone_national_number(omni.phone) IS 'National significant number: the digits after the calling code';

CREATE FUNCTION omni.phone_region(omni.phone) RETURNS text
    AS 'MODULE_PATHNAME', 'omni_phone_get_region' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION omni.phone_region(omni.phone) IS 'ISO 3166 alpha-2 region of the calling code (the main one for shared codes: +1 is US)';

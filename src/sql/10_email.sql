-- omni.email: a normalised, validated e-mail address (src/types/email.c).

CREATE TYPE omni.email;

CREATE FUNCTION omni.email_in(cstring) RETURNS omni.email
    AS 'MODULE_PATHNAME', 'omni_email_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION omni.email_out(omni.email) RETURNS cstring
    AS 'MODULE_PATHNAME', 'omni_email_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION omni.email_recv(internal) RETURNS omni.email
    AS 'MODULE_PATHNAME', 'omni_email_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION omni.email_send(omni.email) RETURNS bytea
    AS 'MODULE_PATHNAME', 'omni_email_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE omni.email (
    INPUT = omni.email_in,
    OUTPUT = omni.email_out,
    RECEIVE = omni.email_recv,
    SEND = omni.email_send,
    INTERNALLENGTH = VARIABLE,
    STORAGE = extended,
    CATEGORY = 'S'
);
COMMENT ON TYPE omni.email IS
    'E-mail address, trimmed, lower-cased and validated on input; compared byte-wise';

-- Same representation as text, so these casts cost nothing (citext does the same).
CREATE CAST (omni.email AS text) WITHOUT FUNCTION AS IMPLICIT;
CREATE CAST (text AS omni.email) WITH INOUT AS ASSIGNMENT;
CREATE CAST (varchar AS omni.email) WITH INOUT AS ASSIGNMENT;

CREATE FUNCTION omni.email_eq(omni.email, omni.email) RETURNS boolean
    AS 'MODULE_PATHNAME', 'omni_email_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.email_ne(omni.email, omni.email) RETURNS boolean
    AS 'MODULE_PATHNAME', 'omni_email_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.email_lt(omni.email, omni.email) RETURNS boolean
    AS 'MODULE_PATHNAME', 'omni_email_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.email_le(omni.email, omni.email) RETURNS boolean
    AS 'MODULE_PATHNAME', 'omni_email_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.email_gt(omni.email, omni.email) RETURNS boolean
    AS 'MODULE_PATHNAME', 'omni_email_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.email_ge(omni.email, omni.email) RETURNS boolean
    AS 'MODULE_PATHNAME', 'omni_email_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.email_cmp(omni.email, omni.email) RETURNS int
    AS 'MODULE_PATHNAME', 'omni_email_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.email_hash(omni.email) RETURNS int
    AS 'MODULE_PATHNAME', 'omni_email_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION omni.email_hash_extended(omni.email, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'omni_email_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

-- The operators live in pg_catalog, not omni: operator look-up follows
-- search_path, and "WHERE email = '...'" must work for every application
-- whether or not it puts omni on its path.  pg_catalog is searched first,
-- so no other role can shadow them with an operator of its own either.
CREATE OPERATOR pg_catalog.= (
    LEFTARG = omni.email, RIGHTARG = omni.email, FUNCTION = omni.email_eq,
    COMMUTATOR = OPERATOR(pg_catalog.=), NEGATOR = OPERATOR(pg_catalog.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR pg_catalog.<> (
    LEFTARG = omni.email, RIGHTARG = omni.email, FUNCTION = omni.email_ne,
    COMMUTATOR = OPERATOR(pg_catalog.<>), NEGATOR = OPERATOR(pg_catalog.=),
    RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR pg_catalog.< (
    LEFTARG = omni.email, RIGHTARG = omni.email, FUNCTION = omni.email_lt,
    COMMUTATOR = OPERATOR(pg_catalog.>), NEGATOR = OPERATOR(pg_catalog.>=),
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR pg_catalog.<= (
    LEFTARG = omni.email, RIGHTARG = omni.email, FUNCTION = omni.email_le,
    COMMUTATOR = OPERATOR(pg_catalog.>=), NEGATOR = OPERATOR(pg_catalog.>),
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR pg_catalog.> (
    LEFTARG = omni.email, RIGHTARG = omni.email, FUNCTION = omni.email_gt,
    COMMUTATOR = OPERATOR(pg_catalog.<), NEGATOR = OPERATOR(pg_catalog.<=),
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR pg_catalog.>= (
    LEFTARG = omni.email, RIGHTARG = omni.email, FUNCTION = omni.email_ge,
    COMMUTATOR = OPERATOR(pg_catalog.<=), NEGATOR = OPERATOR(pg_catalog.<),
    RESTRICT = scalargesel, JOIN = scalargejoinsel);

CREATE OPERATOR CLASS omni.email_btree_ops DEFAULT FOR TYPE omni.email USING btree AS
    OPERATOR 1 pg_catalog.<,
    OPERATOR 2 pg_catalog.<=,
    OPERATOR 3 pg_catalog.=,
    OPERATOR 4 pg_catalog.>=,
    OPERATOR 5 pg_catalog.>,
    FUNCTION 1 omni.email_cmp(omni.email, omni.email);

CREATE OPERATOR CLASS omni.email_hash_ops DEFAULT FOR TYPE omni.email USING hash AS
    OPERATOR 1 pg_catalog.=,
    FUNCTION 1 omni.email_hash(omni.email),
    FUNCTION 2 omni.email_hash_extended(omni.email, bigint);

CREATE FUNCTION omni.email_key(omni.email) RETURNS text
    AS 'MODULE_PATHNAME', 'omni_email_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION omni.email_key(omni.email) IS
    'Matching key: for gmail.com/googlemail.com dots and +tag removed (domain gmail.com); +tag removed for Outlook, iCloud, Fastmail, Proton, Yandex';

CREATE FUNCTION omni.email_domain(omni.email) RETURNS text
    AS 'MODULE_PATHNAME', 'omni_email_domain' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION omni.email_domain(omni.email) IS 'The domain, after "@"';

-- omnichannel 0.1 as released: kept so that `ALTER EXTENSION omnichannel UPDATE` can be tested from it.
-- Generated from src/sql/*.sql at commit e6e9fcc; never edit.
\echo Use "CREATE EXTENSION omnichannel VERSION '0.1'" to load this file. \quit

-- ==== src/sql/00_errors.sql
-- omnichannel: the schema's own error codes, in one place.
--
-- Every SQLSTATE of class OM that the extension raises is listed here, with
-- the same words as README.md; C code names them ERRCODE_OMNI_* in
-- src/omnichannel.h.  Applications catch them by SQLSTATE, never by text.

CREATE TABLE omni.error_codes (
    sqlstate    text PRIMARY KEY CHECK (sqlstate ~ '^[0-9A-Z]{5}$'),
    name        text NOT NULL UNIQUE,
    raised_when text NOT NULL
);

COMMENT ON TABLE omni.error_codes IS
    'SQLSTATEs raised by omnichannel functions: class OM is ours, the others are standard codes we use.';

INSERT INTO omni.error_codes VALUES
    ('OM001', 'insufficient_stock',      'a reservation or sale needs more than is available'),
    ('OM002', 'reservation_not_active',  'commit or release of a reservation that is expired, released or committed'),
    ('OM003', 'unknown_sku',             'the SKU is not in omni.products'),
    ('OM004', 'unknown_location',        'the location code is not in omni.locations'),
    ('OM005', 'unroutable_order',        'no plan can fulfil the order under the requested mode'),
    ('OM006', 'unknown_customer',        'the customer id does not exist (or was forgotten)'),
    ('OM007', 'invalid_transition',      'an order or fulfilment state change that its state does not allow'),
    ('22P02', 'invalid_text_representation', 'malformed text input for omni.email or omni.phone'),
    ('22P03', 'invalid_binary_representation', 'a binary omni.phone value that is no E.164 number'),
    ('22023', 'invalid_parameter_value', 'a bad argument: non-positive quantity, negative price, unknown channel, bad omni.default_country, malformed jsonb');

-- Reference data of the extension itself, not of the user: not dumped.
GRANT SELECT ON omni.error_codes TO PUBLIC;

-- ==== src/sql/10_email.sql
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

-- ==== src/sql/11_phone.sql
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

-- ==== src/sql/20_catalogue.sql
-- Catalogue: channels, products, locations.
--
-- Applications write through the functions below, not into the tables:
-- that is where the checks and error codes live, and the security issue
-- takes table privileges away from the channel roles.  Every table is keyed
-- by its natural code (sku, location code) so it could later be distributed
-- by SKU without cross-shard keys.

CREATE TABLE omni.channels (
    channel     text PRIMARY KEY CHECK (channel ~ '^[a-z][a-z0-9_]{0,31}$'),
    name        text NOT NULL,
    is_physical boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE omni.channels IS
    'Sales channels (web, app, pos, social, support, marketplace, and any a retailer adds)';

INSERT INTO omni.channels (channel, name, is_physical) VALUES
    ('web', 'Web shop', false),
    ('app', 'Mobile app', false),
    ('pos', 'Store point of sale', true),
    ('social', 'Social media', false),
    ('support', 'Support line', false),
    ('marketplace', 'Marketplaces', false);

CREATE TABLE omni.products (
    sku         text PRIMARY KEY
                CHECK (sku ~ '^[^[:space:][:cntrl:]]([^[:cntrl:]]{0,62}[^[:space:][:cntrl:]])?$'),
    name        text NOT NULL CHECK (name <> ''),
    category    text,
    attributes  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE omni.products IS 'The catalogue: one row per SKU, shared by every channel';
CREATE INDEX products_category_idx ON omni.products (category);

CREATE TABLE omni.locations (
    code            text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    name            text NOT NULL CHECK (name <> ''),
    kind            text NOT NULL CHECK (kind IN ('store', 'warehouse', 'locker')),
    lat             float8 NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon             float8 NOT NULL CHECK (lon BETWEEN -180 AND 180),
    can_ship        boolean NOT NULL DEFAULT false,
    can_pickup      boolean NOT NULL DEFAULT false,
    can_curbside    boolean NOT NULL DEFAULT false,
    accepts_returns boolean NOT NULL DEFAULT false,
    priority        int NOT NULL DEFAULT 0,
    city            text,
    region          text,
    country         text CHECK (country ~ '^[A-Z]{2}$'),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- a locker hands parcels over; it neither ships nor takes returns at a counter
    CHECK (kind <> 'locker' OR NOT can_ship),
    CHECK (NOT can_curbside OR kind = 'store')
);
COMMENT ON TABLE omni.locations IS
    'Stores, warehouses and lockers: where stock is held and what each can do (ship, pickup, curbside, returns)';
COMMENT ON COLUMN omni.locations.priority IS
    'Routing preference: a higher priority location is preferred at equal cost';

-- The user fills these: pg_dump must keep them (the channels seed rows too,
-- as a retailer may have edited them).
SELECT pg_catalog.pg_extension_config_dump('omni.channels', '');
SELECT pg_catalog.pg_extension_config_dump('omni.products', '');
SELECT pg_catalog.pg_extension_config_dump('omni.locations', '');

-- Shared checks, raised in one voice by every API function.

CREATE FUNCTION omni.check_channel(p_channel text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF p_channel IS NULL OR NOT EXISTS (SELECT 1 FROM omni.channels c WHERE c.channel = p_channel) THEN
        RAISE EXCEPTION 'unknown channel "%"', p_channel
            USING ERRCODE = '22023',
                  DETAIL = 'Channels are listed in omni.channels.',
                  HINT = 'Use one of web, app, pos, social, support, marketplace, or add one with omni.add_channel().';
    END IF;
    RETURN p_channel;
END
$$;
COMMENT ON FUNCTION omni.check_channel(text) IS 'Raises 22023 unless the channel exists; returns it';

CREATE FUNCTION omni.check_sku(p_sku text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF p_sku IS NULL OR NOT EXISTS (SELECT 1 FROM omni.products p WHERE p.sku = p_sku) THEN
        RAISE EXCEPTION 'unknown SKU "%"', p_sku
            USING ERRCODE = 'OM003',
                  DETAIL = 'The SKU is not in omni.products.',
                  HINT = 'Add it with omni.add_product() first.';
    END IF;
    RETURN p_sku;
END
$$;
COMMENT ON FUNCTION omni.check_sku(text) IS 'Raises OM003 unless the SKU exists; returns it';

CREATE FUNCTION omni.check_location(p_location text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF p_location IS NULL OR NOT EXISTS (SELECT 1 FROM omni.locations l WHERE l.code = p_location) THEN
        RAISE EXCEPTION 'unknown location "%"', p_location
            USING ERRCODE = 'OM004',
                  DETAIL = 'The location code is not in omni.locations.',
                  HINT = 'Add it with omni.add_location() first.';
    END IF;
    RETURN p_location;
END
$$;
COMMENT ON FUNCTION omni.check_location(text) IS 'Raises OM004 unless the location exists; returns it';

CREATE FUNCTION omni.add_channel(channel text, name text, is_physical boolean DEFAULT false)
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF add_channel.channel IS NULL OR add_channel.channel !~ '^[a-z][a-z0-9_]{0,31}$' THEN
        RAISE EXCEPTION 'invalid channel name "%"', add_channel.channel
            USING ERRCODE = '22023',
                  DETAIL = 'A channel name is 1 to 32 lower-case letters, digits or underscores, starting with a letter.';
    END IF;
    INSERT INTO omni.channels AS c (channel, name, is_physical)
    VALUES (add_channel.channel, coalesce(add_channel.name, add_channel.channel), add_channel.is_physical)
    ON CONFLICT ON CONSTRAINT channels_pkey
        DO UPDATE SET name = excluded.name, is_physical = excluded.is_physical;
    RETURN add_channel.channel;
END
$$;
COMMENT ON FUNCTION omni.add_channel(text, text, boolean) IS 'Adds a sales channel, or renames an existing one';

CREATE FUNCTION omni.add_product(sku text, name text, category text DEFAULT NULL,
                                 attributes jsonb DEFAULT '{}')
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF add_product.sku IS NULL
       OR add_product.sku !~ '^[^[:space:][:cntrl:]]([^[:cntrl:]]{0,62}[^[:space:][:cntrl:]])?$' THEN
        RAISE EXCEPTION 'invalid SKU "%"', add_product.sku
            USING ERRCODE = '22023',
                  DETAIL = 'A SKU is 1 to 64 characters, without control characters or surrounding blanks.';
    END IF;
    IF add_product.name IS NULL OR add_product.name = '' THEN
        RAISE EXCEPTION 'product "%" needs a name', add_product.sku USING ERRCODE = '22023';
    END IF;
    IF add_product.attributes IS NULL OR jsonb_typeof(add_product.attributes) <> 'object' THEN
        RAISE EXCEPTION 'product attributes must be a JSON object'
            USING ERRCODE = '22023',
                  DETAIL = format('Got %s.', coalesce(jsonb_typeof(add_product.attributes), 'NULL'));
    END IF;
    INSERT INTO omni.products AS p (sku, name, category, attributes)
    VALUES (add_product.sku, add_product.name, add_product.category, add_product.attributes)
    ON CONFLICT ON CONSTRAINT products_pkey DO UPDATE
        SET name = excluded.name, category = excluded.category,
            attributes = excluded.attributes, updated_at = now();
    RETURN add_product.sku;
END
$$;
COMMENT ON FUNCTION omni.add_product(text, text, text, jsonb) IS 'Adds a product to the catalogue, or updates it (upsert by SKU)';

CREATE FUNCTION omni.add_location(code text, name text, kind text, lat float8, lon float8,
                                  can_ship boolean DEFAULT NULL, can_pickup boolean DEFAULT NULL,
                                  can_curbside boolean DEFAULT false,
                                  accepts_returns boolean DEFAULT NULL, priority int DEFAULT 0,
                                  city text DEFAULT NULL, region text DEFAULT NULL,
                                  country text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_is_store boolean := add_location.kind = 'store';
BEGIN
    IF add_location.code IS NULL OR add_location.code !~ '^[a-z0-9][a-z0-9_.-]{0,63}$' THEN
        RAISE EXCEPTION 'invalid location code "%"', add_location.code
            USING ERRCODE = '22023',
                  DETAIL = 'A location code is 1 to 64 lower-case letters, digits, ".", "_" or "-".',
                  HINT = 'For example store-sao-paulo-01.';
    END IF;
    IF add_location.kind IS NULL OR add_location.kind NOT IN ('store', 'warehouse', 'locker') THEN
        RAISE EXCEPTION 'invalid location kind "%"', add_location.kind
            USING ERRCODE = '22023', DETAIL = 'A location is a store, a warehouse or a locker.';
    END IF;
    IF add_location.lat IS NULL OR add_location.lon IS NULL
       OR add_location.lat NOT BETWEEN -90 AND 90 OR add_location.lon NOT BETWEEN -180 AND 180 THEN
        RAISE EXCEPTION 'invalid coordinates (%, %) for location "%"',
                        add_location.lat, add_location.lon, add_location.code
            USING ERRCODE = '22023', DETAIL = 'Latitude is between -90 and 90, longitude between -180 and 180.';
    END IF;
    IF add_location.kind = 'locker' AND add_location.can_ship THEN
        RAISE EXCEPTION 'a locker cannot ship'
            USING ERRCODE = '22023', DETAIL = format('Location "%s" is a locker: it hands parcels over.', add_location.code);
    END IF;
    IF add_location.kind <> 'store' AND add_location.can_curbside THEN
        RAISE EXCEPTION 'only a store offers curbside pickup'
            USING ERRCODE = '22023', DETAIL = format('Location "%s" is a %s.', add_location.code, add_location.kind);
    END IF;
    INSERT INTO omni.locations AS l (code, name, kind, lat, lon, can_ship, can_pickup, can_curbside,
                                     accepts_returns, priority, city, region, country)
    VALUES (add_location.code, coalesce(add_location.name, add_location.code), add_location.kind,
            add_location.lat, add_location.lon,
            -- defaults by kind: warehouses ship, stores hand over and take returns
            coalesce(add_location.can_ship, add_location.kind = 'warehouse'),
            coalesce(add_location.can_pickup, add_location.kind <> 'warehouse'),
            coalesce(add_location.can_curbside, false),
            coalesce(add_location.accepts_returns, v_is_store),
            coalesce(add_location.priority, 0),
            add_location.city, add_location.region, upper(add_location.country))
    ON CONFLICT ON CONSTRAINT locations_pkey DO UPDATE
        SET name = excluded.name, kind = excluded.kind, lat = excluded.lat, lon = excluded.lon,
            can_ship = excluded.can_ship, can_pickup = excluded.can_pickup,
            can_curbside = excluded.can_curbside, accepts_returns = excluded.accepts_returns,
            priority = excluded.priority, city = excluded.city, region = excluded.region,
            country = excluded.country;
    RETURN add_location.code;
END
$$;
COMMENT ON FUNCTION omni.add_location(text, text, text, float8, float8, boolean, boolean, boolean, boolean, int, text, text, text) IS
    'Adds or updates a store, warehouse or locker; capabilities default by kind (warehouses ship, stores offer pickup and returns)';

-- ==== src/sql/30_prices.sql
-- Prices: one price per SKU and channel at any moment, with history.
--
-- A row with channel NULL is the base price: it applies to every channel
-- that has no override of its own.  A row with a channel is an explicit
-- override for that channel; an override with price NULL ends an earlier
-- override (the channel falls back to the base price).  Rows are never
-- updated in place except to correct a price set for the very same
-- instant, so the table is the price history.

CREATE TABLE omni.prices (
    sku         text NOT NULL REFERENCES omni.products (sku) ON UPDATE CASCADE,
    channel     text REFERENCES omni.channels (channel) ON UPDATE CASCADE,
    price       numeric CHECK (price >= 0),
    valid_from  timestamptz NOT NULL,
    set_at      timestamptz NOT NULL DEFAULT now(),
    set_by      name NOT NULL DEFAULT current_user,
    -- only an override may be NULL (= back to the base price)
    CHECK (price IS NOT NULL OR channel IS NOT NULL),
    CONSTRAINT prices_key UNIQUE NULLS NOT DISTINCT (sku, channel, valid_from)
);
COMMENT ON TABLE omni.prices IS
    'Price history: channel NULL = base price for every channel; a channel row overrides it; price NULL ends an override';
CREATE INDEX prices_lookup_idx ON omni.prices (sku, channel, valid_from DESC);
SELECT pg_catalog.pg_extension_config_dump('omni.prices', '');

CREATE FUNCTION omni.set_price(sku text, price numeric, channel text DEFAULT NULL,
                               valid_from timestamptz DEFAULT now())
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM omni.check_sku(set_price.sku);
    IF set_price.channel IS NOT NULL THEN
        PERFORM omni.check_channel(set_price.channel);
    END IF;
    IF set_price.price IS NULL OR set_price.price < 0 THEN
        RAISE EXCEPTION 'invalid price % for SKU "%"', coalesce(set_price.price::text, 'NULL'), set_price.sku
            USING ERRCODE = '22023',
                  DETAIL = 'A price is zero or more.',
                  HINT = 'To end a channel override use omni.clear_price_override().';
    END IF;
    IF set_price.valid_from IS NULL OR NOT isfinite(set_price.valid_from) THEN
        RAISE EXCEPTION 'invalid valid_from % for SKU "%"', set_price.valid_from, set_price.sku
            USING ERRCODE = '22023', DETAIL = 'A price takes effect at a finite moment.';
    END IF;
    INSERT INTO omni.prices AS p (sku, channel, price, valid_from)
    VALUES (set_price.sku, set_price.channel, set_price.price, set_price.valid_from)
    ON CONFLICT ON CONSTRAINT prices_key
        DO UPDATE SET price = excluded.price, set_at = excluded.set_at, set_by = excluded.set_by;
END
$$;
COMMENT ON FUNCTION omni.set_price(text, numeric, text, timestamptz) IS
    'Sets the price of a SKU from valid_from on: for every channel (channel NULL, the base price) or as an explicit override for one channel';

CREATE FUNCTION omni.clear_price_override(sku text, channel text,
                                          valid_from timestamptz DEFAULT now())
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM omni.check_sku(clear_price_override.sku);
    PERFORM omni.check_channel(clear_price_override.channel);
    IF clear_price_override.valid_from IS NULL OR NOT isfinite(clear_price_override.valid_from) THEN
        RAISE EXCEPTION 'invalid valid_from %', clear_price_override.valid_from USING ERRCODE = '22023';
    END IF;
    INSERT INTO omni.prices AS p (sku, channel, price, valid_from)
    VALUES (clear_price_override.sku, clear_price_override.channel, NULL, clear_price_override.valid_from)
    ON CONFLICT ON CONSTRAINT prices_key
        DO UPDATE SET price = NULL, set_at = excluded.set_at, set_by = excluded.set_by;
END
$$;
COMMENT ON FUNCTION omni.clear_price_override(text, text, timestamptz) IS
    'Ends a channel''s price override from valid_from on: the channel falls back to the base price';

-- STABLE: reads omni.prices, and the default moment is the transaction's now().
CREATE FUNCTION omni.price(sku text, channel text, at timestamptz)
RETURNS numeric LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    v_found boolean;
    v_price numeric;
BEGIN
    PERFORM omni.check_sku(price.sku);
    IF price.channel IS NOT NULL THEN
        PERFORM omni.check_channel(price.channel);
        -- the channel's own latest row, if any, decides (NULL price: fall back)
        SELECT true, p.price INTO v_found, v_price
          FROM omni.prices p
         WHERE p.sku = price.sku AND p.channel = price.channel AND p.valid_from <= price.at
         ORDER BY p.valid_from DESC LIMIT 1;
        IF v_found AND v_price IS NOT NULL THEN
            RETURN v_price;
        END IF;
    END IF;
    SELECT p.price INTO v_price
      FROM omni.prices p
     WHERE p.sku = price.sku AND p.channel IS NULL AND p.valid_from <= price.at
     ORDER BY p.valid_from DESC LIMIT 1;
    RETURN v_price;
END
$$;
COMMENT ON FUNCTION omni.price(text, text, timestamptz) IS
    'Price of a SKU in a channel at a moment: the channel''s override if one is in force, else the base price; NULL if none was ever set';

CREATE FUNCTION omni.price(sku text, channel text DEFAULT NULL)
RETURNS numeric LANGUAGE sql STABLE PARALLEL SAFE
RETURN omni.price(sku, channel, now());
COMMENT ON FUNCTION omni.price(text, text) IS
    'Current price of a SKU in a channel (NULL channel: the base price)';

CREATE VIEW omni.current_prices AS
SELECT p.sku, c.channel, omni.price(p.sku, c.channel) AS price,
       EXISTS (SELECT 1 FROM omni.prices o
                WHERE o.sku = p.sku AND o.channel = c.channel
                  AND o.valid_from <= now() AND o.price IS NOT NULL
                  AND o.valid_from = (SELECT max(o2.valid_from) FROM omni.prices o2
                                       WHERE o2.sku = p.sku AND o2.channel = c.channel
                                         AND o2.valid_from <= now())) AS is_override
  FROM omni.products p CROSS JOIN omni.channels c;
COMMENT ON VIEW omni.current_prices IS
    'The price in force now for every SKU and channel, and whether it is a channel override';

CREATE FUNCTION omni.price_history(sku text)
RETURNS TABLE (channel text, price numeric, valid_from timestamptz, set_at timestamptz, set_by name)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT p.channel, p.price, p.valid_from, p.set_at, p.set_by
      FROM omni.prices p
     WHERE p.sku = omni.check_sku(price_history.sku)
     ORDER BY p.channel NULLS FIRST, p.valid_from;
$$;
COMMENT ON FUNCTION omni.price_history(text) IS
    'Every price ever set for a SKU, base price first, then each channel, oldest first';

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
    created_at  timestamptz NOT NULL DEFAULT now(),
    builtin     boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE omni.channels IS
    'Sales channels (web, app, pos, social, support, marketplace, and any a retailer adds)';

INSERT INTO omni.channels (channel, name, is_physical, builtin) VALUES
    ('web', 'Web shop', false, true),
    ('app', 'Mobile app', false, true),
    ('pos', 'Store point of sale', true, true),
    ('social', 'Social media', false, true),
    ('support', 'Support line', false, true),
    ('marketplace', 'Marketplaces', false, true);

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

-- The user fills these: pg_dump must keep them.  The seeded channels are
-- created again by CREATE EXTENSION on restore, so only the retailer's own
-- channels are dumped (dumping the seeds too would make the restore fail).
SELECT pg_catalog.pg_extension_config_dump('omni.channels', 'WHERE NOT builtin');
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

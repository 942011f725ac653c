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

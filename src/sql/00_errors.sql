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
    ('22004', 'null_value_not_allowed',  'a required argument is NULL'),
    ('22023', 'invalid_parameter_value', 'a bad argument: non-positive quantity or TTL, negative price, unknown channel, bad omni.default_country, malformed jsonb');

-- Reference data of the extension itself, not of the user: not dumped.
GRANT SELECT ON omni.error_codes TO PUBLIC;

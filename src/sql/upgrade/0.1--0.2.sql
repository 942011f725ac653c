-- omnichannel 0.1 -> 0.2: the changes to objects that 0.1 already had.
-- The Makefile appends every part new in 0.2 (src/sql/40_* and later) to
-- this file to make omnichannel--0.1--0.2.sql; test/upgrade/ checks that an
-- updated 0.1 ends up identical to a fresh 0.2.

INSERT INTO omni.error_codes VALUES
    ('22004', 'null_value_not_allowed', 'a required argument is NULL');
UPDATE omni.error_codes
   SET raised_when = 'a bad argument: non-positive quantity or TTL, negative price, unknown channel, bad omni.default_country, malformed jsonb'
 WHERE sqlstate = '22023';

-- Seeded channels are recreated by CREATE EXTENSION on restore: dump only
-- the retailer's own (0.1 dumped all, and a restore then failed).
ALTER TABLE omni.channels ADD COLUMN builtin boolean NOT NULL DEFAULT false;
UPDATE omni.channels SET builtin = true
 WHERE channel IN ('web', 'app', 'pos', 'social', 'support', 'marketplace');
SELECT pg_catalog.pg_extension_config_dump('omni.channels', 'WHERE NOT builtin');

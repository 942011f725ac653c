-- omnichannel 0.1 -> 0.2: the changes to objects that 0.1 already had.
-- The Makefile appends every part new in 0.2 (src/sql/40_* and later) to
-- this file to make omnichannel--0.1--0.2.sql; test/upgrade/ checks that an
-- updated 0.1 ends up identical to a fresh 0.2.

INSERT INTO omni.error_codes VALUES
    ('22004', 'null_value_not_allowed', 'a required argument is NULL');
UPDATE omni.error_codes
   SET raised_when = 'a bad argument: non-positive quantity or TTL, negative price, unknown channel, bad omni.default_country, malformed jsonb'
 WHERE sqlstate = '22023';

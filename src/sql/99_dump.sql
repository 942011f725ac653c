-- pg_dump keeps the rows of our configuration tables (the parts register
-- them with pg_extension_config_dump).  Two things make that work:
--
-- 1. Rows this script itself put in such a table (seeds, registrations)
--    are created again by CREATE EXTENSION on restore: dumping them too
--    would make the restore fail on a duplicate key.  Every configuration
--    table that holds rows at this point, and is dumped whole, gets a
--    column builtin, true for those rows, and is dumped WHERE NOT builtin.
--    (omni.privacy_secret is the exception: the restored secret must come
--    back, and it has no key to collide on.)
DO $$
DECLARE
    v_table regclass;
    v_has_rows boolean;
BEGIN
    FOR v_table IN
        SELECT x.t::pg_catalog.regclass
          FROM pg_catalog.pg_extension e,
               ROWS FROM (pg_catalog.unnest(e.extconfig), pg_catalog.unnest(e.extcondition)) AS x(t, w)
          JOIN pg_catalog.pg_class c ON c.oid = x.t AND c.relkind = 'r'
         WHERE e.extname = 'omnichannel' AND coalesce(x.w, '') = ''
           AND x.t <> 'omni.privacy_secret'::pg_catalog.regclass
         ORDER BY 1
    LOOP
        EXECUTE pg_catalog.format('SELECT EXISTS (SELECT 1 FROM %s)', v_table) INTO v_has_rows;
        CONTINUE WHEN NOT v_has_rows;
        EXECUTE pg_catalog.format('ALTER TABLE %s ADD COLUMN builtin boolean NOT NULL DEFAULT false', v_table);
        EXECUTE pg_catalog.format('UPDATE %s SET builtin = true', v_table);
        PERFORM pg_catalog.pg_extension_config_dump(v_table, 'WHERE NOT builtin');
    END LOOP;
END
$$;

-- 2. A sequence of an extension is
--    dumped only if it is registered too: without this, a restored database
--    would hand out reservation, order or event ids that already exist.
--
-- Runs last, so that it covers every part's tables.
DO $$
DECLARE
    v_seq text;
BEGIN
    FOR v_seq IN
        SELECT pg_catalog.pg_get_serial_sequence(c.oid::pg_catalog.regclass::text, a.attname)
          FROM pg_catalog.pg_extension e
         CROSS JOIN LATERAL pg_catalog.unnest(e.extconfig) AS t(oid)
          JOIN pg_catalog.pg_class c ON c.oid = t.oid AND c.relkind = 'r'
          JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
                                        AND (a.attidentity <> '' OR pg_catalog.pg_get_serial_sequence(c.oid::pg_catalog.regclass::text, a.attname) IS NOT NULL)
         WHERE e.extname = 'omnichannel'
         ORDER BY 1
    LOOP
        PERFORM pg_catalog.pg_extension_config_dump(v_seq::pg_catalog.regclass, '');
    END LOOP;
END
$$;

-- pg_dump keeps the rows of our configuration tables (the parts register
-- them with pg_extension_config_dump), but a sequence of an extension is
-- dumped only if it is registered too: without this, a restored database
-- would hand out reservation, order or event ids that already exist.
-- Runs last, so that it covers every part's identity columns.
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

-- A canonical listing of everything the extension owns, one line per fact,
-- so that an updated old version and a fresh install can be diffed.
WITH members AS (
    SELECT d.classid, d.objid
      FROM pg_depend d JOIN pg_extension e ON d.refobjid = e.oid
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
       AND e.extname = 'omnichannel'
), facts AS (
    SELECT pg_describe_object(classid, objid, 0) AS fact FROM members
    UNION ALL
    SELECT 'function ' || p.oid::regprocedure || ': ' || pg_get_functiondef(p.oid)
      FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
     WHERE p.prokind <> 'a'
    UNION ALL
    SELECT format('column %s.%s #%s %s%s%s', c.oid::regclass, a.attname,
                  row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),
                  format_type(a.atttypid, a.atttypmod),
                  CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
                  coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
                  || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END)
      FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
    UNION ALL
    SELECT format('relation %s kind %s options %s', c.oid::regclass, c.relkind::text, c.reloptions)
      FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
    UNION ALL
    SELECT format('constraint %s on %s: %s', co.conname, co.conrelid::regclass, pg_get_constraintdef(co.oid))
      FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
     WHERE n.nspname = 'omni' AND co.conrelid <> 0
    UNION ALL
    SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'omni'
    UNION ALL
    SELECT format('trigger %s', pg_get_triggerdef(t.oid))
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE c.relnamespace = 'omni'::regnamespace AND NOT t.tgisinternal
    UNION ALL
    SELECT format('view %s: %s', c.oid::regclass, pg_get_viewdef(c.oid))
      FROM pg_class c WHERE c.relnamespace = 'omni'::regnamespace AND c.relkind IN ('v', 'm')
    UNION ALL
    SELECT format('comment on %s: %s', pg_describe_object(m.classid, m.objid, 0),
                  obj_description(m.objid, (SELECT relname FROM pg_class WHERE oid = m.classid)))
      FROM members m
     WHERE obj_description(m.objid, (SELECT relname FROM pg_class WHERE oid = m.classid)) IS NOT NULL
    UNION ALL
    SELECT format('grant on %s: %s', c.oid::regclass, c.relacl)
      FROM pg_class c WHERE c.relnamespace = 'omni'::regnamespace AND c.relacl IS NOT NULL
    UNION ALL
    SELECT format('grant on %s: %s', p.oid::regprocedure, p.proacl)
      FROM pg_proc p WHERE p.pronamespace = 'omni'::regnamespace AND p.proacl IS NOT NULL
    UNION ALL
    SELECT format('config table %s', t::regclass)
      FROM pg_extension e, unnest(e.extconfig) t WHERE e.extname = 'omnichannel'
    UNION ALL
    SELECT format('error code %s %s: %s', sqlstate, name, raised_when) FROM omni.error_codes
    UNION ALL
    SELECT format('channel %s %s %s', channel, name, is_physical) FROM omni.channels
)
SELECT fact FROM facts ORDER BY fact;

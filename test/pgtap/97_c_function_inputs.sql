-- pgTAP: every C function of the extension survives hostile arguments
-- (NULLs, empty and NULL-holding arrays, NaN and infinities, malformed
-- jsonb, huge strings).  Each call may fail with any error; what it must
-- not do is crash the backend, which would end this file early and fail
-- its plan.  sqlsmith found the first such crash (a NULL jsonb argument).
BEGIN;
SELECT plan(2);

CREATE FUNCTION pg_temp.sample(t regtype, i int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT (CASE t
        WHEN 'text'::regtype THEN ARRAY['NULL', $q$''$q$, $q$repeat('x', 10000)$q$, $q$E'\\x01\\n'$q$, $q$'São Paulo'$q$]
        WHEN 'jsonb'::regtype THEN ARRAY['NULL', $q$'{}'$q$, $q$'[]'$q$, $q$'null'$q$,
                                         $q$'[{"sku": null, "qty": "x"}, 7, {"sku": "A", "qty": -1e400}]'$q$]
        WHEN 'smallint'::regtype THEN ARRAY['NULL', '0', '-1', '32767', '1']
        WHEN 'integer'::regtype THEN ARRAY['NULL', '0', '-1', '2147483647', '1']
        WHEN 'bigint'::regtype THEN ARRAY['NULL', '0', '-1', '9223372036854775807', '1']
        WHEN 'double precision'::regtype THEN ARRAY['NULL', $q$'NaN'$q$, $q$'-Infinity'$q$, '0', '1e308']
        WHEN 'boolean'::regtype THEN ARRAY['NULL', 'true', 'false', 'true', 'false']
        WHEN 'interval'::regtype THEN ARRAY['NULL', $q$'-1 day'$q$, $q$'0'$q$, $q$'1000000 years'$q$, $q$'1 second'$q$]
        WHEN 'timestamp with time zone'::regtype THEN ARRAY['NULL', $q$'infinity'$q$, $q$'-infinity'$q$, 'now()', $q$'2026-01-01'$q$]
        ELSE CASE WHEN (SELECT typcategory FROM pg_type WHERE oid = t) = 'A'
                  THEN ARRAY['NULL', $q$'{}'$q$, $q$'{NULL}'$q$, $q$'{1,2,3}'$q$, $q$'{0,NULL,-1}'$q$]
                  ELSE ARRAY['NULL', 'NULL', 'NULL', 'NULL', 'NULL'] END
        END)[1 + i % 5] || '::' || t::text;
$$;

CREATE FUNCTION pg_temp.hostile_calls() RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    v_fn record;
    v_call text;
    v_calls int := 0;
BEGIN
    FOR v_fn IN
        SELECT p.oid, p.oid::regprocedure AS sig, p.proname, p.proargtypes::oid[] AS args, p.proretset
          FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
         WHERE p.pronamespace = 'omni'::regnamespace AND l.lanname = 'c' AND p.prokind = 'f'
           AND p.prorettype NOT IN ('trigger'::regtype, 'internal'::regtype, 'cstring'::regtype)
           AND NOT ('internal'::regtype = ANY (p.proargtypes::oid[]))
           AND NOT ('cstring'::regtype = ANY (p.proargtypes::oid[]))
         ORDER BY 2
    LOOP
        FOR i IN 0..4 LOOP
            SELECT format('SELECT %s omni.%I(%s)', CASE WHEN v_fn.proretset THEN 'count(*) FROM' ELSE '' END,
                          v_fn.proname,
                          coalesce(string_agg(pg_temp.sample(a::regtype, i + n::int), ', ' ORDER BY n), ''))
              INTO v_call
              FROM unnest(v_fn.args) WITH ORDINALITY AS x(a, n);
            BEGIN
                EXECUTE v_call;
            EXCEPTION WHEN OTHERS THEN
                NULL;           -- refusing is fine; crashing is not
            END;
            v_calls := v_calls + 1;
        END LOOP;
    END LOOP;
    RETURN v_calls;
END
$$;

SELECT cmp_ok(pg_temp.hostile_calls(), '>', 100, 'every C function took five sets of hostile arguments without crashing');
SELECT pass('the backend is still here');

SELECT * FROM finish();
ROLLBACK;

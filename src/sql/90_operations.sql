-- Operations: scheduled jobs (pg_cron, when present) and the health view.
--
-- pg_cron is optional: it is detected at run time, never required by the
-- control file.  Without it, schedule_jobs() says so in a NOTICE and the
-- DBA runs the same commands from any other scheduler.

CREATE TABLE omni.job_definitions (
    job_name    text PRIMARY KEY CHECK (job_name ~ '^omni-[a-z-]+$'),
    schedule    text NOT NULL,
    command     text NOT NULL,
    needs       text NOT NULL,          -- the routine it runs: scheduled only if it exists
    description text NOT NULL
);
COMMENT ON TABLE omni.job_definitions IS
    'The jobs omni.schedule_jobs() registers with pg_cron; edit a schedule here, then call schedule_jobs() again (pg_cron schedules are in GMT)';

INSERT INTO omni.job_definitions VALUES
    ('omni-expire-reservations', '* * * * *', 'CALL omni.expire_all_reservations()',
     'omni.expire_all_reservations()', 'release reservations past their TTL, every minute'),
    ('omni-prune-events', '17 3 * * *', $$SELECT omni.prune_events(interval '30 days')$$,
     'omni.prune_events(interval)', 'drop event log entries older than 30 days, nightly'),
    ('omni-resolve-identities', '30 2 * * *', 'SELECT omni.resolve_identities()',
     'omni.resolve_identities()', 're-cluster every identity into customers, nightly'),
    ('omni-refresh-recommendations', '0 4 * * *', 'SELECT omni.refresh_recommendations()',
     'omni.refresh_recommendations()', 'rebuild the recommendation model, nightly');
-- Not dumped: CREATE EXTENSION recreates the definitions on restore (a DBA's
-- edited schedule is re-applied with an UPDATE and schedule_jobs()).

-- A SQL-standard body: bound when created, so no search_path to pin.
CREATE FUNCTION omni.pg_cron_available() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron');
COMMENT ON FUNCTION omni.pg_cron_available() IS 'True when pg_cron is installed in this database';

CREATE FUNCTION omni.schedule_jobs() RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, omni, pg_temp
AS $$
DECLARE
    v_job record;
    v_scheduled text[] := '{}';
    v_skipped text[] := '{}';
BEGIN
    IF NOT omni.pg_cron_available() THEN
        RAISE NOTICE 'pg_cron is not installed in database "%": no job was scheduled', current_database()
            USING DETAIL = 'Install pg_cron (shared_preload_libraries = ''pg_cron'', cron.database_name = this database, CREATE EXTENSION pg_cron) or run the commands of omni.job_definitions from another scheduler.';
        RETURN;
    END IF;
    FOR v_job IN SELECT * FROM omni.job_definitions ORDER BY job_name LOOP
        IF pg_catalog.to_regprocedure(v_job.needs) IS NULL THEN
            v_skipped := v_skipped || v_job.job_name;
            CONTINUE;
        END IF;
        -- pg_cron replaces a job of the same name: calling this twice is harmless
        EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, $4)'
            USING v_job.job_name, v_job.schedule, v_job.command, current_database();
        v_scheduled := v_scheduled || v_job.job_name;
    END LOOP;
    RAISE NOTICE 'scheduled % job(s): %', cardinality(v_scheduled), array_to_string(v_scheduled, ', ')
        USING DETAIL = CASE WHEN cardinality(v_skipped) > 0
                            THEN format('Not scheduled, their function does not exist in this version: %s.',
                                        array_to_string(v_skipped, ', '))
                            ELSE 'Every job of omni.job_definitions is scheduled.' END;
END
$$;
COMMENT ON FUNCTION omni.schedule_jobs() IS
    'Registers the jobs of omni.job_definitions with pg_cron (idempotent); without pg_cron, a NOTICE and nothing else';

CREATE FUNCTION omni.unschedule_jobs() RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, omni, pg_temp
AS $$
DECLARE
    v_name text;
    v_count int := 0;
BEGIN
    IF NOT omni.pg_cron_available() THEN
        RAISE NOTICE 'pg_cron is not installed in database "%": there is no job to unschedule', current_database();
        RETURN;
    END IF;
    FOR v_name IN EXECUTE 'SELECT jobname FROM cron.job WHERE jobname IN (SELECT job_name FROM omni.job_definitions)' LOOP
        EXECUTE 'SELECT cron.unschedule($1::name)' USING v_name;
        v_count := v_count + 1;
    END LOOP;
    RAISE NOTICE 'unscheduled % job(s)', v_count;
END
$$;
COMMENT ON FUNCTION omni.unschedule_jobs() IS 'Removes the omni-* jobs from pg_cron (idempotent)';

CREATE FUNCTION omni.scheduled_jobs()
RETURNS TABLE (job_name text, schedule text, command text, active boolean,
               last_status text, last_run timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, omni, pg_temp
AS $$
BEGIN
    IF NOT omni.pg_cron_available() THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE $q$
        SELECT j.jobname::text, j.schedule, j.command, j.active,
               d.status, d.start_time
          FROM cron.job j
          LEFT JOIN LATERAL (SELECT r.status, r.start_time FROM cron.job_run_details r
                              WHERE r.jobid = j.jobid ORDER BY r.start_time DESC LIMIT 1) d ON true
         WHERE j.jobname IN (SELECT job_name FROM omni.job_definitions)
         ORDER BY j.jobname $q$;
END
$$;
COMMENT ON FUNCTION omni.scheduled_jobs() IS 'Our pg_cron jobs with their last run (empty without pg_cron)';

-- One row per check, so that a monitoring system can alert on status.
CREATE FUNCTION omni.health_checks()
RETURNS TABLE (check_name text, value text, status text, detail text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, omni, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_count bigint;
    v_age interval;
    v_lag numeric;
BEGIN
    SELECT count(*) INTO v_count FROM omni.reservations WHERE status = 'active' AND expires_at > now();
    RETURN QUERY SELECT 'active_reservations', v_count::text, 'ok', 'reservations holding stock now';

    SELECT now() - min(expires_at) INTO v_age
      FROM omni.reservations WHERE status = 'active' AND expires_at <= now();
    RETURN QUERY SELECT 'oldest_expired_unreleased', coalesce(v_age::text, 'none'),
        CASE WHEN v_age IS NULL OR v_age < interval '5 minutes' THEN 'ok' ELSE 'warn' END,
        'expired reservations no longer count, but should be released by the expiry job every minute';

    SELECT count(*) INTO v_count FROM omni.check_stock();
    RETURN QUERY SELECT 'stock_ledger_consistent', (v_count = 0)::text,
        CASE WHEN v_count = 0 THEN 'ok' ELSE 'fail' END,
        CASE WHEN v_count = 0 THEN 'balances equal the ledger'
             ELSE format('%s problem(s): SELECT * FROM omni.check_stock()', v_count) END;

    -- a trigger or constraint added to the stock tables slows reserve down
    RETURN QUERY SELECT 'stock_fast_path', omni.stock_direct_path(),
        CASE WHEN omni.stock_direct_path() = 'on' THEN 'ok' ELSE 'warn' END,
        'reserve writes its slot and reservation without the executor while the stock tables are as installed (doc/stock.md)';

    RETURN QUERY SELECT 'pg_cron_jobs',
        (SELECT count(*) FROM omni.scheduled_jobs())::text,
        CASE WHEN NOT omni.pg_cron_available() THEN 'warn'
             WHEN (SELECT count(*) FROM omni.scheduled_jobs()) = 0 THEN 'warn' ELSE 'ok' END,
        CASE WHEN NOT omni.pg_cron_available() THEN 'pg_cron is not installed: run the jobs of omni.job_definitions yourself'
             ELSE 'jobs scheduled by omni.schedule_jobs()' END;

    -- guarded: the recommendations part may be absent from a build
    IF pg_catalog.to_regclass('omni.recommend_model') IS NOT NULL THEN
        EXECUTE 'SELECT now() - max(built_at) FROM omni.recommend_model' INTO v_age;
        RETURN QUERY SELECT 'last_model_refresh', coalesce(v_age::text, 'never'),
            CASE WHEN v_age IS NOT NULL AND v_age < interval '2 days' THEN 'ok' ELSE 'warn' END,
            CASE WHEN v_age IS NULL THEN 'the recommendation model was never built: SELECT omni.refresh_recommendations()'
                 ELSE 'age of the recommendation model, rebuilt nightly by omni-refresh-recommendations' END;
    END IF;

    -- events not yet published: queued rows (queue mode), and how far the
    -- events worker's logical slot is behind the WAL (decoding mode)
    SELECT count(*), now() - min(q.created_at) INTO v_count, v_age FROM omni.event_queue q;
    SELECT pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), s.confirmed_flush_lsn)
      INTO v_lag FROM pg_catalog.pg_replication_slots s WHERE s.slot_name = 'omni_events';
    RETURN QUERY SELECT 'event_log_lag',
        format('%s queued%s', v_count,
               CASE WHEN v_lag IS NULL THEN '' ELSE format(', slot %s behind', pg_catalog.pg_size_pretty(v_lag)) END),
        CASE WHEN (v_age IS NOT NULL AND v_age > interval '1 minute') OR coalesce(v_lag, 0) > 64 * 1024 * 1024
             THEN 'warn' ELSE 'ok' END,
        'events committed but not yet in omni.events: the events worker publishes them within milliseconds';

    SELECT now() - greatest(m.trained_at, (SELECT max(a.created_at) FROM omni.identity_audit a WHERE a.action = 'resolve'))
      INTO v_age FROM omni.identity_model m;
    RETURN QUERY SELECT 'last_identity_run', coalesce(v_age::text, 'never'),
        CASE WHEN v_age IS NOT NULL AND v_age < interval '2 days' THEN 'ok' ELSE 'warn' END,
        CASE WHEN v_age IS NULL THEN 'identities were never re-clustered: SELECT omni.resolve_identities()'
             ELSE 'since the matcher was last trained or identities re-clustered (nightly: omni-resolve-identities)' END;
END
$$;
COMMENT ON FUNCTION omni.health_checks() IS
    'Health checks for a DBA or a monitoring system: one row per check with ok/warn/fail';

CREATE VIEW omni.health AS SELECT * FROM omni.health_checks();
COMMENT ON VIEW omni.health IS
    'SELECT * FROM omni.health: active reservations, oldest expired-but-unreleased reservation, ledger consistency, scheduled jobs, last model refresh, event log lag, last identity run';

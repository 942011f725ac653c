-- pgTAP: scheduled jobs with pg_cron (skipped where pg_cron is absent, as
-- on the database the upgrade test builds) and the health view.
BEGIN;
SELECT plan(11);

SELECT has_table('omni', 'job_definitions', 'job definitions are a table a DBA can edit');
SELECT has_view('omni', 'health', 'omni.health exists');
SELECT set_eq($$SELECT check_name FROM omni.health$$,
              ARRAY['active_reservations', 'oldest_expired_unreleased', 'stock_ledger_consistent', 'stock_fast_path',
                    'pg_cron_jobs', 'last_model_refresh', 'event_log_lag', 'last_identity_run'],
              'the health view reports reservations, expiry lag, ledger consistency, the stock fast path, jobs and the model age');
SELECT is((SELECT value FROM omni.health WHERE check_name = 'stock_fast_path'), 'on',
          'an untouched database reserves on the direct path');
SELECT is((SELECT status FROM omni.health WHERE check_name = 'stock_ledger_consistent'), 'ok',
          'an untouched database is consistent');

CREATE FUNCTION pg_temp.cron_tests() RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    IF NOT omni.pg_cron_available() THEN
        RETURN NEXT skip('pg_cron is not installed in this database', 6);
        RETURN;
    END IF;
    PERFORM omni.schedule_jobs();
    PERFORM omni.schedule_jobs();
    RETURN NEXT is((SELECT count(*)::int FROM cron.job WHERE jobname = 'omni-expire-reservations'), 1,
                   'scheduling twice registers the expiry job once');
    RETURN NEXT is((SELECT schedule FROM cron.job WHERE jobname = 'omni-expire-reservations'), '* * * * *',
                   'reservations expire every minute');
    RETURN NEXT is((SELECT database FROM cron.job WHERE jobname = 'omni-expire-reservations'), current_database()::text,
                   'the job runs in this database');
    RETURN NEXT ok((SELECT count(*) FROM omni.scheduled_jobs()) >= 1, 'scheduled_jobs() lists it');
    RETURN NEXT is((SELECT status FROM omni.health WHERE check_name = 'pg_cron_jobs'), 'ok',
                   'health sees the jobs');
    PERFORM omni.unschedule_jobs();
    PERFORM omni.unschedule_jobs();
    RETURN NEXT is((SELECT count(*)::int FROM cron.job WHERE jobname LIKE 'omni-%'), 0,
                   'unscheduling (twice) removes every omni job');
END
$$;
SELECT * FROM pg_temp.cron_tests();

SELECT * FROM finish();
ROLLBACK;

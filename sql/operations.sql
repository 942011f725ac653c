-- Operations without pg_cron (the regression database has none): the job
-- functions say so and change nothing; the health view works.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT omni.pg_cron_available();
SELECT omni.schedule_jobs();
SELECT omni.unschedule_jobs();
SELECT count(*) AS jobs FROM omni.scheduled_jobs();
SELECT job_name, schedule, command FROM omni.job_definitions ORDER BY job_name;
-- (the model, identity and event checks depend on what other tests ran before)
SELECT check_name, CASE WHEN check_name IN ('last_model_refresh', 'last_identity_run', 'event_log_lag') THEN '-' ELSE status END AS status
  FROM omni.health ORDER BY check_name;
-- an expired reservation left behind shows as a warning once it is old
SELECT omni.add_product('OPS-1', 'ops');
SELECT omni.add_location('ops-wh', 'Ops DC', 'warehouse', 0, 0);
SELECT omni.receive('OPS-1', 'ops-wh', 3);
SELECT omni.reserve('OPS-1', 'ops-wh', 1) AS r \gset
UPDATE omni.reservations SET expires_at = now() - interval '10 minutes' WHERE reservation_id = :r;
SELECT check_name, status FROM omni.health WHERE check_name = 'oldest_expired_unreleased';
SELECT omni.expire_reservations();
SELECT check_name, status FROM omni.health WHERE check_name = 'oldest_expired_unreleased';

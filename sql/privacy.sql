-- Privacy: consent, export (right of access), forget (right to erasure),
-- the tombstone that stops old channel records from coming back, the
-- audit, and the analysts' pseudonymous views.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- customer ids appear in messages below: start them at a known value
SELECT setval(pg_get_serial_sequence('omni.customers', 'customer_id'), 7000, false) IS NOT NULL AS ids_from_7000;
SELECT omni.add_product('PRIV-1', 'privacy ball');
SELECT omni.add_location('priv-st', 'Privacy store', 'store', -23.56, -46.65);
SELECT omni.add_location('priv-dc', 'Privacy DC', 'warehouse', -23.36, -46.88);
SELECT omni.set_price('PRIV-1', 100, NULL, '2026-01-01');
SELECT omni.receive('PRIV-1', 'priv-dc', 10) + omni.receive('PRIV-1', 'priv-st', 10) AS received;

SELECT customer_id AS ana FROM omni.identify('app', 'priv-app-1',
    '{"email": "priv.ana@example.com", "first_name": "Ana", "last_name": "Privata", "phone": "+55 11 98888-7777", "city": "São Paulo"}') \gset
SELECT customer_id = :ana AS same_person FROM omni.identify('pos', 'priv-card-1',
    '{"phone": "+55 11 98888-7777", "first_name": "Ana", "last_name": "Privata"}');
SELECT omni.place_order(:ana, 'app', '[{"sku": "PRIV-1", "qty": 1}]', 'ship', -23.55123, -46.63321) AS ord \gset
SELECT omni.complete_fulfillment(:ord);
SELECT omni.track(:ana, 'social', 'view', 'PRIV-1');

-- consent: no answer is no; granted per channel and purpose
SELECT omni.has_consent(:ana, 'app', 'marketing') AS before_consent;
SELECT omni.set_consent(:ana, 'app', 'marketing', true);
SELECT omni.has_consent(:ana, 'app', 'marketing') AS app_marketing,
       omni.has_consent(:ana, 'web', 'marketing') AS web_marketing;
SELECT omni.set_consent(:ana, 'app', 'spam', true);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.set_consent(999999999, 'app', 'marketing', true);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- marketing uses recommendations only with consent in that channel (what
-- she just bought is not offered back to her: she looked at a lamp too)
SELECT omni.add_product('PRIV-2', 'privacy lamp');
SELECT omni.track(:ana, 'app', 'view', 'PRIV-2');
SELECT omni.refresh_recommendations();
SELECT count(*) > 0 AS app_may_market FROM omni.marketing_recommendations(:ana, 'app', 5);
SELECT count(*) AS web_may_not FROM omni.marketing_recommendations(:ana, 'web', 5);

-- export: everything we hold, in one document
SELECT key FROM jsonb_object_keys(omni.export_customer(:ana)) key ORDER BY key;
SELECT jsonb_array_length(e->'identities') AS identities, jsonb_array_length(e->'orders') AS orders,
       jsonb_array_length(e->'order_lines') AS lines, jsonb_array_length(e->'interactions') AS interactions,
       jsonb_array_length(e->'consents') AS consents, e->'customer'->'profile'->>'first_name' AS first_name
  FROM omni.export_customer(:ana) e;

-- analysts see a pseudonym, never the person
SELECT count(*) AS pseudonymous_rows, bool_and(customer ~ '^[0-9a-f]{16}$') AS looks_like_pseudonym
  FROM omni.analyst_orders WHERE order_id = :ord;
SELECT to_jsonb(a) ? 'ship_lat' AS analyst_sees_delivery_point FROM omni.analyst_orders a WHERE order_id = :ord;

-- forget: personal data goes, sales and loyalty stay, the id is unknown
SELECT omni.loyalty_balance(:ana) AS points_before;
SELECT sum(total) AS sales_before FROM omni.orders WHERE order_id = :ord \gset
SELECT omni.forget_customer(:ana);
SELECT omni.export_customer(:ana);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT omni.forget_customer(:ana);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT (SELECT count(*) FROM omni.identities WHERE source_key LIKE 'priv-%') AS identities_left,
       (SELECT count(*) FROM omni.interactions WHERE customer_id = :ana) AS interactions_left,
       (SELECT count(*) FROM omni.consents WHERE customer_id = :ana) AS consents_left,
       (SELECT count(*) FROM omni.customers WHERE customer_id = :ana) AS customer_rows_left;
SELECT total = :sales_before AS sales_kept, ship_lat, ship_lon FROM omni.orders WHERE order_id = :ord;
SELECT sum(delta) AS loyalty_ledger_kept FROM omni.loyalty_ledger WHERE customer_id = :ana;
-- the audit says who and when, and how many rows, never what
SELECT erased_by = session_user AS by_me, rows_affected ? 'omni.identities' OR rows_affected ? 'identities' AS counted,
       rows_affected::text !~ 'Privata|98888|priv\.ana' AS holds_no_personal_data
  FROM omni.erasure_log WHERE customer_id = :ana;
SELECT count(*) AS tombstones FROM omni.erasure_tombstones;
SELECT bool_and(record_hash !~ 'priv') AS tombstones_are_hashes FROM omni.erasure_tombstones;

-- replaying an old channel record does not silently bring the person back
SELECT * FROM omni.identify('pos', 'priv-card-1', '{"phone": "+55 11 98888-7777", "first_name": "Ana"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- until an admin allows it (the person came back and consented again)
SELECT omni.allow_reidentify('pos', 'priv-card-1') AS tombstone_removed;
SELECT is_new AS comes_back_as_new_customer, customer_id <> :ana AS with_a_new_id
  FROM omni.identify('pos', 'priv-card-1', '{"phone": "+55 11 98888-7777", "first_name": "Ana"}');

-- pgTAP: the recommendation functions' contract and who may run them:
-- omni_analyst runs every recommendation and analyst function without any
-- privilege on the tables that hold personal data; a role that was not
-- granted them runs none.
BEGIN;
SELECT plan(23);

SELECT has_function('omni', 'recommend', ARRAY['bigint', 'integer', 'text']);
SELECT function_returns('omni', 'recommend', ARRAY['bigint', 'integer', 'text'], 'setof record');
SELECT volatility_is('omni', 'recommend', ARRAY['bigint', 'integer', 'text'], 'stable');
SELECT has_function('omni', 'similar_items', ARRAY['text', 'integer']);
SELECT has_function('omni', 'refresh_recommendations', ARRAY[]::text[]);
SELECT function_returns('omni', 'refresh_recommendations', ARRAY[]::text[], 'void');
SELECT has_function('omni', 'bought_together', ARRAY['text', 'integer']);
SELECT has_function('omni', 'trending', ARRAY['text', 'timestamp with time zone', 'integer']);
SELECT has_view('omni', 'interaction_signals', 'one view reads every channel''s signals');

-- roles as the security work will create them (rolled back at the end)
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'omni_analyst') THEN
        CREATE ROLE omni_analyst;
    END IF;
END
$$;
CREATE ROLE omni_rc_outsider;
GRANT USAGE ON SCHEMA omni TO omni_rc_outsider;
SELECT lives_ok($$SELECT omni.grant_recommend_access()$$, 'granting to the roles that exist works');
SELECT lives_ok($$SELECT omni.grant_recommend_access()$$, 'and is idempotent');

SELECT omni.add_product('TAP-RC-1', 'one'), omni.add_product('TAP-RC-2', 'two');
SELECT customer_id AS cust FROM omni.identify('web', 'tap-rc-customer', '{}') \gset
SELECT omni.track(:cust, 'web', 'purchase', 'TAP-RC-1', now() - interval '2 days');
SELECT omni.track(:cust, 'web', 'purchase', 'TAP-RC-2', now() - interval '2 days');
SELECT omni.refresh_recommendations();

SET LOCAL ROLE omni_analyst;
SELECT ok((SELECT count(*) FROM omni.recommend(:cust, 5)) > 0, 'the analyst runs recommend');
SELECT lives_ok(format('SELECT * FROM omni.recommend_segment(ARRAY[%s]::bigint[], 3)', :cust),
                'the analyst scores a segment');
SELECT is((SELECT sku FROM omni.similar_items('TAP-RC-1', 1)), 'TAP-RC-2', 'the analyst runs similar_items');
SELECT is((SELECT sku FROM omni.bought_together('TAP-RC-1', 1)), 'TAP-RC-2', 'the analyst runs bought_together');
SELECT lives_ok($$SELECT * FROM omni.trending(NULL, now() - interval '7 days')$$, 'the analyst runs trending');
SELECT lives_ok($$SELECT * FROM omni.recommend_model$$, 'the analyst reads the model');
SELECT throws_ok($$SELECT * FROM omni.interactions$$, '42501', NULL, 'but not the raw interactions');
SELECT throws_ok($$SELECT * FROM omni.recommend_customer_items$$, '42501', NULL,
                 'nor what each customer is predicted to buy');
SELECT throws_ok($$SELECT omni.refresh_recommendations()$$, '42501', NULL, 'nor rebuilds the model');
RESET ROLE;

SET LOCAL ROLE omni_rc_outsider;
SELECT throws_ok(format('SELECT * FROM omni.recommend(%s)', :cust), '42501', NULL,
                 'a role without the grant cannot see what a customer is recommended');
SELECT throws_ok($$SELECT * FROM omni.similar_items('TAP-RC-1')$$, '42501', NULL,
                 'nor the model');
SELECT throws_ok($$SELECT * FROM omni.bought_together('TAP-RC-1')$$, '42501', NULL,
                 'nor the baskets');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
